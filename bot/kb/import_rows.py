"""Checking each row of an official list against the knowledge in force, and
converting it to the ``knowledge/imports/`` columns."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from bot.kb.import_mapping import ImportMapping, ImportProblems, ListRow, normalize_header
from bot.kb.legal import cited_titles, read_articles, resolve_legal_basis
from bot.kb.names import item_key, office_base, split_list
from bot.kb.source_items import DERIVED_PREFIX, OFFICE_UNSTATED, ItemRow
from bot.kb.sources import Sources
from bot.kb.types import POWER_TYPES, UNIT_KINDS
from bot.kb.unit_index import UnitIndex, UnitMention

# The unit itself, as lists name it: 乡镇人民政府、街道办事处、镇街、镇（街道）.
_GOVERNMENT = re.compile(r"各?(?:乡镇|镇街|乡|镇|街道)(?:人民政府|政府|办事处)?|人民政府|办事处|[（(]街道?[）)]")
_BASIS_CHARS = 300  # the database keeps this much of a basis; longer cells are pasted article text
# An 适用镇街 cell lists unit names: any punctuation or space between them separates them.
_UNIT_NAMES = re.compile(r"[、,，;；/\s]+")
_DEFAULT_NOTE = "清单未列明其他镇街的实施主体，请咨询区委编办。"


@dataclass
class RowContext:
    """What the rows are checked against: the knowledge sources in force."""

    sources: Sources
    items: dict[str, ItemRow]
    by_name: dict[str, str]  # normalised name -> code, so a list without codes updates its items
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
            {item_key(i.name): i.code for i in reversed(sources.items)},  # the first of equal names wins
            UnitIndex(units, sources.districts, sources.unit_common_words),
            sorted(offices, key=len, reverse=True),
            unit_offices,
        )


def derived_code(name: str) -> str:
    """A stable code for an item a list gives without one: the same normalised name, the same code,
    whichever list (a town's, a street's, next year's) names it and in whatever order they come."""
    return DERIVED_PREFIX + hashlib.sha1(item_key(name).encode()).hexdigest()[:12]


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

    # Spaces and a closing full stop are how a cell was typed, not part of the name.
    name = re.sub(r"\s+", "", cells.get("subitem") or cells.get("name", "")).rstrip("。．.；;，,")
    if not name:
        problem("name", "缺少事项名称")

    code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cells.get("code", "")))
    if not code and name:
        # Many published lists have no codes: the item of the same name, else one made from the name.
        code = context.by_name.get(item_key(name)) or derived_code(name)
        base, n = code, 1
        while code in codes:
            n += 1
            code = f"{base}-{n}"
        codes[code] = row
    elif not code:
        pass
    elif len(code) > 64:
        problem("code", f"事项编码过长（{len(code)} 个字符，最多 64）")
    elif code in codes:
        first = codes[code]
        at = f"第{first.row}行" if first.sheet == row.sheet else f"{first.sheet} 第{first.row}行"
        problem("code", f"事项编码重复：{code}（与{at}相同）")
    else:
        codes[code] = row
    existing = context.items.get(code) if code else None
    notes: list[str] = []

    power_type = ""
    if cells.get("power_type"):
        power_type = _power_type(cells["power_type"], mapping) or ""
        if not power_type:
            problem("power_type", f"未知的权力类型：{cells['power_type']!r}（应为 {'、'.join(POWER_TYPES)}）")
    elif existing is None:
        problem("power_type", "缺少权力类型")

    legal_basis = _legal_basis(cells.get("legal_basis", ""))
    if legal_basis:
        resolved = resolve_legal_basis(cells["legal_basis"], context.sources.laws)
        for contradiction in resolved.contradictions:
            problems.warn(*where, row.columns.get("legal_basis", ""), f"{contradiction}（依据按原文保留，请核对）")
        for title in resolved.not_held:
            problems.not_held[title] = problems.not_held.get(title, 0) + 1
        if not (resolved.references or resolved.not_held or resolved.contradictions):
            unread = "实施依据中找不到《法规名称》（依据按原文保留，请核对）"
            problems.warn(*where, row.columns.get("legal_basis", ""), unread)
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

    office, department = _office_and_department(row, context, problems, notes)
    if office and verdict != "no":
        for unit in units:
            offices = context.unit_offices[unit]
            substitute = context.sources.office_substitutes.get(office)
            if office not in offices and substitute not in offices:
                problem("office", f"{unit}未设{office}")
    if not office and verdict != "no" and not (existing and existing.office):
        office = _field_office(name, power_type, units, context, mapping)
        notes.append(f"清单未列明承办机构，按事项领域由{office}承办" if office else OFFICE_UNSTATED)

    held_by = ""
    needs_holder = existing is None or verdict in ("no", "assist")
    if needs_holder and not (existing and existing.held_by):
        held_by = department
        if verdict == "assist" and not held_by:
            problem("department", "协助办理的事项须写明作出决定的部门")
    note = cells.get("note", "").strip()
    if existing is None and not held_by and not note:
        note = _DEFAULT_NOTE
    note = "；".join(n.rstrip("。；") for n in (note, *notes) if n)

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
        "duties": cells.get("duties", "").strip(),
        "accountability": cells.get("accountability", "").strip(),
        "responsible_post": cells.get("post", "").strip(),
        "phone": cells.get("phone", "").strip(),
    }
    # One line per row in the imports file, so its line numbers lead back to the list.
    row.out = {k: re.sub(r"\s*\n\s*", " ", v) for k, v in out.items()}


