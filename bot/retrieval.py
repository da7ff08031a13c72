"""Candidate retrieval for the matcher: which items share enough of a question's terms to be scored.

The matcher (:mod:`bot.matching`) scores an item by the weighted share of the question's terms
(jieba words and character bigrams) its vocabulary explains. With 100,000 items a common bigram
such as 处罚 is shared by tens of thousands of them, and scoring each one in Python took ~400 ms a
question. Here the terms' postings are numpy arrays: the weighted share is summed for every item
in a few vectorised operations, and only the best ``limit`` items by it (ties broken by code, as
the final ranking breaks them) are handed back for full scoring.

When no more than ``limit`` items share any term — always, for a knowledge base of a few hundred
items — every one of them is handed back, so the ranking is exactly what scoring all of them
gives. Beyond that, an item outside the best ``limit`` by term share could only reach the top
through the matcher's small adjustments (question type, permission vs enforcement), never through
its aliases or situation words, which the matcher finds on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

import jieba
import numpy as np

RETRIEVE = 300  # items scored in full per question, at most (plus alias and keyword hits)
_BASE: list[jieba.Tokenizer] = []  # jieba's default dictionary, loaded once per process
_BASE_LOCK = threading.Lock()


def fresh_tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer on the default dictionary, to add an index's words to.

    Loading the dictionary takes 1–3 s; it is loaded once and copied (tens of milliseconds) for
    each index, so the copies cut exactly as freshly loaded tokenizers do.
    """
    with _BASE_LOCK:
        if not _BASE:
            base = jieba.Tokenizer()
            base.initialize()
            _BASE.append(base)
        base = _BASE[0]
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total = dict(base.FREQ), base.total
        tokenizer.initialized = True
    return tokenizer


class TermPostings:
    """Term -> the items whose vocabulary has it, for retrieving the best candidates of a question."""

    def __init__(self, postings: Mapping[str, Iterable[int]], codes: list[str], limit: int = RETRIEVE):
        self.size = len(codes)
        self.limit = limit
        self.arrays = {term: np.fromiter(items, dtype=np.int32) for term, items in postings.items()}
        # An item's position among all codes, so ties are broken as ``sorted(key=(-score, code))`` does.
        self.code_rank = np.empty(self.size, dtype=np.int64)
        self.code_rank[np.argsort(np.array(codes, dtype=object), kind="stable")] = np.arange(self.size)

    def shared(self, weights: Mapping[str, float]) -> dict[int, list[str]]:
        """The best candidates: item index -> the question's terms it shares, in ``weights`` order.

        Args:
            weights: the question's terms and their weights (terms no item has are ignored).
        """
        present = [t for t in weights if t in self.arrays]
        if not present:
            return {}
        lists = [self.arrays[t] for t in present]
        if sum(len(a) for a in lists) <= self.limit:
            return _gather(present, lists)
        sums = np.zeros(self.size)
        for term, items in zip(present, lists, strict=True):
            sums[items] += weights[term]  # each item once per term: postings hold no duplicates
        found = np.flatnonzero(sums)
        if len(found) > self.limit:
            kth = np.partition(sums[found], len(found) - self.limit)[len(found) - self.limit]
            found = found[sums[found] >= kth]
            if len(found) > self.limit:
                order = np.lexsort((self.code_rank[found], -sums[found]))
                found = found[order[: self.limit]]
        wanted = np.zeros(self.size, dtype=bool)
        wanted[found] = True
        kept = [items[wanted[items]] for items in lists]
        return _gather(present, kept)


def _gather(terms: list[str], lists: list[np.ndarray]) -> dict[int, list[str]]:
    shared: dict[int, list[str]] = {}
    for term, items in zip(terms, lists, strict=True):
        for index in items.tolist():
            shared.setdefault(index, []).append(term)
    return shared
