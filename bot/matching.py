"""Map what staff type to power items: names, aliases and free descriptions.

Three signals, computed over the item's name, aliases and situation keywords:

* alias hits — an alias written verbatim in the question (the strongest
  evidence; a longer alias beats a shorter one it contains);
* term coverage — the share of the question's informative terms (jieba words
  and character bigrams, weighted by inverse document frequency) that the
  item's vocabulary explains. Terms the knowledge base has never seen weigh
  the most, so a question about a matter the base does not hold (采矿许可证)
  stays below the threshold instead of landing on the nearest guess;
* situation keywords — words of a described situation (饭馆, 黑烟, 排风口);
  at least two distinct ones, weighted by how specific they are, must occur.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import jieba

from bot.kb.types import ItemInfo, Knowledge

ACCEPT = 0.55  # below this the matter is unknown
AMBIGUITY_MARGIN = 0.06  # candidates this close to the best are offered as options
MAX_OPTIONS = 4

# Words that frame a question but say nothing about the matter.
_QUESTION_WORDS = (
    "能不能", "可不可以", "可以不可以", "能否", "可否", "是不是", "有没有", "有无", "归不归", "管不管",
    "请问", "请教", "问一下", "问下", "咨询", "想问", "想知道", "告诉我", "帮我查", "查一下", "查查",
    "我们这里", "我们这边", "我们这", "我们", "咱们", "本单位", "本街道", "本镇", "街道", "镇里", "镇上",
    "辖区", "这个事情", "这个事", "这件事", "这种事", "这事", "这类", "这种", "那个", "这个",
    "由谁负责", "谁负责", "谁来管", "谁管", "归谁管", "归谁", "哪个部门", "哪个办公室", "哪个科室",
    "法律依据", "依据", "法规", "哪条", "哪一条", "第几条", "规定",
    "可以", "能够", "能", "会", "吗", "呢", "吧", "啊", "呀", "嘛", "么", "了", "的", "得", "是",
    "有权", "权力", "权限", "职权", "管", "负责", "办理", "处理", "要", "想", "怎么", "什么", "我",
)
_QUESTION_RE = re.compile("|".join(sorted(map(re.escape, _QUESTION_WORDS), key=len, reverse=True)))
_PUNCT_RE = re.compile(r"[\s\W_]+", re.UNICODE)
_PENALTY_RE = re.compile(r"处罚|罚款|罚|查处|执法|处理违法")
_LICENCE_RE = re.compile(r"审批|批准|许可|核发|报建|批")


@dataclass(frozen=True)
class Candidate:
    item: ItemInfo
    score: float
    evidence: str  # the alias or terms that matched


@dataclass(frozen=True)
class MatterMatch:
    """The outcome of matching: one item, several to choose from, or none."""

    candidates: tuple[Candidate, ...]  # best first, all above the threshold

    @property
    def item(self) -> ItemInfo | None:
        return self.candidates[0].item if len(self.candidates) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    @property
    def unknown(self) -> bool:
        return not self.candidates


class MatterIndex:
    def __init__(self, knowledge: Knowledge):
        self.items = list(knowledge.items.values())
        self.tokenizer = jieba.Tokenizer()
        self._lock = threading.Lock()
        with self._lock:
            self.tokenizer.initialize()
            for item in self.items:
                for alias in item.aliases:
                    self.tokenizer.add_word(alias, freq=2000)
        self.aliases: list[tuple[str, int]] = []
        self.item_terms: list[set[str]] = []
        df: dict[str, int] = {}
        for index, item in enumerate(self.items):
            terms: set[str] = set()
            for text in (item.name, *item.aliases):
                terms |= self.terms(text)
            for alias in item.aliases:
                if len(alias) >= 2:
                    self.aliases.append((alias, index))
            self.item_terms.append(terms)
            for term in terms:
                df[term] = df.get(term, 0) + 1
        n = len(self.items)
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
        self.unseen_idf = math.log(1 + n / 0.5)
        self.alias_re = (
            re.compile("|".join(re.escape(a) for a in sorted({a for a, _ in self.aliases}, key=len, reverse=True)))
            if self.aliases
            else None
        )
        self.alias_items: dict[str, list[int]] = {}
        for alias, index in self.aliases:
            self.alias_items.setdefault(alias, []).append(index)
        self.keyword_items: dict[str, list[int]] = {}
        for index, item in enumerate(self.items):
            for word in item.keywords:
                self.keyword_items.setdefault(word, []).append(index)
        self.keyword_idf = {w: math.log(1 + n / len(ix)) for w, ix in self.keyword_items.items()}
        self.keyword_re = (
            re.compile("|".join(re.escape(w) for w in sorted(self.keyword_items, key=len, reverse=True)))
            if self.keyword_items
            else None
        )

    def terms(self, text: str) -> set[str]:
        text = _PUNCT_RE.sub("", text)
        with self._lock:
            words = {w for w in self.tokenizer.lcut(text) if len(w) >= 2}
        bigrams = {text[i : i + 2] for i in range(len(text) - 1)}
        return words | bigrams

    def match(self, question: str) -> MatterMatch:
        raw = _PUNCT_RE.sub("", question)
        query = clean_question(raw)
        scores: dict[int, tuple[float, str]] = {}
        # Aliases are looked for in the text as written: question words such
        # as 会/管 are also parts of names (居委会).
        for index, (score, alias) in self._alias_scores(raw).items():
            scores[index] = (score, alias)
        q_terms = self.terms(query) if len(query) >= 2 else set()
        weights = {t: self.idf.get(t, self.unseen_idf) for t in q_terms}
        total = sum(weights.values())
        if total > 0:
            for index, terms in enumerate(self.item_terms):
                shared = q_terms & terms
                if not shared:
                    continue
                coverage = sum(weights[t] for t in shared) / total
                if coverage > scores.get(index, (0.0, ""))[0]:
                    scores[index] = (coverage, "、".join(sorted(shared, key=len, reverse=True)[:3]))
        for index, (score, words) in self._keyword_scores(raw).items():
            if score > scores.get(index, (0.0, ""))[0]:
                scores[index] = (score, words)
        hint = _type_hint(question)
        ranked = sorted(
            (
                Candidate(self.items[i], min(1.0, s + (0.04 if hint and self.items[i].power_type == hint else 0.0)), e)
                for i, (s, e) in scores.items()
            ),
            key=lambda c: -c.score,
        )
        if not ranked or ranked[0].score < ACCEPT:
            return MatterMatch(())
        best = ranked[0].score
        close = [c for c in ranked if c.score >= max(ACCEPT, best - AMBIGUITY_MARGIN)]
        return MatterMatch(tuple(close[:MAX_OPTIONS]))

    def alias_spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """Where matter aliases occur in ``text`` (to keep unit names out of them)."""
        if self.alias_re is None:
            return ()
        spans = []
        for start in range(len(text)):
            match = self.alias_re.match(text, start)
            if match:
                spans.append(match.span())
        return tuple(spans)

    def _keyword_scores(self, text: str) -> dict[int, tuple[float, str]]:
        if self.keyword_re is None:
            return {}
        found: set[str] = set()
        for start in range(len(text)):
            match = self.keyword_re.match(text, start)
            if match:
                found.add(match.group())
        per_item: dict[int, list[str]] = {}
        for word in found:
            for index in self.keyword_items[word]:
                per_item.setdefault(index, []).append(word)
        top = max(self.keyword_idf.values(), default=1.0)
        scores = {}
        for index, words in per_item.items():
            if len(words) < 2:
                continue
            weight = sum(self.keyword_idf[w] for w in words) / top
            if weight >= 1.5:
                scores[index] = (min(0.9, 0.45 + 0.15 * weight), "、".join(sorted(words)))
        return scores

    def _alias_scores(self, query: str) -> dict[int, tuple[float, str]]:
        if self.alias_re is None:
            return {}
        hits: list[tuple[str, int, int]] = []
        for start in range(len(query)):
            for match in [self.alias_re.match(query, start)]:
                if match:
                    hits.append((match.group(), match.start(), match.end()))
        # A hit inside a longer hit (乱搭建 in 乱搭建房屋) is not evidence of its own.
        hits = [
            h for h in hits
            if not any(o[1] <= h[1] and h[2] <= o[2] and (o[2] - o[1]) > (h[2] - h[1]) for o in hits)
        ]
        scores: dict[int, tuple[float, str]] = {}
        for alias, _, _ in hits:
            score = 0.7 + 0.3 * min(1.0, (len(alias) - 1) / 3)
            for index in self.alias_items[alias]:
                if score > scores.get(index, (0.0, ""))[0]:
                    scores[index] = (score, alias)
        return scores


def clean_question(text: str) -> str:
    text = _PUNCT_RE.sub("", text)
    return _QUESTION_RE.sub("", text)


def _type_hint(text: str) -> str | None:
    if _PENALTY_RE.search(text):
        return "行政处罚"
    if _LICENCE_RE.search(text):
        return "行政许可"
    return None


@lru_cache(maxsize=4)
def matter_index(knowledge: Knowledge) -> MatterIndex:
    return MatterIndex(knowledge)


def matter_spans(knowledge: Knowledge, text: str) -> tuple[tuple[int, int], ...]:
    return matter_index(knowledge).alias_spans(text)


def match_matter(knowledge: Knowledge, text: str) -> MatterMatch:
    """Match the matter a question is about. ``text`` should not contain the unit name."""
    return matter_index(knowledge).match(text)