def _office_and_department(
    row: ListRow, context: RowContext, problems: ImportProblems, notes: list[str]
) -> tuple[str, str]:
    """(office, department) from the 承办机构, 实施主体 and 部门 cells.

    An office the unit does not have, or a subject that is another body, is kept as written in
    the note (or as the department) and never refuses the row.
    """
    cells = row.cells
    office = ""
    department = re.sub(r"\s+", "", cells.get("department", ""))
    written = cells.get("office", "").strip()
    if written:
        found = _office(written, context)
        if found is None:
            problems.warn(row.sheet, row.row, row.columns["office"], f"未知的承办机构：{written!r}（按原文记入备注）")
            notes.append("清单所列承办机构：" + re.sub(r"\s+", "", written))
        else:
            office = found
    subject = re.sub(r"\s+", "", cells.get("subject", ""))
    if subject:
        found = _office(subject, context)
        if found is None and not department:
            department = subject  # another body exercises it (市公安局)
        elif found and not office:
            office = found
    return office, department


def _field_office(name: str, power_type: str, units: list[str], context: RowContext, mapping: ImportMapping) -> str:
    """The office of the item's field (import_mapping.yaml field_offices), or "" when none fits."""
    for rule in mapping.field_offices:
        if not (any(w in name for w in rule.words) or power_type in rule.power_types):
            continue
        office = office_base(rule.office)
        substitute = context.sources.office_substitutes.get(office)
        if office in context.offices and all(
            office in context.unit_offices[u] or substitute in context.unit_offices[u] for u in units
        ):
            return office
    return ""


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
    """The basis as written, on one line: spaces and a final 。 mean nothing; a line break before 《
    separates laws, any other continues (``第二十四条、⏎第四十三条``). A cell longer than the database
    keeps (the article text pasted after the reference) is cut to its references as written."""
    text = re.sub(r"[ \t\u3000]+", "", text.strip())
    text = re.sub(r"([、，,；;:：])\n+", r"\1", text)
    text = re.sub(r"\n+(?=《)", "；", text)
    text = re.sub(r"\n+", "、", text)
    text = text.strip("。；;、")
    if len(text) <= _BASIS_CHARS:
        return text
    heads = []
    for title, tail in cited_titles(text):
        articles = "、".join(a + d for a, d in read_articles(tail))
        heads.append(f"《{title}》{articles}")
    short = "；".join(dict.fromkeys(heads)) or text
    return short if len(short) <= _BASIS_CHARS else short[: _BASIS_CHARS - 1] + "…"


def _office(text: str, context: RowContext) -> str | None:
    """The office named in an 实施主体/承办机构 cell; "" when the cell names only the government."""
    for office in context.offices:
        if office in text:
            return office
    rest = re.sub(r"[/／、，,；;（）()\s]", "", _GOVERNMENT.sub("", text))
    return "" if not rest else None
