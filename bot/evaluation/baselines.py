"""What staff would otherwise use: a list portal's search box, and BM25."""

from __future__ import annotations

import jieba
from rank_bm25 import BM25Okapi

from bot.kb.types import ItemInfo, Knowledge


class KeywordSearch:
    """The item whose name contains the most characters of the question."""

    def __init__(self, knowledge: Knowledge):
        self.items = list(knowledge.items.values())

    def rank(self, question: str) -> list[ItemInfo]:
        chars = set(question)
        scored = [(sum(1 for c in chars if c in item.name), item) for item in self.items]
        scored = [s for s in scored if s[0] > 0]
        scored.sort(key=lambda s: (-s[0], s[1].code))
        return [item for _, item in scored]


class BM25Search:
    """BM25 over jieba tokens of item names, aliases and cited legal text."""

    def __init__(self, knowledge: Knowledge):
        self.items = list(knowledge.items.values())
        self.tokenizer = jieba.Tokenizer()
        corpus = []
        for item in self.items:
            text = " ".join([item.name, *item.aliases, *(ref.text or "" for ref in item.references)])
            corpus.append(self._tokens(text))
        self.bm25 = BM25Okapi(corpus)

    def _tokens(self, text: str) -> list[str]:
        return [t for t in self.tokenizer.lcut(text) if t.strip() and len(t) >= 1 and not t.isspace()]

    def rank(self, question: str) -> list[ItemInfo]:
        scores = self.bm25.get_scores(self._tokens(question))
        order = sorted(range(len(self.items)), key=lambda i: (-scores[i], self.items[i].code))
        return [self.items[i] for i in order if scores[i] > 0]
