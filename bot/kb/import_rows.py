"""Checking each row of an official list against the knowledge in force, and
converting it to the ``knowledge/imports/`` columns."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.kb.import_mapping import ImportMapping, ImportProblems, ListRow, normalize_header
from bot.kb.legal import LegalReferenceError, parse_legal_basis
from bot.kb.names import office_base, split_list
from bot.kb.source_items import ItemRow
from bot.kb.sources import Sources
from bot.kb.types import POWER_TYPES, UNIT_KINDS
from bot.kb.unit_index import UnitIndex, UnitMention

_GOVERNMENT = re.compile(r"(各?镇人民政府|各?街道办事处|镇政府|人民政府|镇街|镇[（(]街道?[）)]|街道|镇)")
# An 适用镇街 cell lists unit names: any punctuation or space between them separates them.
_UNIT_NAMES = re.compile(r"[、,，;；/\s]+")
_DEFAULT_NOTE = "清单未列明其他镇街的实施主体，请咨询区委编办。"


@dataclass
class RowContext:
    """What the rows are checked against: the knowledge sources in force."""

    sources: Sources
    items: dict[str, ItemRow]
    units: UnitIndex  # for loose unit names
    offices: list[str]  # base office names, longest first
    unit_offices: dict[str, set[str]]

    @classmethod
    def of(cls, sources: Sources) -> RowContext:
        units = sources.unit_infos()
        unit_offices = {u.full_name: {office_base(o) for o in u.offices} for u in units}
        offices = set().union(*unit_offices.values()) | set(sources.office_substitutes)
        return cls(
            sources,
            {i.code: i for i in sources.items},
            UnitIndex(units, sources.districts, sources.unit_common_words),
            sorted(offices, key=len, reverse=True),
            unit_offices,
        )


def unit_problem(name: str, mention: UnitMention) -> str | None:
    """Why ``name`` does not name exactly one unit, or None when it does."""
    if mention.unit is not None:
        return None
    if mention.ambiguous:
        options = "、".join(u.full_name for u in mention.units[:5])
        return f"镇街名称不唯一：{name!r}（{options}），请写明区"
    return f"未知的镇街：{name!r}"


def check_row(
    row: ListRow,
    context: RowContext,
    mapping: ImportMapping,
    scope_kind: str | None,
    scope_unit: str | None,
    document: str | None,
    codes: dict[str, ListRow],
    problems: ImportProblems,
) -> None:
    """Check one row and, when it is sound, fill ``row.out`` in the imports-file columns."""
    before = len(problems.items)
    cells, where = row.cells, (row.sheet, row.row)

    def problem(name: str, reason: str) -> None:
        problems.add(*where, row.columns.get(name, ""), reason)

    code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cells.get("code", "")))
    if not code:
        problem("code", "缺少事项编码")
    elif len(code) > 64:
        problem("code", f"事项编码过长（{len(code)} 个字符，最多 64）")
    elif code in codes:
        first = codes[code]
        at = f"第{first.row}行" if first.sheet == row.sheet else f"{first.sheet} 第{first.row}行"
        problem("code", f"事项编码重复：{code}（与{at}相同）")
    else:
        codes[code] = row
    existing = context.items.get(code) if code else None

    name = re.sub(r"\s+", "", cells.get("subitem") or cells.get("name", ""))
    if not name:
        problem("name", "缺少事项名称")

    power_type = ""
    if cells.get("power_type"):
        power_type = _power_type(cells["power_type"], mapping) or ""
        if not power_type:
            problem("power_type", f"未知的权力类型：{cells['power_type']!r}（应为 {'、'.join(POWER_TYPES)}）")
    elif existing is None:
        problem("power_type", "缺少权力类型")

    legal_basis = _legal_basis(cells.get("legal_basis", ""))
    if legal_basis:
        try:
            for ref in parse_legal_basis(legal_basis):
                law = context.sources.laws.get(ref.law)
                if law is None:
                    problem("legal_basis", f"法律文本（knowledge/laws/）中没有《{ref.law}》")
                elif ref.article and ref.article not in law.articles:
                    problem("legal_basis", f"《{ref.law}》没有{ref.article}")
        except LegalReferenceError as exc:
            problem("legal_basis", f"实施依据无法解析：{exc}")
    elif existing is None:
        problem("legal_basis", "缺少实施依据")

    verdict = "yes"
    if cells.get("mode"):
        verdict = mapping.modes.get(normalize_header(cells["mode"]), "")
        if not verdict:
            known = "、".join(sorted(mapping.modes))
            problem("mode", f"未知的行使方式：{cells['mode']!r}（可用：{known}）")

    units: list[str] = []
    for text in _UNIT_NAMES.split(cells.get("unit", "")):
        if not text:
            continue
        mention = context.units.find(text)
        reason = unit_problem(text, mention)
        if reason:
            problem("unit", reason)
        else:
            units.append(mention.units[0].full_name)
    if not units and scope_unit:
        units = [scope_unit]
    if not units and not scope_kind and not cells.get("unit"):
        problem("unit", "未指定适用范围：请用 --unit-kind 或 --unit，或填写“适用镇街”列")

    office = ""
    if cells.get("office"):
        found = _office(cells["office"], context)
        if found is None:
            problem("office", f"未知的承办机构：{cells['office']!r}")
        else:
            office = found
    if office and verdict != "no":
        for unit in units:
            offices = context.unit_offices[unit]
            substitute = context.sources.office_substitutes.get(office)
            if office not in offices and substitute not in offices:
                problem("office", f"{unit}未设{office}")
    if not office and verdict != "no" and not (existing and existing.office):
        problem("office", "镇街承担的事项须写明承办机构")

    department = re.sub(r"\s+", "", cells.get("department", ""))
    held_by = ""
    needs_holder = existing is None or verdict in ("no", "assist")
    if needs_holder and not (existing and existing.held_by):
        held_by = department
        if verdict == "assist" and not held_by:
            problem("department", "协助办理的事项须写明作出决定的部门")
    note = cells.get("note", "").strip()
    if existing is None and not held_by and not note:
        note = _DEFAULT_NOTE

    if len(problems.items) > before:
        return
    rules = {kind: "" for kind in UNIT_KINDS}
    unit_rules = ""
    if units:
        unit_rules = ";".join(f"{u}={verdict}" for u in units)
    else:
        rules[scope_kind] = verdict  # type: ignore[index]
    out = {
        "code": code,
        "name": name,
        "power_type": power_type,
        "legal_basis": legal_basis,
        "department": department,
        **rules,
        "office": office,
        "held_by": held_by,
        "document": document or "",
        "aliases": ";".join(split_list(cells.get("aliases", ""))),
        "note": note,
        "unit_rules": unit_rules,
        "source": f"{row.sheet}:{row.row}",
    }
    # One line per row in the imports file, so its line numbers lead back to the list.
    row.out = {k: re.sub(r"\s*\n\s*", " ", v) for k, v in out.items()}


def _power_type(text: str, mapping: ImportMapping) -> str | None:
    value = normalize_header(text)
    if value in POWER_TYPES:
        return value
    for candidate in (value, re.sub(r"(类|事项)$", "", value)):
        if candidate in POWER_TYPES:
            return candidate
        if candidate in mapping.power_types:
            return mapping.power_types[candidate]
    return None


def _legal_basis(text: str) -> str:
    """Spaces and a final 。 mean nothing; a line break before 《 separates laws, any other
    continues the article list (``第二十四条、⏎第四十三条``)."""
    text = re.sub(r"[ \t\u3000]+", "", text.strip())
    text = re.sub(r"([、，,；;])\n+", r"\1", text)
    text = re.sub(r"\n+(?=《)", "；", text)
    text = re.sub(r"\n+", "、", text)
    return text.strip("。；;、")


def _office(text: str, context: RowContext) -> str | None:
    """The office named in an 实施主体/承办机构 cell; "" when the cell names only the government."""
    for office in context.offices:
        if office in text:
            return office
    rest = re.sub(r"[/／、，,；;（）()\s]", "", _GOVERNMENT.sub("", text))
    return "" if not rest else None
