"""Scale (issue 11, point 6): importing a 10,000-row official list, and the matcher and verdict
engine at 200, 10,000 and 100,000 items. ``make bench`` calls :func:`scale_bench`."""

from __future__ import annotations

import csv
import dataclasses
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bot.config import KNOWLEDGE_DIR
from bot.kb.build import build
from bot.kb.importer import import_list
from bot.kb.types import Knowledge
from bot.matching import MatterIndex
from bot.verdict import decide

IMPORT_ROWS = 10_000
SCALES = (200, 10_000, 100_000)
TARGETS = {"import_s": 10.0, "index_build_s_10000": 10.0, "match_ms_10000": 20.0, "match_ms_100000": 50.0}

# Matters and their legal bases as published lists write them (held laws, a regional one, tags).
_MATTERS = (
    ("对在城市道路上擅自设置摊点", "行政处罚", "《中华人民共和国城市道路管理条例》第二十七条、第四十二条"),
    ("对擅自占用城市绿地", "行政处罚", "【行政法规】《城市绿化条例》（2017年修订）第二十七条"),
    ("乡村建设规划许可证核发", "行政许可", "《中华人民共和国城乡规划法》第四十一条"),
    ("农村村民宅基地审批", "行政许可", "《中华人民共和国土地管理法》第六十二条；《某省实施土地管理法办法》第三十六条"),
    ("对未按规定分类投放生活垃圾", "行政处罚", "《某市生活垃圾管理条例》第五十条"),
    ("独生子女父母光荣证核发", "行政确认", "《某省人口与计划生育条例》第三十九条"),
)
_PLACES = ("村道", "集市", "河道", "校园周边", "景区", "工业园", "车站", "社区")


def generated_list(path: Path, rows: int = IMPORT_ROWS) -> Path:
    """A list of ``rows`` distinct items in a published shape: no codes, the unit as subject."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["序号", "事项名称", "权力类型", "实施依据", "实施主体", "原实施部门", "责任事项", "追责情形"])
        for n in range(rows):
            name, power_type, basis = _MATTERS[n % len(_MATTERS)]
            place = _PLACES[(n // len(_MATTERS)) % len(_PLACES)]
            writer.writerow(
                [
                    n + 1,
                    f"{name}（{place}第{n + 1}项）",
                    power_type,
                    basis,
                    "乡镇人民政府",
                    "县有关部门",
                    "1.受理责任：依法受理。2.审查责任：审查材料。",
                    "不依法履行职责的，依法追究责任。",
                ]
            )
    return path


def import_timing(rows: int = IMPORT_ROWS) -> dict[str, Any]:
    """Seconds to preview and to import a generated list of ``rows`` rows into a copy of knowledge/."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        knowledge = work / "knowledge"
        shutil.copytree(KNOWLEDGE_DIR, knowledge, ignore=shutil.ignore_patterns("imports"))
        url = f"sqlite:///{work / 'kb.sqlite3'}"
        build(knowledge, url)
        path = generated_list(work / "清单.csv", rows)
        start = time.perf_counter()
        preview = import_list(path, knowledge, url, unit_kind="town", dry_run=True, progress=False)
        dry_s = time.perf_counter() - start
        start = time.perf_counter()
        result = import_list(path, knowledge, url, unit_kind="town", progress=False)
        import_s = time.perf_counter() - start
    return {
        "rows": rows,
        "added": len(result.of_kind("added")),
        "dry_run_s": dry_s,
        "import_s": import_s,
        "previewed": len(preview.changes),
    }


