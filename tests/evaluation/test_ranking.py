"""The matcher beside the baselines a user would otherwise have, on the real knowledge base
(bot/evaluation/baselines.py and the ranking of bot/evaluation/qa.py); no servers."""

from __future__ import annotations

import json

import pytest

from bot.config import PROJECT_ROOT
from bot.evaluation.baselines import BM25Search, KeywordSearch
from bot.evaluation.cases import Case, load_cases
from bot.evaluation.qa import CaseResult, accuracy_by_group, ranking
from bot.evaluation.report import TARGETS
from bot.kb.types import Knowledge

BASELINE = PROJECT_ROOT / "reports" / "baseline" / "eval.json"


@pytest.fixture(scope="module")
def ranked(knowledge: Knowledge) -> dict[str, dict]:
    return ranking(knowledge, load_cases())


def test_keyword_search_counts_shared_characters_of_the_name(knowledge: Knowledge):
    search = KeywordSearch(knowledge)
    found = search.rank("占道经营")
    assert "zhandao_jingying" in [item.code for item in found[:3]]
    assert all(set("占道经营") & set(item.name) for item in found)
    assert search.rank("") == []


def test_bm25_finds_an_item_by_the_words_staff_use(knowledge: Knowledge):
    search = BM25Search(knowledge)
    assert search.rank("马路边摆摊卖水果，街道管不管")[0].code == "zhandao_jingying"  # 摆摊: an alias
    assert search.rank("火星殖民") == []  # no word in common: nothing, not a guess


def test_only_single_turn_questions_with_a_known_item_are_ranked(knowledge: Knowledge):
    def case(case_id: str, group: str, *texts: str, item: str | None = "zhandao_jingying") -> Case:
        return Case(case_id, group, tuple({"text": t} for t in texts), {"type": "power_answer", "item": item})

    cases = [
        case("r-1", "colloquial", "天河区石牌街道有人在路边摆摊，我们能罚吗"),
        case("r-2", "colloquial", "我们是石牌街道", "有人在路边摆摊，能罚吗"),  # two turns
        case("r-3", "followup", "天河区石牌街道能处罚占道经营吗"),  # not a ranking group
        case("r-4", "unknown", "天河区石牌街道能处罚占道经营吗", item=None),
    ]
    result = ranking(knowledge, cases)
    assert set(result) == {"matcher", "keyword", "bm25"}
    for figures in result.values():
        assert figures["n"] == 1 and set(figures["groups"]) == {"colloquial"}
    assert result["matcher"]["top1"] == 1.0  # the unit's name is taken out before matching


def test_the_matcher_keeps_its_lead_over_the_baselines(ranked: dict[str, dict]):
    colloquial = {name: r["groups"]["colloquial"]["top1"] for name, r in ranked.items()}
    best_baseline = max(v for k, v in colloquial.items() if k != "matcher")
    assert 100 * (colloquial["matcher"] - best_baseline) >= TARGETS["colloquial_lead_points"]


def test_ranking_is_not_worse_than_the_committed_baseline(ranked: dict[str, dict]):
    """The evaluation's item ranking, without the servers: a regression of the matcher shows here first."""
    before = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert ranked["matcher"]["n"] == before["matcher"]["n"]
    for group, figures in before["matcher"]["groups"].items():
        now = ranked["matcher"]["groups"][group]
        assert now["top1"] >= figures["top1"] and now["top3"] >= figures["top3"], group


def test_accuracy_by_group():
    def result(group: str, ok: bool) -> CaseResult:
        outcome = "right" if ok else "wrong"
        return CaseResult(Case(f"{group}-{ok}", group, ({"text": "问"},), {}), ok, (), None, "", outcome)

    results = [result("clean", True), result("noisy", False), result("clean", False), result("clean", True)]
    shares = dict.fromkeys(("clarified", "unknown", "other"), 0.0)
    assert accuracy_by_group(results) == {
        "clean": {"accuracy": 2 / 3, "n": 3, "right": 2 / 3, "wrong": 1 / 3, **shares},
        "noisy": {"accuracy": 0.0, "n": 1, "right": 0.0, "wrong": 1.0, **shares},
    }
