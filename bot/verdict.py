"""The verdict engine: can this unit exercise this power? Pure Python."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kb.names import office_base
from bot.kb.types import UNIT_KIND_LABELS, ItemInfo, Knowledge, LegalRefInfo, UnitInfo

VERDICT_LABELS = {"yes": "可以", "no": "不可以", "assist": "协助办理", "unknown": "未找到"}


@dataclass(frozen=True)
class Delegation:
    document: str
    effective: str  # YYYY-MM-DD


@dataclass(frozen=True)
class Verdict:
    """Everything an answer about one unit and one item needs."""

    verdict: str  # yes / no / assist
    unit: UnitInfo
    item: ItemInfo
    handled_by: str | None  # the unit's office that does the work
    held_by: str | None  # the body that holds the power otherwise
    legal_basis: tuple[LegalRefInfo, ...]
    delegation: Delegation | None
    note: str | None
    trace: tuple[str, ...]


def rule_for(item: ItemInfo, unit: UnitInfo) -> str:
    """The rule of ``item`` for ``unit``: the unit's own rule, else its kind's, else no."""
    own = item.unit_rules.get(unit.full_name)
    return own if own is not None else item.rules.get(unit.kind, "no")


def decide(knowledge: Knowledge, unit: UnitInfo, item: ItemInfo) -> Verdict:
    """Apply the delegation rule of ``item`` for ``unit``: its own rule first, else its kind's."""
    kind_label = UNIT_KIND_LABELS[unit.kind]
    kind_verdict = item.rules.get(unit.kind, "no")
    verdict = rule_for(item, unit)
    trace = [f"{unit.full_name}为{kind_label}", f"规则：{item.code} 对{kind_label} → {kind_verdict}"]
    if unit.full_name in item.unit_rules:
        # A unit's own list is more specific than the list for its kind.
        trace.append(f"本镇街清单：{item.code} 对{unit.full_name} → {verdict}（优先于{kind_label}规则）")

    handled_by = None
    if verdict in ("yes", "assist") and item.office:
        handled_by = _office_in_unit(knowledge, unit, item.office, trace)
    held_by = item.held_by if verdict in ("no", "assist") else None
    if verdict == "no" and not held_by:
        trace.append("清单未列实施主体，见说明")

    delegation = delegation_of(item)
    if delegation:
        trace.append(f"依据文件：{delegation.document}（{delegation.effective}）")
    return Verdict(
        verdict=verdict,
        unit=unit,
        item=item,
        handled_by=handled_by,
        held_by=held_by,
        legal_basis=item.references,
        delegation=delegation,
        note=item.note,
        trace=tuple(trace),
    )


def _office_in_unit(knowledge: Knowledge, unit: UnitInfo, office: str, trace: list[str]) -> str:
    present = {office_base(o) for o in unit.offices}
    if office_base(office) in present:
        trace.append(f"承办机构：{office}")
        return office
    substitute = knowledge.office_substitutes.get(office_base(office))
    if substitute and office_base(substitute) in present:
        trace.append(f"{unit.name}未设{office}，由{substitute}承办")
        return substitute
    trace.append(f"{unit.name}未设{office}")
    return office


def delegation_of(item: ItemInfo) -> Delegation | None:
    """The document that puts the power with units, or the law that does."""
    if item.document is not None:
        return Delegation(f"《{item.document.title}》", item.document.effective.isoformat())
    first = next((ref for ref in item.references if ref.article), None)
    if first is None:
        return None
    # The duty comes straight from the law: cite it and its version date.
    return Delegation(f"{first.citation}（法定职责）", first.law_version.isoformat())