def synthetic_knowledge(base: Knowledge, n: int) -> Knowledge:
    """``n`` items cloned from the real ones, each with its own vocabulary."""
    originals = list(base.items.values())
    items = {}
    for k in range(n):
        item = originals[k % len(originals)]
        if k < len(originals):
            clone = item
        else:
            clone = dataclasses.replace(
                item,
                code=f"{item.code}-{k}",
                name=f"{item.name}（子项{k}）",
                aliases=tuple(f"{a}{k}" for a in item.aliases[:5]),
                keywords=tuple(f"{w}{k}" for w in item.keywords[:5]),
            )
        items[clone.code] = clone
    return dataclasses.replace(base, items=items, version=f"{base.version}-synthetic-{n}")


def engine_timing(base: Knowledge, questions: list[str], scales: tuple[int, ...] = SCALES) -> dict[str, Any]:
    """Index build, matcher and verdict engine per question, at each scale."""
    out = {}
    unit = next(u for u in base.units if u.full_name == "天河区石牌街道")
    sample = questions[:200]
    for n in scales:
        knowledge = synthetic_knowledge(base, n)
        start = time.perf_counter()
        # Passage embeddings of synthetic items are not computed: the learned signal is timed
        # on the real list (embedding the question dominates, not the items).
        index = MatterIndex(knowledge, embeddings=n <= len(base.items))
        index_s = time.perf_counter() - start
        index.match(sample[0])  # warm up
        start, cpu = time.perf_counter(), time.process_time()
        matches, each = [], []
        for q in tqdm(sample, desc=f"匹配器 {n} 项", unit="问"):
            began = time.perf_counter()
            matches.append(index.match(q))
            each.append(1000 * (time.perf_counter() - began))
        match_ms = 1000 * (time.perf_counter() - start) / len(sample)
        match_cpu_ms = 1000 * (time.process_time() - cpu) / len(sample)
        each.sort()
        items = [m.candidates[0].item for m in matches if m.candidates] or list(knowledge.items.values())[:1]
        start = time.perf_counter()
        for _ in range(10):
            for item in items:
                decide(knowledge, unit, item)
        verdict_us = 1e6 * (time.perf_counter() - start) / (10 * len(items))
        out[str(n)] = {
            "items": n,
            "index_build_s": index_s,
            "match_ms_per_query": match_ms,
            "match_cpu_ms_per_query": match_cpu_ms,  # wall time counts other processes on a shared machine
            "match_p95_ms": each[int(0.95 * (len(each) - 1))],
            "embeddings": index.semantic is not None,
            "verdict_us_per_query": verdict_us,
        }
    return out


def scale_bench(base: Knowledge, questions: list[str]) -> dict[str, Any]:
    """What ``make bench`` reports for scale: the import, then the engine at each scale."""
    print(f"导入 {IMPORT_ROWS:,} 行清单…")
    return {"import": import_timing(), "engine": engine_timing(base, questions), "targets": TARGETS}


def scale_markdown(scale: dict[str, Any]) -> list[str]:
    """Table rows for reports/bench.md."""
    imp, t = scale["import"], scale["targets"]
    lines = [
        f"| 导入 {imp['rows']:,} 行清单（预览 / 导入并构建） | {imp['dry_run_s']:.1f} s / {imp['import_s']:.1f} s "
        f"| 导入 ≤ {t['import_s']:.0f} s |"
    ]
    for n, e in scale["engine"].items():
        target = t.get(f"match_ms_{n}")
        build_target = t.get(f"index_build_s_{n}")
        lines.append(
            f"| {int(n):,} 个事项：匹配 / 判定 每问（建索引） | {e['match_ms_per_query']:.2f} ms / "
            f"{e['verdict_us_per_query']:.1f} µs（CPU {e.get('match_cpu_ms_per_query', 0):.2f} ms，"
            f"p95 {e.get('match_p95_ms', 0):.1f} ms，{'含语义向量' if e.get('embeddings') else '仅词法'}；"
            f"建索引 {e['index_build_s']:.1f} s） | "
            + (f"匹配 ≤ {target:.0f} ms" if target else "")
            + (f"，建索引 ≤ {build_target:.0f} s" if build_target else "")
            + " |"
        )
    return lines
