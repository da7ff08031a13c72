"""Lexical evidence that points at one item: its aliases, its situation keywords, its name's words.

Each scorer looks for the knowledge base's own phrases in the question (:class:`bot.phrases.Phrases`)
and returns, per item index, a score and what was found; :mod:`bot.matching` combines them with
term coverage and the learned signal.

* an alias written verbatim scores 0.8 (two characters) to 1.0 (four or more); a licence's alias
  right after a negation (没办乡村建设规划许可证就建房) points to the penalty for lacking it;
  an alias of two words found a few characters apart (绿地种菜 in 绿地被人占了种菜) scores a fifth less;
* two or more situation keywords of an item, weighted by how specific they are;
* every word of a formal name, in any order (审批大型户外广告的设置), as strong as a long alias;
* a matter's other side: the licence of a penalty found when the question asks for permission
  (广告牌……谁批 → 大型户外广告设置审批), and the penalty of a licence asked about as a violation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from bot.kb.types import ItemInfo
from bot.phrases import Phrases
from bot.question_words import ENFORCEMENT_TYPES, NAME_CORE_MIN, NEGATION_BEFORE, name_core

NAME_WORDS_MIN = 3  # a name of fewer words is too generic to be recognised from its words
NAME_WORDS_SCORE = 1.0  # every word of a formal name, in any order: as strong as a long alias
NAME_WORDS_EVIDENCE = "事项名称的全部词语"
_LACKING = re.compile(r"未取得|未经|无证|擅自|未按")  # a penalty's name that speaks of lacking a licence
SIDE_SPAN = 5  # characters of their name cores a licence and a penalty share when they are one matter's two sides
SIDE_SPAN_MAX_ITEMS = 3  # a span in more names of one kind than this is a generic phrase (建筑物构筑物)
SPLIT_GAP = 6  # characters allowed between the two words of an alias (绿地[被人占了]种菜)
SPLIT_FACTOR = 0.8  # found apart: weaker than written together, and than every word of a formal name


class Evidence:
    """The phrase look-ups of one knowledge base's items (by their index in ``items``)."""

    def __init__(
        self,
        items: Sequence[ItemInfo],
        aliases: Phrases,
        keywords: Phrases,
        name_words: Sequence[list[str]],
        alias_words: Mapping[str, list[str]] | None = None,
    ) -> None:
        """``name_words``: each item's name core cut into words, in the order of ``items``;
        ``alias_words``: aliases cut into words (by the default dictionary)."""
        self.items = items
        self.aliases = aliases
        # Aliases of two words of two or more characters, by their first word: (second, alias).
        self.split: dict[str, list[tuple[str, str]]] = {}
        for alias, words in (alias_words or {}).items():
            if len(alias) >= 4 and len(words) == 2 and min(map(len, words)) >= 2:
                self.split.setdefault(words[0], []).append((words[1], alias))
        self.split_firsts = Phrases({word: [] for word in self.split})
        self.keywords = keywords
        n = max(1, len(items))
        self.keyword_idf = {w: math.log(1 + n / len(ix)) for w, ix in keywords.phrases.items()}
        self.keyword_top = max(self.keyword_idf.values(), default=1.0)
        self.name_words = [_identifying(words) for words in name_words]
        self.other_sides = other_sides(items)

    def keyword_scores(self, text: str) -> dict[int, tuple[float, str]]:
        # One stretch of text is one keyword: 灯杆 inside 路灯杆, or 熏人 overlapping 烟熏 in 油烟熏人,
        # is not a second one.
        found = {word for word, _, _ in _apart(self.keywords.find(text))}
        per_item: dict[int, list[str]] = {}
        for word in found:
            for index in self.keywords.phrases[word]:
                per_item.setdefault(index, []).append(word)
        scores = {}
        for index, words in per_item.items():
            if len(words) < 2:
                continue
            weight = sum(self.keyword_idf[w] for w in words) / self.keyword_top
            if weight >= 1.5:
                scores[index] = (min(0.9, 0.45 + 0.15 * weight), "、".join(sorted(words)))
        return scores

    def alias_scores(self, query: str) -> dict[int, tuple[float, str]]:
        # A hit inside a longer hit (乱搭建 in 乱搭建房屋) is not evidence of its own.
        hits = _outermost(self.aliases.find(query))
        scores: dict[int, tuple[float, str]] = {}
        for alias, start, _ in hits:
            score = _alias_score(alias)
            negated = _negated_before(query, start)
            for index in self.aliases.phrases[alias]:
                item_score = score
                if negated and self.items[index].power_type == "行政许可":
                    # 没办许可证就建房: the licence is what was missing; the penalty is the matter.
                    item_score = score * 0.6
                    for other in self._penalties_naming(alias):
                        if 0.95 > scores.get(other, (0.0, ""))[0]:
                            scores[other] = (0.95, f"未取得{alias}")
                if item_score > scores.get(index, (0.0, ""))[0]:
                    scores[index] = (item_score, alias)
        for index, (score, alias) in self._split_alias_scores(query, hits).items():
            if score > scores.get(index, (0.0, ""))[0]:
                scores[index] = (score, alias)
        return scores

    def _split_alias_scores(self, query: str, hits: list[tuple[str, int, int]]) -> dict[int, tuple[float, str]]:
        """Aliases of two words written a few characters apart (绿地被人占了种菜: 绿地种菜), unless
        an alias written together lies between them (堆放[建筑]垃圾 is 堆放建筑垃圾, not 堆放垃圾)."""
        scores: dict[int, tuple[float, str]] = {}
        for first, start, end in self.split_firsts.find(query):
            if _negated_before(query, start):
                continue  # 没办X…: the negated-licence rule above speaks for it
            for second, alias in self.split[first]:
                at = query.find(second, end + 1, end + SPLIT_GAP + len(second))
                if at < 0 or any(s < at and e > end for _, s, e in hits):
                    continue
                score = SPLIT_FACTOR * _alias_score(alias)
                for index in self.aliases.phrases[alias]:
                    if score > scores.get(index, (0.0, ""))[0]:
                        scores[index] = (score, alias)
        return scores

    def names_in_other_words(self, raw: str, canonical: str, found: dict[int, tuple[float, str, str]]) -> list[int]:
        """Items with some evidence already whose name's every word is in the question."""
        return [
            index
            for index in found
            if (words := self.name_words[index])
            and (all(w in raw for w in words) or all(w in canonical for w in words))
        ]

    def _penalties_naming(self, alias: str) -> list[int]:
        """Penalty items whose formal name speaks of lacking ``alias`` (未取得乡村建设规划许可证…)."""
        return [
            i
            for i, item in enumerate(self.items)
            if item.power_type in ENFORCEMENT_TYPES and alias in item.name and _LACKING.search(item.name)
        ]


