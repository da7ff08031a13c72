"""The evaluation set and how an answer is judged against it (bot/evaluation/cases.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation.cases import Case, check, load_cases
from bot.kb.types import Knowledge

GROUPS = {"clean", "colloquial", "noisy", "who", "basis", "followup", "context", "metadata", "clarify", "unknown",
          "structural"}  # fmt: skip
VERDICTS = {"yes", "no", "assist", "unknown"}
QUESTIONS = {"can", "who", "basis"}


def test_the_evaluation_set_only_expects_what_the_knowledge_base_holds(knowledge: Knowledge):
    """A case naming a unit, item or law the knowledge base lacks could never be answered right."""
    cases = load_cases()
    assert len(cases) >= 600
    assert len({c.id for c in cases}) == len(cases), "duplicate case ids"
    units = {u.full_name for u in knowledge.units}
    for case in cases:
        assert case.group in GROUPS, case.id
        assert case.turns and all(isinstance(t["text"], str) for t in case.turns), case.id
        expect = case.expect
        if expect["type"] == "structural":
            assert expect["must_contain"], case.id
        elif expect["type"] == "clarify":
            assert expect["need"] in {"unit", "matter"}, case.id
        else:
            assert expect["type"] == "power_answer", case.id
            assert expect["verdict"] in VERDICTS and expect["question"] in QUESTIONS, case.id
            assert expect["unit"] in units, f"{case.id}: unknown unit {expect['unit']}"
            if expect["item"]:
                item = knowledge.items.get(expect["item"])
                assert item is not None, f"{case.id}: unknown item {expect['item']}"
                if expect["law"]:
                    assert expect["law"] in {ref.law for ref in item.references}, case.id


def test_blank_lines_are_skipped_and_a_broken_line_is_named(tmp_path: Path):
    path = tmp_path / "cases.jsonl"
    raw = {"id": "a-1", "group": "clean", "turns": [{"text": "江高镇能批宅基地吗"}], "expect": {"type": "power_answer"}}
    good = json.dumps(raw, ensure_ascii=False)
    path.write_text(f"{good}\n\n{good.replace('a-1', 'a-2')}\n", encoding="utf-8")
    cases = load_cases(path)
    assert [c.id for c in cases] == ["a-1", "a-2"]
    assert cases[0].question == "江高镇能批宅基地吗" and cases[0].single_turn

    path.write_text(f"{good}\n\n" + '{"id": "a-3", "group": "clean", "turns": []}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"cases\.jsonl:3: 'expect'"):
        load_cases(path)
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"cases\.jsonl:1: "):
        load_cases(path)


def test_the_question_is_the_last_turn():
    case = Case("c-1", "followup", ({"text": "我们是江高镇"}, {"text": "能批宅基地吗"}), {"type": "power_answer"})
    assert case.question == "能批宅基地吗" and not case.single_turn


EXPECT = {
    "type": "power_answer",
    "question": "can",
    "verdict": "yes",
    "unit": "天河区石牌街道",
    "item": "zhandao_jingying",
    "handled_by": "综合行政执法办公室",
    "held_by": None,
    "law": "城市道路管理条例",
}
PAYLOAD = {
    "type": "power_answer",
    "question": "can",
    "verdict": "yes",
    "unit": {"name": "天河区石牌街道"},
    "item": {"code": "zhandao_jingying"},
    "handled_by": "综合行政执法办公室",
    "held_by": None,
    "legal_basis": [{"law": "城市道路管理条例"}, {"law": "广州市市容环境卫生管理规定"}],
}


def test_a_right_answer_has_no_problems():
    assert check(EXPECT, PAYLOAD, ["可以。……"]) == []


def test_every_wrong_field_is_named_with_expected_and_actual():
    wrong = dict(PAYLOAD, verdict="no", handled_by=None, held_by="区城管局", legal_basis=[{"law": "城乡规划法"}])
    assert check(EXPECT, wrong, ["不可以。"]) == [
        "verdict: 期望 'yes'，实际 'no'",
        "handled_by: 期望 '综合行政执法办公室'，实际 None",
        "held_by: 期望 None，实际 '区城管局'",
        "law: 期望 '城市道路管理条例'，实际 '城乡规划法'",
    ]
    assert check(EXPECT, dict(PAYLOAD, legal_basis=[]), []) == ["law: 期望 '城市道路管理条例'，实际 None"]
    # Only the keys a case states are judged.
    assert check({"type": "power_answer", "verdict": "yes"}, dict(PAYLOAD, item=None, unit=None), []) == []


def test_missing_or_other_kinds_of_answer():
    assert check(EXPECT, None, ["您好！"]) == ["没有结构化回答"]
    assert check(EXPECT, {"type": "clarify", "need": "unit"}, []) == ["应回答，实际 clarify unit"]
    clarify = {"type": "clarify", "need": "unit"}
    assert check(clarify, {"type": "clarify", "need": "unit"}, []) == []
    assert check(clarify, {"type": "clarify", "need": "matter"}, []) == ["应追问 unit，实际 clarify/matter"]
    assert check(clarify, PAYLOAD, []) == ["应追问 unit，实际 power_answer/yes"]


def test_structural_answers_are_judged_on_their_text():
    expect = {"type": "structural", "topic": "list_powers", "must_contain": ["占道经营", "宅基地"]}
    assert check(expect, None, ["本街道的权力：", "占道经营、宅基地审批"]) == []
    assert check(expect, None, ["本街道的权力：占道经营"]) == ["回答中缺少“宅基地”"]
