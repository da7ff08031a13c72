"""Resolve the unit (镇/街道) a message names, however loosely it is written.

The names index lives in :mod:`bot.kb.unit_index` (the importer uses it too);
this module is the assistant's entry point over a knowledge snapshot.
"""

from __future__ import annotations

from bot.kb.types import Knowledge, UnitInfo
from bot.kb.unit_index import UnitMention, index_of

__all__ = ["UnitMention", "find_unit", "resolve_unit"]


def resolve_unit(knowledge: Knowledge, text: str, protected: tuple[tuple[int, int], ...] = ()) -> UnitMention:
    """Find the unit(s) named in ``text``; bare names inside ``protected`` spans do not count."""
    return index_of(knowledge).find(text, protected)


def find_unit(knowledge: Knowledge, name: str) -> UnitInfo | None:
    """Look up a unit by a name given by a channel or an earlier turn."""
    return resolve_unit(knowledge, name.strip()).unit
