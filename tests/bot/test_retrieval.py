"""Candidate retrieval in front of the matcher: exact for small knowledge bases, the best
candidates (ties by code) for large ones, and the same answers at 10,000 items."""

from __future__ import annotations

import random

from bot.evaluation.bench_scale import synthetic_knowledge
from bot.matching import MatterIndex
from bot.retrieval import TermPostings


def _naive(postings: dict[str, list[int]], weights: dict[str, float]) -> dict[int, list[str]]:
    shared: dict[int, list[str]] = {}
    for term in weights:
        for index in postings.get(term, ()):
            shared.setdefault(index, []).append(term)
    return shared


def _postings(n: int, seed: int) -> tuple[dict[str, list[int]], list[str]]:
    rng = random.Random(seed)
    vocabulary = [f"t{i}" for i in range(40)]
    postings: dict[str, list[int]] = {}
    for index in range(n):
        for term in rng.sample(vocabulary, 6):
            postings.setdefault(term, []).append(index)
    codes = [f"c{rng.randrange(10**6):06d}-{i}" for i in range(n)]
    return postings, codes


def test_with_few_items_every_item_sharing_a_term_comes_back_with_its_terms_in_question_order():
    postings, codes = _postings(40, seed=1)
    weights = {"t3": 2.0, "t1": 1.0, "t7": 0.5, "unknown": 9.0}
    assert TermPostings(postings, codes, limit=1000).shared(weights) == _naive(postings, weights)


def test_with_many_items_the_best_by_weighted_share_come_back_ties_broken_by_code():
    postings, codes = _postings(3000, seed=2)
    weights = {"t3": 2.0, "t1": 1.0, "t7": 1.0, "t9": 0.5}
    naive = _naive(postings, weights)
    expected = sorted(naive, key=lambda i: (-sum(weights[t] for t in naive[i]), codes[i]))[:50]
    got = TermPostings(postings, codes, limit=50).shared(weights)
    assert sorted(got) == sorted(expected)
    assert all(got[i] == naive[i] for i in got)


def test_the_matcher_answers_the_same_at_ten_thousand_items(knowledge):
    questions = ["石牌街道能不能处罚占道经营", "宅基地审批归谁", "油烟超标由谁处罚", "违法建设能拆吗", "采矿许可证"]
    # Lexical only: embedding 10,000 synthetic passages would take minutes (bench_scale does the same).
    small = MatterIndex(knowledge, embeddings=False)
    large = MatterIndex(synthetic_knowledge(knowledge, 10_000), embeddings=False)
    for question in questions:
        expected = [c.item.code for c in small.match(question).candidates]
        # The clones of an item are named (子项N): they may join the options, never replace the original.
        got = [c.item.code for c in large.match(question).candidates]
        assert got[:1] == expected[:1], question
