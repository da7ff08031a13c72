"""Resolve the unit (镇/街道) a message names, however loosely it is written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.kb.types import Knowledge, UnitInfo

# Bare names (the name without 街道/镇) that are also everyday words; they
# only count when written with their suffix or district (人民街道, 越秀人民).
COMMON_WORDS = frozenset(
    """人民 北京 东山 建设 白云 金花 彩虹 站前 海龙 中南 长兴 凤凰 前进 新市 同德 永平 嘉禾 石井 金沙
    石门 人和 太和 黄埔 联和 永和 大龙 南村 新华 新雅 花城 珠江 街口 城郊 温泉 太平 中新 正果 小楼
    滨江 大石 沙头 东环 桥南 桥中 江海 大东 大塘 农林 华林 岭南 西村 花地 东沙 大沙 南岗 大岗 南沙
    龙湖 新港 龙凤 黄石 海珠 天河 荔湾 越秀 番禺 花都 从化 增城 大学城""".split()
)


@dataclass(frozen=True)
class UnitMention:
    """What a message says about units: the candidates and where they were named."""

    units: tuple[UnitInfo, ...]  # one: resolved; several: ambiguous; none: not named
    spans: tuple[tuple[int, int], ...]
    district: str | None  # a district named without a unit

    @property
    def unit(self) -> UnitInfo | None:
        return self.units[0] if len(self.units) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.units) > 1


@dataclass(frozen=True)
class _Alias:
    text: str
    unit_index: int
    strong: bool  # carries a suffix or a district: unambiguous as a word


class UnitIndex:
    """All the names each unit goes by, longest first."""

    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge
        aliases: dict[tuple[str, int], _Alias] = {}
        for index, unit in enumerate(knowledge.units):
            for text, strong in _names_of(unit):
                key = (text, index)
                if key not in aliases or strong:
                    aliases[key] = _Alias(text, index, strong)
        self.aliases = sorted(aliases.values(), key=lambda a: -len(a.text))
        self.by_text: dict[str, list[_Alias]] = {}
        for alias in self.aliases:
            self.by_text.setdefault(alias.text, []).append(alias)
        self.pattern = re.compile("|".join(re.escape(t) for t in sorted(self.by_text, key=len, reverse=True)))
        district_names = set()
        for name in knowledge.districts:
            district_names.add(name)
            district_names.add(name[:-1])
        self.district_pattern = re.compile(
            "|".join(re.escape(d) for d in sorted(district_names, key=len, reverse=True))
        )

    def find(self, text: str, protected: tuple[tuple[int, int], ...] = ()) -> UnitMention:
        """Units named in ``text``; bare names inside ``protected`` spans
        (matter words such as 人民调解) do not count."""
        districts = {self._district_of(m.group()) for m in self.district_pattern.finditer(text)}
        found: list[tuple[_Alias, tuple[int, int]]] = []
        for match in self.pattern.finditer(text):
            start, end = match.span()
            inside = any(p0 <= start and end <= p1 for p0, p1 in protected)
            for alias in self.by_text[match.group()]:
                if not (inside and not alias.strong):
                    found.append((alias, match.span()))
        if any(a.strong for a, _ in found):
            found = [(a, s) for a, s in found if a.strong]
        units: list[UnitInfo] = []
        spans: list[tuple[int, int]] = []
        for alias, span in found:
            unit = self.knowledge.units[alias.unit_index]
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
            best = [self.knowledge.units[a.unit_index] for a, _ in found if len(a.text) == longest]
            if len({id(u) for u in best}) == 1:
                units = [best[0]]
        district = next(iter(districts)) if len(districts) == 1 and not units else None
        return UnitMention(tuple(units), tuple(spans), district)

    def _district_of(self, text: str) -> str:
        return text if text.endswith("区") else f"{text}区"


def _names_of(unit: UnitInfo) -> list[tuple[str, bool]]:
    name, district = unit.name, unit.district
    short_district = district[:-1]
    stem = name[:-2] if name.endswith("街道") else name[:-1]
    names = [
        (name, True),
        (f"{district}{name}", True),
        (f"{short_district}{name}", True),
        (f"{district}{stem}", True),
        (f"{short_district}{stem}", True),
    ]
    if name.endswith("街道"):
        names += [(f"{stem}街", True), (f"{stem}街道办", True), (f"{district}{stem}街", True)]
    if len(stem) >= 2 and stem not in COMMON_WORDS:
        names.append((stem, False))
    names += [(alias, len(alias) >= 3) for alias in unit.aliases]
    return names


@lru_cache(maxsize=4)
def _index_for(knowledge: Knowledge) -> UnitIndex:
    return UnitIndex(knowledge)


def resolve_unit(knowledge: Knowledge, text: str, protected: tuple[tuple[int, int], ...] = ()) -> UnitMention:
    """Find the unit(s) named in ``text``."""
    return _index_for(knowledge).find(text, protected)


def find_unit(knowledge: Knowledge, name: str) -> UnitInfo | None:
    """Look up a unit by a name given by a channel or an earlier turn."""
    mention = resolve_unit(knowledge, name.strip())
    return mention.unit
