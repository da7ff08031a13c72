"""The items (权责事项) of ``knowledge/``: ``items.csv``, the imported lists on top of
it, and the aliases and keywords staff use for them.

Imported official lists (``knowledge/imports/*.csv``, written by
``python -m bot.kb import``) are read after ``items.csv``, in file-name order.
Their rows use the ``items.csv`` columns plus ``unit_rules`` and ``source``,
and a blank cell means "this list says nothing about it":

- a code that is already defined keeps its item; the row's non-blank cells
  replace the item's fields, a non-blank unit-kind cell replaces the rule for
  that kind, ``unit_rules`` entries replace that unit's own rule, aliases add up;
- a new code adds an item whose blank unit-kind cells mean ``no``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.kb.legal import ArticleRef, LawText, LegalReferenceError, parse_legal_basis, resolve_legal_basis
from bot.kb.names import item_key, office_base, split_list
from bot.kb.source_files import Collector, read_csv
from bot.kb.types import POWER_TYPES, UNIT_KINDS, VERDICTS

MIN_SITUATION, MAX_SITUATION = 6, 64  # characters of a situation description (the alias column)
LAW_DOCUMENT = "LAW"  # document code meaning: the duty is given by the cited law
DERIVED_PREFIX = "QD-"  # codes made from an item's name for lists that give none
OFFICE_UNSTATED = "承办机构未在清单中明确"  # a note standing in for the office a published list does not name
# What published lists add about each item (责任事项, 追责情形, 责任岗位, 监管电话), kept as written.
ACCOUNTABILITY_COLUMNS = ("duties", "accountability", "responsible_post", "phone")
IMPORT_COLUMNS = (
    "code",
    "name",
    "power_type",
    "legal_basis",
    "department",
    *UNIT_KINDS,
    "office",
    "held_by",
    "document",
    "aliases",
    "note",
    "unit_rules",
    "source",
    *ACCOUNTABILITY_COLUMNS,
)
Where = tuple[str, int]


@dataclass
class ItemRow:
    line: int
    code: str
    name: str
    power_type: str
    legal_basis: str
    references: list[ArticleRef]
    department: str
    rules: dict[str, str]
    office: str | None
    held_by: str | None
    document: str | None
    aliases: list[str]
    note: str | None
    keywords: list[str] = field(default_factory=list)
    situations: list[str] = field(default_factory=list)  # a case of the item in staff's words
    unit_rules: dict[str, str] = field(default_factory=dict)  # unit full name -> yes/no/assist
    duties: str | None = None  # 责任事项
    accountability: str | None = None  # 追责情形
    responsible_post: str | None = None  # 责任岗位
    phone: str | None = None  # 监管电话


def read_items(
    path: Path,
    documents: dict[str, dict[str, str]],
    laws: dict[str, LawText],
    problems: Collector,
    unit_offices: dict[str, set[str]],
) -> list[ItemRow]:
    """The rows of ``items.csv`` that pass every check."""
    required = ["code", "name", "power_type", "legal_basis", "department", *UNIT_KINDS, "office", "held_by", "document"]
    items: list[ItemRow] = []
    codes: set[str] = set()
    for line, row in read_csv(path, required, problems):
        where = (path.name, line)
        code = row["code"]
        errors_before = len(problems.problems)
        if not code:
            problems.add(*where, "缺少事项编码")
        elif code in codes:
            problems.add(*where, f"事项编码重复：{code}")
        if not row["name"]:
            problems.add(*where, "缺少事项名称")
        if row["power_type"] not in POWER_TYPES:
            problems.add(*where, f"未知的权力类型：{row['power_type']!r}")
        if not row["department"]:
            problems.add(*where, "缺少区级主管部门")
        rules = {}
        for kind in UNIT_KINDS:
            if row[kind] not in VERDICTS:
                problems.add(*where, f"{kind} 列须为 yes/no/assist：{row[kind]!r}")
            rules[kind] = row[kind]
        unit_rules = parse_unit_rules(row.get("unit_rules", ""), unit_offices, where, problems)
        for reason in rule_problems(
            [*rules.values(), *unit_rules.values()], row["office"], row["held_by"], row.get("note", "")
        ):
            problems.add(*where, reason)
        document = row["document"] or None
        if document and document != LAW_DOCUMENT and document not in documents:
            problems.add(*where, f"未知的文件编号：{document}")
        references = _references(row["legal_basis"], laws, where, problems)
        if len(problems.problems) > errors_before:
            continue
        codes.add(code)
        items.append(
            ItemRow(
                line=line,
                code=code,
                name=row["name"],
                power_type=row["power_type"],
                legal_basis=row["legal_basis"],
                references=references,
                department=row["department"],
                rules=rules,
                office=row["office"] or None,
                held_by=row["held_by"] or None,
                document=None if document == LAW_DOCUMENT else document,
                aliases=split_list(row.get("aliases", "")),
                note=row.get("note") or None,
                unit_rules=unit_rules,
                duties=row.get("duties") or None,
                accountability=row.get("accountability") or None,
                responsible_post=row.get("responsible_post") or None,
                phone=row.get("phone") or None,
            )
        )
    return items


def rule_problems(verdicts: list[str], office: str | None, held_by: str | None, note: str | None) -> list[str]:
    """What an item with these rules must also say (shared by items.csv and imported lists)."""
    reasons = []
    if any(v in ("yes", "assist") for v in verdicts) and not office and OFFICE_UNSTATED not in (note or ""):
        reasons.append("镇街承担的事项须写明承办机构（office）")
    if "assist" in verdicts and not held_by:
        reasons.append("协助办理的事项须写明决定机关（held_by）")
    if "no" in verdicts and not (held_by or note):
        reasons.append("有不承接的镇街类型时须写明实施主体（held_by）或说明（note）")
    return reasons


def _references(text: str, laws: dict[str, LawText], where: Where, problems: Collector) -> list[ArticleRef]:
    """Parse a legal basis and check every law and article against ``knowledge/laws/``."""
    references: list[ArticleRef] = []
    try:
        references = parse_legal_basis(text)
    except LegalReferenceError as exc:
        problems.add(*where, f"法律依据无法解析：{exc}")
    for ref in references:
        law = laws.get(ref.law)
        if law is None:
            problems.add(*where, f"法律文本中没有《{ref.law}》")
        elif ref.article and ref.article not in law.articles:
            problems.add(*where, f"《{ref.law}》没有{ref.article}")
    return references


def parse_unit_rules(text: str, unit_offices: dict[str, set[str]], where: Where, problems: Collector) -> dict[str, str]:
    """``天河区石牌街道=yes;白云区江高镇=no`` -> {unit full name: verdict}."""
    rules: dict[str, str] = {}
    for part in split_list(text):
        unit, _, verdict = part.partition("=")
        unit, verdict = unit.strip(), verdict.strip()
        if unit not in unit_offices:
            problems.add(*where, f"unit_rules 中未知的镇街：{unit!r}（须写区名加镇街名，如 天河区石牌街道）")
        elif verdict not in VERDICTS:
            problems.add(*where, f"unit_rules 中 {unit} 的规则须为 yes/no/assist：{verdict!r}")
        else:
            rules[unit] = verdict
    return rules


def apply_import(
    label: str,
    path: Path,
    items: list[ItemRow],
    documents: dict[str, dict[str, str]],
    laws: dict[str, LawText],
    unit_offices: dict[str, set[str]],
    substitutes: dict[str, str],
    problems: Collector,
) -> None:
    """Apply one imported list on top of ``items`` (see the module docstring)."""
    known_offices = set().union(*unit_offices.values()) | set(substitutes)
    position = {item.code: i for i, item in enumerate(items)}
    # Items before this list, by name (the first of equal names); a list's own rows never merge.
    named = {item_key(item.name): item.code for item in reversed(items)}
    seen: set[str] = set()
    for line, row in read_csv(path, ["code", "name", *UNIT_KINDS, "unit_rules"], problems, label):
        where = (label, line)
        errors_before = len(problems.problems)
        cell = {column: row.get(column, "") for column in IMPORT_COLUMNS}
        code = cell["code"]
        if not code:
            problems.add(*where, "缺少事项编码")
            continue
        if code in seen:
            problems.add(*where, f"事项编码重复：{code}")
            continue
        seen.add(code)
        same_name = named.get(item_key(cell["name"])) if cell["name"] and code not in position else None
        if same_name and DERIVED_PREFIX in (code[: len(DERIVED_PREFIX)], same_name[: len(DERIVED_PREFIX)]):
            # One of two lists naming the same matter gave no code: it is one item, whichever
            # list comes first (two different codes of its own are two items, as the lists say).
            code = same_name
        existing = items[position[code]] if code in position else None
        if existing is None:
            for column, reason in (
                ("name", "缺少事项名称"),
                ("power_type", "缺少权力类型"),
                ("legal_basis", "缺少法律依据"),
            ):
                if not cell[column]:
                    problems.add(*where, f"新事项{reason}")
        if cell["power_type"] and cell["power_type"] not in POWER_TYPES:
            problems.add(*where, f"未知的权力类型：{cell['power_type']!r}")
        for kind in UNIT_KINDS:
            if cell[kind] and cell[kind] not in VERDICTS:
                problems.add(*where, f"{kind} 列须为 yes/no/assist 或留空：{cell[kind]!r}")
        unit_rules = parse_unit_rules(cell["unit_rules"], unit_offices, where, problems)
        if not any(cell[k] for k in UNIT_KINDS) and not cell["unit_rules"]:
            problems.add(*where, "本行没有给出任何镇街类型或镇街的规则")
        if cell["office"] and office_base(cell["office"]) not in known_offices:
            problems.add(*where, f"未知的承办机构：{cell['office']!r}")
        document = cell["document"]
        if document and document != LAW_DOCUMENT and document not in documents:
            problems.add(*where, f"未知的文件编号：{document}")
        # A published list cites laws as it pleases; what the library does not hold stays as written.
        references = resolve_legal_basis(cell["legal_basis"], laws).references if cell["legal_basis"] else None
        if len(problems.problems) > errors_before:
            continue

        rules = {k: cell[k] or (existing.rules[k] if existing else "no") for k in UNIT_KINDS}
        merged = ItemRow(
            line=line,
            code=code,
            name=cell["name"] or (existing.name if existing else ""),
            power_type=cell["power_type"] or (existing.power_type if existing else ""),
            legal_basis=cell["legal_basis"] or (existing.legal_basis if existing else ""),
            references=references if references is not None else (existing.references if existing else []),
            department=cell["department"] or (existing.department if existing else ""),
            rules=rules,
            office=cell["office"] or (existing.office if existing else None),
            held_by=cell["held_by"] or (existing.held_by if existing else None),
            document=(None if document == LAW_DOCUMENT else document)
            if document
            else (existing.document if existing else None),
            aliases=list(dict.fromkeys([*(existing.aliases if existing else []), *split_list(cell["aliases"])])),
            note=cell["note"] or (existing.note if existing else None),
            keywords=list(existing.keywords) if existing else [],
            situations=list(existing.situations) if existing else [],
            unit_rules={**(existing.unit_rules if existing else {}), **unit_rules},
            duties=cell["duties"] or (existing.duties if existing else None),
            accountability=cell["accountability"] or (existing.accountability if existing else None),
            responsible_post=cell["responsible_post"] or (existing.responsible_post if existing else None),
            phone=cell["phone"] or (existing.phone if existing else None),
        )
        for reason in rule_problems(
            [*merged.rules.values(), *merged.unit_rules.values()], merged.office, merged.held_by, merged.note
        ):
            problems.add(*where, reason)
        if merged.office:
            base = office_base(merged.office)
            for unit, verdict in unit_rules.items():
                offices = unit_offices[unit]
                if verdict != "no" and base not in offices and substitutes.get(base) not in offices:
                    problems.add(*where, f"{unit}未设{merged.office}")
        if len(problems.problems) > errors_before:
            continue
        if existing is None:
            position[code] = len(items)
            items.append(merged)
        else:
            items[position[code]] = merged


def read_extra_aliases(path: Path, items: list[ItemRow], problems: Collector) -> None:
    """More names staff use for items (``aliases.csv``)."""
    for item, words, _line in _per_item(path, "aliases", items, problems):
        for alias in words:
            if alias not in item.aliases:
                item.aliases.append(alias)


def read_keywords(path: Path, items: list[ItemRow], problems: Collector) -> None:
    """Situation words (饭馆, 黑烟, 排风口) that describe an item without naming it (``keywords.csv``)."""
    for item, words, line in _per_item(path, "keywords", items, problems):
        for word in words:
            if len(word) < 2:
                problems.add(path.name, line, f"关键词至少两个字：{word!r}")
            elif word not in item.keywords and word not in item.aliases:
                item.keywords.append(word)


def read_situations(path: Path, items: list[ItemRow], problems: Collector) -> None:
    """Cases of each item described the way staff and residents tell them, one per row
    (``situations.csv``: 有人半夜开车把几袋装修垃圾倒在村口). Optional: only the embedding index uses them."""
    if not path.exists():
        return
    by_code = {item.code: item for item in items}
    for line, row in read_csv(path, ["code", "text"], problems):
        item, text = by_code.get(row["code"]), row["text"].strip()
        if item is None:
            problems.add(path.name, line, f"未知的事项编码：{row['code']!r}")
        elif not MIN_SITUATION <= len(text) <= MAX_SITUATION:
            problems.add(path.name, line, f"情形描述应为 {MIN_SITUATION}–{MAX_SITUATION} 个字：{text!r}")
        elif text not in item.situations:
            item.situations.append(text)


def _per_item(
    path: Path, column: str, items: list[ItemRow], problems: Collector
) -> list[tuple[ItemRow, list[str], int]]:
    if not path.exists():
        return []
    by_code = {item.code: item for item in items}
    rows = []
    for line, row in read_csv(path, ["code", column], problems):
        item = by_code.get(row["code"])
        if item is None:
            problems.add(path.name, line, f"未知的事项编码：{row['code']!r}")
        else:
            rows.append((item, split_list(row[column]), line))
    return rows
