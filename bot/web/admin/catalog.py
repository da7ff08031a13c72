"""The list in force as the console shows it: filters over a knowledge snapshot, one item's details.

Pure functions over :class:`bot.kb.types.Knowledge` (no server, no database).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kb.types import UNIT_KIND_LABELS, UNIT_KINDS, ItemInfo, Knowledge, UnitInfo
from bot.units import find_unit
from bot.verdict import VERDICT_LABELS, rule_for

HOLDS = ("yes", "assist")


@dataclass(frozen=True)
class Filters:
    q: str = ""  # words of the name, code or an alias
    kind: str = ""  # a unit kind: items it holds (yes / assist)
    unit: str = ""  # a unit's name (loose): items it holds, its own list first
    power_type: str = ""
    office: str = ""
    law: str = ""  # part of a law's title in the legal basis

    @classmethod
    def of(cls, query: dict[str, str]) -> Filters:
        values = {name: (query.get(name) or "").strip()[:64] for name in cls.__dataclass_fields__}
        if values["kind"] not in UNIT_KINDS:
            values["kind"] = ""
        return cls(**values)


@dataclass(frozen=True)
class Row:
    item: ItemInfo
    verdicts: tuple[tuple[str, str], ...]  # (kind or unit, verdict) in column order


@dataclass(frozen=True)
class Listing:
    rows: list[Row]
    columns: tuple[str, ...]  # headers of the verdict columns
    unit: UnitInfo | None
    unit_unknown: bool  # a unit was asked for and not found


@dataclass(frozen=True)
class Duty:
    office: str
    post: str
    text: str
    stage: str | None


def choices(kb: Knowledge) -> dict[str, list[str]]:
    """The values the filter menus offer."""
    items = kb.items.values()
    return {
        "power_types": sorted({i.power_type for i in items}),
        "offices": sorted({i.office for i in items if i.office}),
        "laws": sorted({r.law for i in items for r in i.references}),
        "kinds": list(UNIT_KINDS),
    }


def _matches(item: ItemInfo, f: Filters) -> bool:
    if f.q and not any(f.q in text for text in (item.name, item.code, *item.aliases)):
        return False
    if f.power_type and item.power_type != f.power_type:
        return False
    if f.office and item.office != f.office:
        return False
    if f.law and not (any(f.law in r.law for r in item.references) or f.law in item.legal_basis_text):
        return False
    return not f.kind or item.rules.get(f.kind, "no") in HOLDS


def search(kb: Knowledge, f: Filters) -> Listing:
    unit = find_unit(kb, f.unit) if f.unit else None
    rows = []
    for item in sorted(kb.items.values(), key=lambda i: (i.power_type, i.code)):
        if not _matches(item, f) or (unit is not None and rule_for(item, unit) not in HOLDS):
            continue
        verdicts = tuple((kind, item.rules.get(kind, "no")) for kind in UNIT_KINDS)
        if unit is not None:
            verdicts = ((unit.full_name, rule_for(item, unit)), *verdicts)
        rows.append(Row(item, verdicts))
    columns = tuple(UNIT_KIND_LABELS[k] for k in UNIT_KINDS)
    if unit is not None:
        columns = (unit.full_name, *columns)
    return Listing(rows, columns, unit, bool(f.unit) and unit is None)


def duties_of(kb: Knowledge, code: str) -> list[Duty]:
    """The posts' duties that name the item (责任岗位)."""
    return [
        Duty(post.office, post.name, duty.text, duty.stage)
        for post in kb.posts
        for duty in post.duties
        if code in duty.items
    ]


def own_rules(item: ItemInfo) -> list[tuple[str, str]]:
    """Units whose own list decides the item, with their verdicts."""
    return sorted(item.unit_rules.items())


def kind_verdicts(item: ItemInfo) -> list[tuple[str, str]]:
    return [(UNIT_KIND_LABELS[k], item.rules.get(k, "no")) for k in UNIT_KINDS]


LABELS = {"verdict": VERDICT_LABELS, "kind": UNIT_KIND_LABELS}
