"""Write the evaluation report (markdown + JSON), compared with the committed baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TARGETS = {
    "clean": 0.98,
    "colloquial": 0.85,
    "noisy": 0.95,
    "exact_name": 1.0,
    "intent_macro_f1": 0.97,
    "colloquial_lead_points": 20,
}


def load_baseline(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _delta(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    d = 100 * (now - before)
    return f"{d:+.1f}"


def write_eval(out_dir: Path, result: dict[str, Any], baseline: dict[str, Any] | None) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "eval.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    b = baseline or {}
    lines = [
        "# 评测报告 (make eval)",
        "",
        f"- 知识库版本：`{result.get('kb_version')}`；问题数：{result['n_questions']}；"
        f"总体准确率：**{_pct(result['overall_accuracy'])}**"
        + (
            f"（基线 {_pct(b.get('overall_accuracy'))}，"
            f"{_delta(result['overall_accuracy'], b.get('overall_accuracy'))} 点）"
            if b
            else ""
        ),
        "- 准确 = 最后一轮的结构化回答与期望一致：结论、镇街、事项、承办机构、实施主体、"
        "首个法律依据（追问类还看问题类型）。",
        f"- **答错率**（对别的事项或以别的结论作出肯定回答）：**{_pct(result.get('wrong_rate'))}**（目标：每组 ≤ 1%）。"
        "追问和“未找到”是诚实的回答，单独计数。",
        "",
        "## 分组准确率",
        "",
        "| 组 | 题数 | 准确 | 追问 | 未找到 | **答错** | 其他 | 基线 | 变化 | 目标 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for group, g in result["groups"].items():
        before = (b.get("groups") or {}).get(group, {}).get("accuracy")
        target = TARGETS.get(group)
        lines.append(
            f"| {group} | {g['n']} | {_pct(g['accuracy'])} | {_pct(g.get('clarified'))} | {_pct(g.get('unknown'))} | "
            f"**{_pct(g.get('wrong'))}** | {_pct(g.get('other'))} | {_pct(before)} | {_delta(g['accuracy'], before)} | "
            f"{'≥ ' + _pct(target) if target else ''} |"
        )
    for split, groups in (result.get("splits") or {}).items():
        title = "开发集（阈值和权重在此选定）" if split == "dev" else "留出集（从不用于调参）"
        lines += ["", f"### {title}：{split}", "", "| 组 | 题数 | 准确 | 追问 | 未找到 | **答错** |"]
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
        for group, g in groups.items():
            lines.append(
                f"| {group} | {g['n']} | {_pct(g['accuracy'])} | {_pct(g.get('clarified'))} | "
                f"{_pct(g.get('unknown'))} | **{_pct(g.get('wrong'))}** |"
            )
    if result.get("splits"):
        lines += ["", "划分：按用例 id 的 SHA-256 前 32 位奇偶（`bot.evaluation.cases.split_of`），约各一半。"]
    lines += [
        "",
        "## 事项排序：助手的匹配器与基线（单轮、期望事项已知的问题）",
        "",
        "| 方法 | top-1 | top-3 | colloquial top-1 | n |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    rankers = {"matcher": result["matcher"], **result["baselines"]}
    for name, r in rankers.items():
        colloquial = (r.get("groups") or {}).get("colloquial", {}).get("top1")
        lines.append(f"| {name} | {_pct(r['top1'])} | {_pct(r['top3'])} | {_pct(colloquial)} | {r.get('n', '')} |")
    lead = result.get("colloquial_lead_points")
    if lead is not None:
        lines += [
            "",
            f"口语化问题上匹配器 top-1 领先最强基线 **{lead:.1f} 点**"
            f"（目标 ≥ {TARGETS['colloquial_lead_points']} 点）。",
        ]
    nlu = result.get("nlu")
    if nlu:
        lines += ["", f"## NLU（{nlu['folds']} 折交叉验证）", ""]
        intent = nlu.get("intent", {})
        lines.append(
            f"- 意图：macro P {intent.get('macro_precision', 0):.3f} / R {intent.get('macro_recall', 0):.3f} / "
            f"F1 **{intent.get('macro_f1', 0):.3f}**（目标 ≥ {TARGETS['intent_macro_f1']}）"
        )
        for name, e in (nlu.get("entities") or {}).items():
            lines.append(
                f"- 实体（{name}）：macro P {e['macro_precision']:.3f} / "
                f"R {e['macro_recall']:.3f} / F1 {e['macro_f1']:.3f}"
            )
        if nlu.get("confusion_matrix"):
            lines += ["", "![意图混淆矩阵](nlu/intent_confusion_matrix.png)"]
        per_class = nlu.get("intent_per_class") or {}
        if per_class:
            lines += ["", "| 意图 | F1 | 样例数 |", "| --- | ---: | ---: |"]
            lines += [f"| {k} | {v['f1']:.3f} | {v['support']} |" for k, v in sorted(per_class.items())]
    failures = result.get("failures", [])
    lines += ["", f"## 错误明细（{len(failures)} 条）", ""]
    by_kind: dict[str, int] = {}
    for f in failures:
        for p in f["problems"]:
            key = p.split(":")[0].split("，")[0]
            by_kind[key] = by_kind.get(key, 0) + 1
    if by_kind:
        lines.append("错误类型：" + "；".join(f"{k} × {v}" for k, v in sorted(by_kind.items(), key=lambda x: -x[1])))
        lines.append("")
    lines += ["| id | 组 | 结果 | 问题（最后一轮） | 期望 | 实际 / 差异 |", "| --- | --- | --- | --- | --- | --- |"]
    # Wrong answers first: they are the ones staff would act on.
    for f in sorted(failures, key=lambda f: f.get("outcome") != "wrong"):
        expect = f["expect"]
        summary = " ".join(f"{k}={v}" for k, v in expect.items() if k != "type" and v is not None)
        lines.append(
            f"| {f['id']} | {f['group']} | {f.get('outcome', '')} | {f['question']} | {expect.get('type')} {summary} | "
            f"{'；'.join(f['problems'])} |"
        )
    (out_dir / "eval.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
