"""Find the units a typed name may mean, for the widget's unit control."""

from __future__ import annotations

from bot.kb.types import Knowledge, UnitInfo
from bot.units import resolve_unit


def search_units(knowledge: Knowledge, query: str, limit: int = 10) -> list[str]:
    """Full names of the units ``query`` may mean, best first.

    A name the assistant itself resolves (石牌街道, 石牌街, 天河石牌, 江高)
    gives that unit, or every unit of that name (新塘 → 天河区新塘街道,
    增城区新塘镇); a district alone gives its units; otherwise units whose name
    contains the query.
    """
    query = query.strip()
    if not query:
        return []
    mention = resolve_unit(knowledge, query)
    found: list[UnitInfo] = list(mention.units)
    if not found and mention.district:
        found = [u for u in knowledge.units if u.district == mention.district]
    if not found:
        found = [u for u in knowledge.units if query in u.full_name]
    return [u.full_name for u in found[:limit]]