def other_sides(items: Sequence[ItemInfo]) -> dict[int, tuple[int, ...]]:
    """Each licence's penalties and each penalty's licences (by index): items of the other kind
    whose name cores share ``SIDE_SPAN`` characters that few names share
    (乡村建设规划许可证核发 / 对……未取得乡村建设规划许可证进行建设的……拆除)."""
    spans: dict[str, set[int]] = {}
    for index, item in enumerate(items):
        if item.power_type in ENFORCEMENT_TYPES:
            core = name_core(item.name)
            for start in range(len(core) - SIDE_SPAN + 1):
                spans.setdefault(core[start : start + SIDE_SPAN], set()).add(index)
    sides: dict[int, set[int]] = {}
    for index, item in enumerate(items):
        if item.power_type != "行政许可":
            continue
        core = name_core(item.name)
        for start in range(len(core) - SIDE_SPAN + 1):
            penalties = spans.get(core[start : start + SIDE_SPAN], ())
            if len(penalties) <= SIDE_SPAN_MAX_ITEMS:
                for other in penalties:
                    sides.setdefault(index, set()).add(other)
                    sides.setdefault(other, set()).add(index)
    return {index: tuple(sorted(found)) for index, found in sides.items()}


def _alias_score(alias: str) -> float:
    """An alias written in the question: 0.8 for two characters up to 1.0 for four or more."""
    return 0.7 + 0.3 * min(1.0, (len(alias) - 1) / 3)


def _negated_before(query: str, start: int) -> bool:
    """A negation just before ``start`` (没办, 未取得, 无…)."""
    return bool(NEGATION_BEFORE.search(query[max(0, start - 4) : start]))


def _identifying(words: list[str]) -> frozenset[str]:
    """A name's words when there are enough of them to identify it (else empty)."""
    kept = frozenset(w for w in words if len(w) >= 2)
    return kept if len(kept) >= NAME_WORDS_MIN and len("".join(words)) >= NAME_CORE_MIN else frozenset()


def _outermost(hits: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """The hits not lying inside a longer hit."""
    return [h for h in hits if not any(o[1] <= h[1] and h[2] <= o[2] and (o[2] - o[1]) > (h[2] - h[1]) for o in hits)]


def _apart(hits: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Hits that share no character, the longer (then the earlier) kept where two overlap."""
    kept: list[tuple[str, int, int]] = []
    for hit in sorted(hits, key=lambda h: (h[1] - h[2], h[1])):
        if all(hit[2] <= k[1] or k[2] <= hit[1] for k in kept):
            kept.append(hit)
    return kept
