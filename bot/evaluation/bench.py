"""Benchmarks: REST latency and throughput beside a bare Rasa (bench_anchor), latency along one long
conversation, memory by distinct senders, training and build time, matter resolution, and the
import and matcher scale in :mod:`bot.evaluation.bench_scale`. Load and report: bench_load, bench_report."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot import servers
from bot.config import KNOWLEDGE_DIR, PROJECT_ROOT, settings
from bot.evaluation import bench_anchor
from bot.evaluation.bench_load import load, long_conversation, peak_rss_mb, percentiles, senders_memory, side_by_side
from bot.evaluation.bench_report import markdown, plots
from bot.evaluation.bench_scale import scale_bench
from bot.evaluation.cases import load_cases
from bot.kb.build import build
from bot.kb.provider import default_provider
from bot.kb.types import Knowledge
from bot.matching import MatterIndex

SEQUENTIAL = 500
CONCURRENCY = (10, 50)
SENDERS = (100, 10_000)  # memory after this many distinct senders
SENDER_MESSAGE = "你好"  # one short message each: affordable on 2 cores
TARGETS = {
    "p50_ms": 60,
    "p95_ms": 150,
    "throughput_per_s": 25,
    "train_s": 300,
    "long_ratio": 1.1,  # turn 200 over turn 1
    "anchor_p50_ratio": 1.2,  # ours over the bare-Rasa anchor
    "anchor_throughput_ratio": 0.9,
    "senders_memory_ratio": 1.2,  # after 10,000 senders over after 100
}


def _questions() -> list[str]:
    return [
        c.question
        for c in load_cases()
        if c.single_turn and c.group in ("clean", "colloquial", "noisy", "who", "basis")
    ]


def _train_seconds() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).parent / "rasa"),
                "train",
                "--data",
                "data",
                str(settings().build_dir / "nlu"),
                "--config",
                "config.yml",
                "--domain",
                "domain.yml",
                "--out",
                tmp,
                "--force",
            ],
            cwd=PROJECT_ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        return time.perf_counter() - start


def _kb_build_seconds() -> float:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/kb.sqlite3"
        for _ in range(3):
            start = time.perf_counter()
            build(KNOWLEDGE_DIR, url, force=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def matter_resolution(knowledge: Knowledge) -> dict[str, Any]:
    """How long bot.matching takes to resolve the matter of each evaluation question (issue 12)."""
    index = MatterIndex(knowledge)
    questions = [c.question for c in load_cases()]
    times = []
    for q in questions:
        start = time.perf_counter()
        index.match(q)
        times.append(1000 * (time.perf_counter() - start))
    return {"questions": len(questions), "ms": percentiles(times)}


def run_bench(out_dir: Path, action_port: int, rasa_port: int, skip_train: bool = False) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    questions = _questions()
    result: dict[str, Any] = {"machine": {"cpus": _cpus()}}
    print("知识库构建时间…")
    result["kb_build_s"] = _kb_build_seconds()
    if not skip_train:
        print("训练时间（完整重新训练，约 1-2 分钟）…")
        result["train_s"] = _train_seconds()
    else:
        result["train_s"] = None
    model = PROJECT_ROOT / "models" / "current.tar.gz"
    result["model_mb"] = model.stat().st_size / 1e6 if model.exists() else None
    with _beside_anchor(action_port, rasa_port, questions) as (running, urls, _anchor_pids):
        sequential = side_by_side(urls, questions, 1, SEQUENTIAL, 5, f"顺序 {SEQUENTIAL} 问（本项目与空白 Rasa 交替）")
        ten = side_by_side(urls, questions, 10, SEQUENTIAL, 2, "10 个并发对话（本项目与空白 Rasa 交替）")
        loads = {"10": ten["ours"], "50": load(running.rasa_url, questions, 50, SEQUENTIAL, "50 个并发对话")}
        result["long_conversation"] = long_conversation(running.rasa_url)
        action_pid, rasa_pid = (p.pid for p in running.processes)
        result["rss_mb"] = {"action_server": peak_rss_mb(action_pid), "rasa_server": peak_rss_mb(rasa_pid)}
    result["anchor"] = _anchor_ratios(sequential, ten)
    # Memory by distinct senders: a fresh pair of servers, so that the peaks are the senders' alone.
    with tempfile.TemporaryDirectory() as store, _ours(action_port, rasa_port, Path(store)) as running:
        load(running.rasa_url, questions, 1, 20, "预热")
        action_pid, rasa_pid = (p.pid for p in running.processes)
        pids = {"action_server": action_pid, "rasa_server": rasa_pid}
        result["senders_memory"] = senders_memory(running.rasa_url, pids, SENDERS, 20, SENDER_MESSAGE)
    ours = sequential["ours"]
    result["latency_ms"] = ours["latency_ms"]
    result["throughput_per_s"] = ours["throughput_per_s"]
    result["concurrent"] = {k: {kk: vv for kk, vv in v.items() if kk != "_raw"} for k, v in loads.items()}
    knowledge = default_provider().get()
    result["matter_resolution"] = matter_resolution(knowledge)
    scale = scale_bench(knowledge, questions)  # import of 10,000 rows, matcher at 200 / 10k / 100k items
    result["engine"], result["scale"] = scale["engine"], scale
    result["targets"] = TARGETS
    plots(out_dir, ours, loads, result["engine"])
    (out_dir / "bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "bench.md").write_text(markdown(result), encoding="utf-8")
    return result


def anchor_only(out_dir: Path, action_port: int, rasa_port: int, total: int = SEQUENTIAL) -> dict[str, Any]:
    """Only ours beside the bare-Rasa anchor (sequential and 10 concurrent) and one long conversation:
    the ratios of issue 14 in a few minutes, for profiling (``bench --only anchor``)."""
    questions = _questions()
    with _beside_anchor(action_port, rasa_port, questions) as (running, urls, anchor_pids):
        print(
            f"进程号（可用 py-spy 分析）：本项目 {[p.pid for p in running.processes]}，空白 Rasa {anchor_pids}",
            flush=True,
        )
        sequential = side_by_side(urls, questions, 1, total, 5, f"顺序 {total} 问（本项目与空白 Rasa 交替）")
        ten = side_by_side(urls, questions, 10, total, 2, "10 个并发对话（本项目与空白 Rasa 交替）")
        result = {"anchor": _anchor_ratios(sequential, ten), "long_conversation": long_conversation(running.rasa_url)}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench-anchor.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result


@contextmanager
def _beside_anchor(
    action_port: int, rasa_port: int, questions: list[str]
) -> Iterator[tuple[servers.Servers, dict[str, str], Any]]:
    """Our servers and the bare-Rasa anchor, both warmed up: (ours, {"ours"/"anchor": URL}, anchor pids)."""
    anchor_model = bench_anchor.prepare()
    with (
        tempfile.TemporaryDirectory() as store,
        _ours(action_port, rasa_port, Path(store)) as running,
        bench_anchor.running(anchor_model, Path(store) / "anchor.log") as (anchor_url, anchor_pids),
    ):
        urls = {"ours": running.rasa_url, "anchor": anchor_url}
        for url in urls.values():
            load(url, questions, 1, 20, "预热")
        yield running, urls, anchor_pids


def _ours(action_port: int, rasa_port: int, store: Path) -> servers.Servers:
    """Our servers on a fresh conversation store (the default kind, SQLite), so runs do not pile up in build/."""
    return servers.start(
        action_port,
        rasa_port,
        log=subprocess.DEVNULL,
        env={"TRACKER_STORE_URL": f"sqlite:///{store / 'tracker.sqlite3'}"},
    )


def _anchor_ratios(sequential: dict[str, Any], ten: dict[str, Any]) -> dict[str, Any]:
    def brief(run: dict[str, Any]) -> dict[str, float]:
        return {"p50_ms": run["latency_ms"]["p50"], "throughput_per_s": run["throughput_per_s"]}

    return {
        "sequential": {name: brief(run) for name, run in sequential.items()},
        "concurrent_10": {name: brief(run) for name, run in ten.items()},
        "p50_ratio": sequential["ours"]["latency_ms"]["p50"] / sequential["anchor"]["latency_ms"]["p50"],
        "throughput_10_ratio": ten["ours"]["throughput_per_s"] / ten["anchor"]["throughput_per_s"],
    }


def _cpus() -> int:
    import os

    return os.cpu_count() or 0
