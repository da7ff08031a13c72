"""The evaluation counts confidently wrong answers apart from honest clarifications and unknowns."""

from __future__ import annotations

from bot.evaluation.cases import Case, check, exact_name_cases, outcome
from bot.evaluation.qa import CaseResult, accuracy_by_group

EXPECT = {"type": "power_answer", "verdict": "yes", "unit": "白云区江高镇", "item": "zhandao_jingying"}


def _answer(item: str | None, verdict: str = "yes") -> dict:
    return {
        "type": "power_answer",
        "verdict": verdict,
        "unit": {"name": "白云区江高镇"},
        "item": {"code": item} if item else None,
        "legal_basis": [],
    }


def _outcome(payload: dict | None, expect: dict = EXPECT) -> str:
    return outcome(expect, payload, check(expect, payload, []))


def test_another_item_or_verdict_is_wrong_but_a_clarification_or_unknown_is_not():
    assert _outcome(_answer("zhandao_jingying")) == "right"
    assert _outcome(_answer("shenghuo_laji")) == "wrong"
    assert _outcome(_answer("zhandao_jingying", "no")) == "wrong"
    assert _outcome({"type": "clarify", "need": "matter", "options": []}) == "clarified"
    assert _outcome(_answer(None, "unknown")) == "unknown"
    assert _outcome(None) == "other"


def test_a_confident_item_answer_where_unknown_was_expected_is_wrong():
    expect = {"type": "power_answer", "verdict": "unknown"}
    assert _outcome(_answer("zhandao_jingying"), expect) == "wrong"
    assert _outcome(_answer(None, "unknown"), expect) == "right"


def test_group_rates_add_up_and_show_the_wrong_share():
    cases = [Case(f"c{i}", "g", ({"text": "x"},), EXPECT) for i in range(4)]
    results = [
        CaseResult(cases[0], True, (), None, "", "right"),
        CaseResult(cases[1], False, ("item",), None, "", "wrong"),
        CaseResult(cases[2], False, ("clarify",), None, "", "clarified"),
        CaseResult(cases[3], False, ("unknown",), None, "", "unknown"),
    ]
    row = accuracy_by_group(results)["g"]
    assert row["accuracy"] == 0.25 and row["wrong"] == 0.25 and row["clarified"] == 0.25
    assert sum(row[k] for k in ("right", "clarified", "unknown", "wrong", "other")) == 1.0


def test_exact_name_group_asks_every_item_for_one_unit_of_each_kind(knowledge):
    cases = exact_name_cases(knowledge)
    full = [c for c in cases if c.id.endswith("-full")]
    assert len(full) == 3 * len(knowledge.items)
    kinds = {c.id.split("-")[-2] for c in full}
    assert kinds == {"town", "central_street", "noncentral_street"}
    sample = next(c for c in full if c.expect["item"] == "zhandao_jingying" and c.id.endswith("-town-full"))
    assert knowledge.items["zhandao_jingying"].name in sample.question
    # The expected verdict is the list's rule for that unit, not a constant.
    assert {c.expect["verdict"] for c in full} >= {"yes", "no"}
    trimmed = [c for c in cases if c.id.endswith("-trim")]
    assert trimmed and all("的处罚" not in c.question for c in trimmed)
