"""Every name a unit goes by, and finding units named in a text, however loosely written.

Built from units and district names alone, so the importer (which checks rows
against sources not yet built) and the running assistant (which reads a
:class:`~bot.kb.types.Knowledge` snapshot) share one index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.kb.names import bare_name
from bot.kb.types import Knowledge, UnitInfo

Span = tuple[int, int]


@dataclass(frozen=True)
class UnitMention:
    """What a message says about units: the candidates and where they were named."""

    units: tuple[UnitInfo, ...]  # one: resolved; several: ambiguous; none: not named
    spans: tuple[Span, ...]
    district: str | None  # a district named without a unit

    @property
    def unit(self) -> UnitInfo | None:
        return self.units[0] if len(self.units) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.units) > 1


@dataclass(frozen=True)
class UnitAlias:
    text: str
    unit_index: int
    strong: bool  # carries a suffix or a district: unambiguous as a word


class UnitIndex:
    """All the names each unit goes by, longest first.

    Args:
        units: the units to find.
        districts: full district names (天河区); a district narrows a name two units share.
        common_words: bare unit names (人民, 北京) that are everyday words; they count only
            with their suffix or district.
    """

    def __init__(self, units: Sequence[UnitInfo], districts: Iterable[str], common_words: Iterable[str] = ()):
        self.units = tuple(units)
        common = frozenset(common_words)
        aliases: dict[tuple[str, int], UnitAlias] = {}
        for index, unit in enumerate(self.units):
            for text, strong in names_of(unit, common):
                key = (text, index)
                if key not in aliases or strong:
                    aliases[key] = UnitAlias(text, index, strong)
        self.aliases = sorted(aliases.values(), key=lambda a: -len(a.text))
        self.by_text: dict[str, list[UnitAlias]] = {}
        for alias in self.aliases:
            self.by_text.setdefault(alias.text, []).append(alias)
        self.pattern = _alternation(self.by_text)
        district_names = set()
        for name in districts:
            district_names.add(name)
            district_names.add(name[:-1])
        self.district_pattern = _alternation(district_names)

    def find(self, text: str, protected: tuple[Span, ...] = ()) -> UnitMention:
        """Units named in ``text``; bare names inside ``protected`` spans
        (matter words such as 人民调解) do not count."""
        districts = {_district_of(m.group()) for m in self.district_pattern.finditer(text)}
        found: list[tuple[UnitAlias, Span]] = []
        for match in self.pattern.finditer(text):
            start, end = match.span()
            inside = any(p0 <= start and end <= p1 for p0, p1 in protected)
            for alias in self.by_text[match.group()]:
                if not (inside and not alias.strong):
                    found.append((alias, match.span()))
        if any(a.strong for a, _ in found):
            found = [(a, s) for a, s in found if a.strong]
        units: list[UnitInfo] = []
        spans: list[Span] = []
        for alias, span in found:
            unit = self.units[alias.unit_index]
            if unit not in units:
                units.append(unit)
            if span not in spans:
                spans.append(span)
        if len(units) > 1 and districts:
            narrowed = [u for u in units if u.district in districts]
            units = narrowed or units
        if len(units) > 1:
            # "石牌街道" beside "石牌": keep the most specific mention.
            longest = max(len(a.text) for a, _ in found)
            best = [self.units[a.unit_index] for a, _ in found if len(a.text) == longest]
            if len({id(u) for u in best}) == 1:
                units = [best[0]]
        district = next(iter(districts)) if len(districts) == 1 and not units else None
        return UnitMention(tuple(units), tuple(spans), district)


def names_of(unit: UnitInfo, common_words: frozenset[str] = frozenset()) -> list[tuple[str, bool]]:
    """(name, strong) for every way ``unit`` is written: 石牌街道, 天河石牌, 石牌街, 石牌…"""
    name, district = unit.name, unit.district
    short_district = district[:-1]
    stem = bare_name(name)
    names = [
        (name, True),
        (f"{district}{name}", True),
        (f"{short_district}{name}", True),
        (f"{district}{stem}", True),
        (f"{short_district}{stem}", True),
    ]
    if name.endswith("街道"):
        names += [(f"{stem}街", True), (f"{stem}街道办", True), (f"{district}{stem}街", True)]
    if len(stem) >= 2 and stem not in common_words:
        names.append((stem, False))
    names += [(alias, len(alias) >= 3) for alias in unit.aliases]
    return names


@lru_cache(maxsize=4)
def index_of(knowledge: Knowledge) -> UnitIndex:
    """The index of a knowledge snapshot, built once per snapshot."""
    return UnitIndex(knowledge.units, knowledge.districts, knowledge.unit_common_words)


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    # Longest first, so 石牌街道 wins over 石牌 at the same position; no words: never matches.
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered) if ordered else "(?!)")


def _district_of(text: str) -> str:
    return text if text.endswith("区") else f"{text}区"
