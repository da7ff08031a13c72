"""The evaluation report written from a results dict, compared with a baseline (bot/evaluation/report.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.evaluation.report import load_baseline, write_eval


def ranker(top1: float, top3: float, colloquial: float) -> dict[str, Any]:
    return {"top1": top1, "top3": top3, "n": 4, "groups": {"colloquial": {"top1": colloquial, "top3": top3, "n": 2}}}


RESULT: dict[str, Any] = {
    "kb_version": "20260101.000000-abc",
    "n_questions": 4,
    "overall_accuracy": 0.75,
    "groups": {"clean": {"accuracy": 1.0, "n": 2}, "followup": {"accuracy": 0.5, "n": 2}},
    "matcher": ranker(0.75, 1.0, 0.5),
    "baselines": {"keyword": ranker(0.25, 0.5, 0.0), "bm25": ranker(0.5, 0.75, 0.25)},
    "colloquial_lead_points": 25.0,
    "failures": [
        {
            "id": "h-009",
            "group": "followup",
            "question": "那宅基地呢",
            "expect": {"type": "power_answer", "verdict": "yes", "item": "zhaijidi", "held_by": None},
            "problems": ["verdict: 期望 'yes'，实际 'no'", "item: 期望 'zhaijidi'，实际 None"],
            "answer": "不可以。",
        }
    ],
}
BASELINE = {"overall_accuracy": 0.5, "groups": {"clean": {"accuracy": 0.9, "n": 2}}}


def test_report_against_a_baseline(tmp_path: Path):
    write_eval(tmp_path, RESULT, BASELINE)
    assert json.loads((tmp_path / "eval.json").read_text(encoding="utf-8")) == RESULT
    lines = (tmp_path / "eval.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# 评测报告 (make eval)"
    assert lines[2] == "- 知识库版本：`20260101.000000-abc`；问题数：4；总体准确率：**75.0%**（基线 50.0%，+25.0 点）"
    # Per group: figure, baseline, change, and the target where the project set one.
    assert "| clean | 2 | 100.0% | — | — | **—** | — | 90.0% | +10.0 | ≥ 98.0% |" in lines
    assert "| followup | 2 | 50.0% | — | — | **—** | — | — |  |  |" in lines
    assert "| matcher | 75.0% | 100.0% | 50.0% | 4 |" in lines
    assert "| keyword | 25.0% | 50.0% | 0.0% | 4 |" in lines
    assert "| bm25 | 50.0% | 75.0% | 25.0% | 4 |" in lines
    assert "口语化问题上匹配器 top-1 领先最强基线 **25.0 点**（目标 ≥ 20 点）。" in lines
    assert "## 错误明细（1 条）" in lines
    assert "错误类型：verdict × 1；item × 1" in lines
    assert (
        "| h-009 | followup |  | 那宅基地呢 | power_answer verdict=yes item=zhaijidi | "
        "verdict: 期望 'yes'，实际 'no'；item: 期望 'zhaijidi'，实际 None |"
    ) in lines
    assert not any(line.startswith("## NLU") for line in lines)  # no cross-validation in this run


def test_report_without_baseline_with_nlu(tmp_path: Path):
    nlu = {
        "folds": 5,
        "intent": {"macro_precision": 0.981, "macro_recall": 0.972, "macro_f1": 0.976},
        "entities": {"DIETClassifier": {"macro_precision": 0.9, "macro_recall": 0.8, "macro_f1": 0.847}},
        "intent_per_class": {"ask_power": {"f1": 0.99, "support": 120}, "greet": {"f1": 0.95, "support": 20}},
    }
    write_eval(tmp_path / "reports", dict(RESULT, nlu=nlu, failures=[]), None)
    lines = (tmp_path / "reports" / "eval.md").read_text(encoding="utf-8").splitlines()
    assert lines[2].endswith("总体准确率：**75.0%**")  # nothing to compare with
    assert "| clean | 2 | 100.0% | — | — | **—** | — | — |  | ≥ 98.0% |" in lines
    assert "## NLU（5 折交叉验证）" in lines
    assert "- 意图：macro P 0.981 / R 0.972 / F1 **0.976**（目标 ≥ 0.97）" in lines
    assert "- 实体（DIETClassifier）：macro P 0.900 / R 0.800 / F1 0.847" in lines
    assert lines.index("| ask_power | 0.990 | 120 |") < lines.index("| greet | 0.950 | 20 |")
    assert "## 错误明细（0 条）" in lines and not any(line.startswith("错误类型") for line in lines)


def test_a_missing_or_broken_baseline_is_no_baseline(tmp_path: Path):
    assert load_baseline(tmp_path / "eval.json") is None
    (tmp_path / "eval.json").write_text("{half", encoding="utf-8")
    assert load_baseline(tmp_path / "eval.json") is None
    (tmp_path / "eval.json").write_text(json.dumps(BASELINE), encoding="utf-8")
    assert load_baseline(tmp_path / "eval.json") == BASELINE
