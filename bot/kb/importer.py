"""Importing an official 权责清单 / 下放事项目录 (.xlsx or .csv).

The knowledge base stays a function of the reviewed files in ``knowledge/``:
an import reads and validates the list, writes its rows in the ``items.csv``
columns to ``knowledge/imports/<name>.csv`` (see :mod:`bot.kb.sources` for how
they apply), and runs the normal build. In order:

1. read the list, find each sheet's header row, map its columns
   (``knowledge/import_mapping.yaml``), check every row against the knowledge
   in force; all problems at once, by sheet, row and column;
2. convert the rows and validate the whole knowledge base with them, into a
   temporary file beside the final one; compute the diff;
3. (not for ``dry_run``) build the database in one transaction from that
   temporary file, then move it into place; on any failure remove it, so the
   database and ``knowledge/imports/`` are exactly as before;
4. regenerate the lexicon. Running servers pick up the new version by
   themselves (:class:`bot.kb.provider.KnowledgeProvider`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import BuildRejected, ImportProblem, ImportRejected
from bot.kb.build import build
from bot.kb.legal import LegalReferenceError, parse_legal_basis
from bot.kb.sheets import Sheet, column_letter, read_sheets
from bot.kb.sources import (
    IMPORT_COLUMNS,
    IMPORTS_DIR,
    LAW_DOCUMENT,
    ItemRow,
    Sources,
    import_files_in,
    load_sources,
)
from bot.kb.types import POWER_TYPES, UNIT_KIND_LABELS, UNIT_KINDS, DistrictInfo, Knowledge, UnitInfo
from bot.units import resolve_unit

MAPPING_FILE = "import_mapping.yaml"
PROGRESS_FROM_ROWS = 500
FIELD_LABELS = {
    "code": "事项编码", "name": "事项名称", "subitem": "子项", "power_type": "权力类型", "legal_basis": "实施依据",
    "office": "承办机构", "department": "部门", "mode": "行使方式", "unit": "适用镇街", "aliases": "别名",
    "note": "备注", "held_by": "实施主体", "document": "文件", **UNIT_KIND_LABELS,
}
_NAME_OK = re.compile(r"[\w\-（）()]+")  # with fullmatch: "$" would let a trailing newline in
_GOVERNMENT = re.compile(r"(各?镇人民政府|各?街道办事处|镇政府|人民政府|镇街|镇[（(]街道?[）)]|街道|镇)")
_DEFAULT_NOTE = "清单未列明其他镇街的实施主体，请咨询区委编办。"


# ---------------------------------------------------------------------------
# The column mapping


@dataclass(frozen=True)
class ImportMapping:
    header_search_rows: int
    columns: dict[str, tuple[str, ...]]  # field -> normalised header names, preferred first
    required: tuple[str, ...]
    power_types: dict[str, str]
    modes: dict[str, str]  # normalised value -> yes / no / assist


def normalize_header(text: str) -> str:
    """序 号 / 事项名称（必填）/ 实施主体／承办机构 -> 序号 / 事项名称 / 实施主体/承办机构."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"\((必填|选填|可选|如有)\)$", "", text)
    return text.strip("*:")


def load_mapping(path: Path) -> ImportMapping:
    """Raises ImportRejected when the mapping file is missing or malformed."""
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        columns = {f: tuple(normalize_header(str(h)) for h in names) for f, names in spec["columns"].items()}
        modes = {normalize_header(str(v)): verdict for verdict, values in (spec.get("modes") or {}).items()
                 for v in values}
        mapping = ImportMapping(
            header_search_rows=int(spec.get("header_search_rows", 15)),
            columns=columns,
            required=tuple(spec.get("required") or ("code", "name", "power_type", "legal_basis")),
            power_types={normalize_header(str(k)): str(v) for k, v in (spec.get("power_types") or {}).items()},
            modes={k: {True: "yes", False: "no"}.get(v, v) for k, v in modes.items()},  # YAML reads yes/no as bools
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ImportRejected([ImportProblem(path.name, 0, "", f"列映射文件无法读取：{exc.__class__.__name__}: {exc}")])
    unknown = [f for f in (*mapping.columns, *mapping.required) if f not in FIELD_LABELS and f != "seq"]
    bad_modes = [v for v in mapping.modes.values() if v not in ("yes", "no", "assist")]
    bad_types = [v for v in mapping.power_types.values() if v not in POWER_TYPES]
    if unknown or bad_modes or bad_types:
        reason = "；".join(filter(None, [
            unknown and f"未知的字段 {'、'.join(unknown)}",
            bad_modes and f"modes 只能是 yes/no/assist：{'、'.join(map(str, bad_modes))}",
            bad_types and f"power_types 指向未知的权力类型：{'、'.join(bad_types)}",
        ]))
        raise ImportRejected([ImportProblem(path.name, 0, "", reason)])
    return mapping


# ---------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    kind: str  # added / changed / removed
    code: str
    name: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    name: str
    target: Path  # knowledge/imports/<name>.csv
    rows: int
    changes: tuple[ItemChange, ...]
    dry_run: bool
    version: str | None = None  # the version built; None for a dry run
    unchanged: bool = False  # the build found nothing new
    lexicon_changed: bool = False
    seconds: float = 0.0
    skipped_sheets: tuple[str, ...] = ()

    def of_kind(self, kind: str) -> list[ItemChange]:
        return [c for c in self.changes if c.kind == kind]


# ---------------------------------------------------------------------------
# Reading and checking the rows


@dataclass
class _Context:
    """What the rows are checked against: the knowledge sources in force."""

    sources: Sources
    items: dict[str, ItemRow]
    knowledge: Knowledge  # units only, for loose unit names
    offices: list[str]  # base office names, longest first
    unit_offices: dict[str, set[str]]

    @classmethod
    def of(cls, sources: Sources) -> _Context:
        units = tuple(UnitInfo(u.name, u.district, u.kind, tuple(u.offices), tuple(u.aliases)) for u in sources.units)
        knowledge = Knowledge(
            version="", built_at=dt.datetime.now(), units=units, items={},
            districts={n: DistrictInfo(n, c, e) for n, (c, e) in sources.districts.items()},
            office_substitutes=dict(sources.office_substitutes),
        )
        unit_offices = {u.full_name: {_office_base(o) for o in u.offices} for u in units}
        offices = set().union(*unit_offices.values()) | set(sources.office_substitutes)
        items = {i.code: i for i in sources.items}
        return cls(sources, items, knowledge, sorted(offices, key=len, reverse=True), unit_offices)


@dataclass
class _Row:
    sheet: str
    row: int
    cells: dict[str, str]
    columns: dict[str, str]  # field -> "E列「权力类型」"
    out: dict[str, str] = field(default_factory=dict)  # the row in IMPORT_COLUMNS


class _Problems:
    def __init__(self) -> None:
        self.items: list[ImportProblem] = []

    def add(self, sheet: str, row: int, column: str, reason: str) -> None:
        self.items.append(ImportProblem(sheet, row, column, reason))


def _office_base(name: str) -> str:
    return re.sub(r"[（(].*?[）)]$", "", name).strip()


def _find_header(sheet: Sheet, mapping: ImportMapping) -> tuple[int, dict[str, int], dict[str, str]] | None:
    """(position in sheet.rows, field -> column index, field -> header text) of the best header row."""
    best = None
    for position, (_, cells) in enumerate(sheet.rows[: mapping.header_search_rows]):
        found: dict[str, tuple[int, int, str]] = {}  # field -> (rank, column, header)
        for column, cell in enumerate(cells):
            header = normalize_header(cell)
            for name, synonyms in mapping.columns.items():
                if header in synonyms:
                    rank = synonyms.index(header)
                    if name not in found or rank < found[name][0]:
                        found[name] = (rank, column, cell)
        score = len(found)
        if score >= 2 and ("name" in found or "code" in found) and (best is None or score > best[0]):
            best = (score, position, found)
    if best is None:
        return None
    _, position, found = best
    return position, {f: c for f, (_, c, _) in found.items()}, {f: h for f, (_, _, h) in found.items()}


def _read_rows(
    sheets: list[Sheet], mapping: ImportMapping, problems: _Problems, file_name: str
) -> tuple[list[_Row], list[str], set[str]]:
    """Data rows of every sheet that has a header; the names of sheets without one; fields seen."""
    rows: list[_Row] = []
    skipped: list[str] = []
    fields_seen: set[str] = set()
    for sheet in sheets:
        header = _find_header(sheet, mapping)
        if header is None:
            skipped.append(sheet.name)
            continue
        position, columns, headers = header
        header_row = sheet.rows[position][0]
        missing = [f for f in mapping.required if f not in columns]
        if missing:
            names = "、".join(FIELD_LABELS[f] for f in missing)
            problems.add(sheet.name, header_row, "", f"缺少列：{names}（可在 knowledge/{MAPPING_FILE} 中为表头增加别名）")
            continue
        fields_seen |= set(columns)
        labels = {f: f"{column_letter(c)}列「{headers[f]}」" for f, c in columns.items()}
        header_names = {n for synonyms in mapping.columns.values() for n in synonyms}
        previous: dict[str, str] = {}
        for number, cells in sheet.rows[position + 1 :]:
            values = {f: cells[c] if c < len(cells) else "" for f, c in columns.items()}
            if not any(v for f, v in values.items() if f != "seq"):
                continue  # blank, or a note written in the 序号 column
            if normalize_header(values.get("name", "")) in header_names:
                continue  # the header repeated (lists printed across pages)
            if values.get("subitem"):
                # A 主项 merged over its 子项 rows is only in the first of them.
                for name in ("name", "power_type", "legal_basis", "department"):
                    if not values.get(name) and previous.get(name):
                        values[name] = previous[name]
            previous = values
            rows.append(_Row(sheet.name, number, values, labels))
    if not rows and not problems.items:
        problems.add(file_name, 0, "", "找不到表头或数据行（表头须含 事项名称 或 事项编码 等列，见 "
                                       f"knowledge/{MAPPING_FILE}）")
    return rows, skipped, fields_seen


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


def _office(text: str, context: _Context) -> str | None:
    """The office named in an 实施主体/承办机构 cell; "" when the cell names only the government."""
    for office in context.offices:
        if office in text:
            return office
    rest = re.sub(r"[/／、，,；;（）()\s]", "", _GOVERNMENT.sub("", text))
    return "" if not rest else None


def _check_row(
    row: _Row,
    context: _Context,
    mapping: ImportMapping,
    scope_kind: str | None,
    scope_unit: str | None,
    document: str | None,
    codes: dict[str, _Row],
    problems: _Problems,
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
    for text in re.split(r"[、,，;；/\s]+", cells.get("unit", "")):
        if not text:
            continue
        mention = resolve_unit(context.knowledge, text)
        if mention.unit is not None:
            units.append(mention.unit.full_name)
        elif mention.ambiguous:
            options = "、".join(u.full_name for u in mention.units[:5])
            problem("unit", f"镇街名称不唯一：{text!r}（{options}），请写明区")
        else:
            problem("unit", f"未知的镇街：{text!r}")
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
        "code": code, "name": name, "power_type": power_type, "legal_basis": legal_basis,
        "department": department, **rules, "office": office, "held_by": held_by,
        "document": document or "", "aliases": ";".join(_split(cells.get("aliases", ""))),
        "note": note, "unit_rules": unit_rules, "source": f"{row.sheet}:{row.row}",
    }
    # One line per row in the imports file, so its line numbers lead back to the list.
    row.out = {k: re.sub(r"\s*\n\s*", " ", v) for k, v in out.items()}


def _split(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;；、]", value) if p.strip()]


# ---------------------------------------------------------------------------
# Diff


def diff_items(before: list[ItemRow], after: list[ItemRow]) -> list[ItemChange]:
    """Added, changed (with the fields that changed) and removed items, in list order."""
    old = {i.code: i for i in before}
    new = {i.code: i for i in after}
    changes = [ItemChange("added", i.code, i.name) for i in after if i.code not in old]
    for item in after:
        if item.code in old:
            fields = _changed_fields(old[item.code], item)
            if fields:
                changes.append(ItemChange("changed", item.code, item.name, tuple(fields)))
    changes += [ItemChange("removed", i.code, i.name) for i in before if i.code not in new]
    return changes


def _changed_fields(a: ItemRow, b: ItemRow) -> list[FieldChange]:
    out = []
    for name in ("name", "power_type", "legal_basis", "department", "office", "held_by", "document", "note"):
        x, y = getattr(a, name) or "", getattr(b, name) or ""
        if x != y:
            out.append(FieldChange(name, x, y))
    for kind in UNIT_KINDS:
        if a.rules.get(kind) != b.rules.get(kind):
            out.append(FieldChange(kind, a.rules.get(kind, ""), b.rules.get(kind, "")))
    for unit in sorted(set(a.unit_rules) | set(b.unit_rules)):
        if a.unit_rules.get(unit) != b.unit_rules.get(unit):
            out.append(FieldChange(unit, a.unit_rules.get(unit, "（按类型）"), b.unit_rules.get(unit, "（按类型）")))
    added = [x for x in b.aliases if x not in a.aliases]
    if added:
        out.append(FieldChange("aliases", ";".join(a.aliases), ";".join(b.aliases)))
    return out


def describe(result: ImportResult, limit: int = 200) -> str:
    """The diff as a reader wants it: counts, then every item with its code, name and changed fields."""
    added, changed, removed = (result.of_kind(k) for k in ("added", "changed", "removed"))
    head = f"{result.rows} 行 → 新增 {len(added)} 项，修改 {len(changed)} 项，删除 {len(removed)} 项"
    lines = [head]
    shown = 0
    for title, group, mark in (("新增", added, "+"), ("修改", changed, "~"), ("删除", removed, "-")):
        if not group:
            continue
        lines.append(f"{title}：")
        for change in group:
            if shown >= limit:
                break
            shown += 1
            line = f"  {mark} {change.code} {change.name}"
            if change.fields:
                line += "：" + "；".join(
                    f"{FIELD_LABELS.get(f.field, f.field)} {_short(f.before) or '（空）'} → {_short(f.after) or '（空）'}"
                    for f in change.fields
                )
            lines.append(line)
    if shown < len(result.changes):
        lines.append(f"  … 另有 {len(result.changes) - shown} 项未列出")
    return "\n".join(lines)


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------------------
# The import


def import_list(
    path: Path,
    knowledge_dir: Path,
    url: str | None = None,
    *,
    unit_kind: str | None = None,
    unit: str | None = None,
    name: str | None = None,
    document: str | None = None,
    dry_run: bool = False,
    lexicon: tuple[Path, Path] | None = None,
    progress: bool = True,
) -> ImportResult:
    """Import an official list; see the module docstring for the steps.

    Args:
        unit_kind: the kind of unit the list is for (town / central_street / noncentral_street).
        unit: a single unit whose own list this is (loose names allowed: 石牌街道).
        name: the name of ``knowledge/imports/<name>.csv``; the file's stem by default.
        document: a documents.csv id recorded as the items' delegation document.
        lexicon: (jieba dir, lookup file) to regenerate after a successful import.

    Raises:
        ImportRejected: the list has problems; nothing was written.
        BuildRejected: the knowledge sources in force have problems of their own.
    """
    started = time.perf_counter()
    name = name or path.stem
    problems = _Problems()
    if not _NAME_OK.fullmatch(name):
        problems.add("--name", 0, "", f"导入名称只能包含文字、数字、-、_ 和括号：{name!r}")
    if unit_kind and unit:
        problems.add("命令行", 0, "", "--unit-kind 与 --unit 只能选一个")
    if unit_kind and unit_kind not in UNIT_KINDS:
        problems.add("--unit-kind", 0, "", f"未知的镇街类型：{unit_kind!r}（应为 {'/'.join(UNIT_KINDS)}）")
    if problems.items:
        raise ImportRejected(problems.items)

    sources = load_sources(knowledge_dir)
    # Rows are checked against the knowledge without this list's previous version, which the
    # new one replaces as a whole; the diff is taken against everything in force.
    others = {n: p for n, p in import_files_in(knowledge_dir).items() if n != name}
    replaced = name in import_files_in(knowledge_dir)
    context = _Context.of(load_sources(knowledge_dir, others) if replaced else sources)
    mapping = load_mapping(knowledge_dir / MAPPING_FILE)
    scope_unit = None
    if unit:
        mention = resolve_unit(context.knowledge, unit)
        if mention.unit is None:
            options = "、".join(u.full_name for u in mention.units[:5])
            reason = f"镇街名称不唯一：{unit}（{options}），请写明区" if mention.ambiguous else f"未知的镇街：{unit}"
            problems.add("--unit", 0, "", reason)
        else:
            scope_unit = mention.unit.full_name
    if document and document != LAW_DOCUMENT and document not in sources.documents:
        problems.add("--document", 0, "", f"未知的文件编号：{document}（见 knowledge/documents.csv）")
    if problems.items:
        raise ImportRejected(problems.items)

    rows, skipped, fields_seen = _read_rows(read_sheets(path), mapping, problems, path.name)
    if not unit_kind and not scope_unit and "unit" not in fields_seen and rows:
        problems.add(path.name, 0, "", "未指定适用范围：请用 --unit-kind 或 --unit，或在清单中加“适用镇街”列")
        raise ImportRejected(problems.items)
    codes: dict[str, _Row] = {}
    for row in _progress(rows, progress):
        _check_row(row, context, mapping, unit_kind, scope_unit, document, codes, problems)
    if problems.items:
        raise ImportRejected(problems.items)

    imports_dir = knowledge_dir / IMPORTS_DIR
    target = imports_dir / f"{name}.csv"
    content = _imports_csv(path, rows, unit_kind, scope_unit)
    # A dry run writes nothing under knowledge/; a real import writes beside the target, so
    # moving the file into place is one rename. Not *.csv: no build reads it by itself.
    scratch = Path(tempfile.mkdtemp(prefix="kb-import-")) if dry_run else imports_dir
    created = not scratch.exists()
    scratch.mkdir(exist_ok=True)
    temporary = scratch / f".{name}.csv.tmp"
    temporary.write_text(content, encoding="utf-8")
    try:
        files = {**others, name: temporary}
        try:
            after = load_sources(knowledge_dir, files)
        except BuildRejected as exc:
            raise _map_back(exc, f"{IMPORTS_DIR}/{name}.csv", rows) from exc
        changes = tuple(diff_items(sources.items, after.items))
        if dry_run:
            return ImportResult(name, target, len(rows), changes, True, seconds=time.perf_counter() - started,
                                skipped_sheets=tuple(skipped))
        result = build(knowledge_dir, url, import_files=files)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
        if dry_run:
            shutil.rmtree(scratch, ignore_errors=True)
        elif created and not any(scratch.iterdir()):
            scratch.rmdir()
    lexicon_changed = _write_lexicon(url, lexicon) if lexicon else False
    return ImportResult(name, target, len(rows), changes, False, result.version, result.skipped, lexicon_changed,
                        time.perf_counter() - started, tuple(skipped))


def _progress(rows: list[_Row], enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled or len(rows) <= PROGRESS_FROM_ROWS:
        return rows
    from tqdm import tqdm

    return tqdm(rows, desc="校验清单", unit="行", leave=False)


def _imports_csv(path: Path, rows: list[_Row], unit_kind: str | None, unit: str | None) -> str:
    scope = unit or (UNIT_KIND_LABELS[unit_kind] if unit_kind else "见适用镇街")
    buffer = io.StringIO()
    buffer.write(f"# 由 `python -m bot.kb import` 从 {path.name} 导入（适用：{scope}，{dt.date.today()}）。"
                 "可审阅、提交；重新导入同名清单会整体替换本文件。\n")
    writer = csv.DictWriter(buffer, fieldnames=list(IMPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row.out)
    return buffer.getvalue()


def _map_back(exc: BuildRejected, label: str, rows: list[_Row]) -> ImportRejected:
    """Problems the whole-knowledge check found in the converted rows, located in the list again."""
    first_data_line = 3  # a comment line, the header, then the rows in order
    problems = []
    for p in exc.problems:
        index = p.line - first_data_line
        if p.file == label and 0 <= index < len(rows):
            problems.append(ImportProblem(rows[index].sheet, rows[index].row, "", p.reason))
        else:
            problems.append(ImportProblem(p.file, p.line, "", p.reason))
    return ImportRejected(problems)


def _write_lexicon(url: str | None, lexicon: tuple[Path, Path]) -> bool:
    """Regenerate the jieba dictionary and lookup tables; True when either changed."""
    from bot.kb.lexicon import write_lexicon
    from bot.kb.provider import KnowledgeProvider

    jieba_dir, lookup_file = lexicon
    watched = [jieba_dir / "userdict.txt", lookup_file]
    before = [p.read_bytes() if p.exists() else None for p in watched]
    write_lexicon(KnowledgeProvider(url, check_every_s=0).get(), jieba_dir, lookup_file)
    return before != [p.read_bytes() if p.exists() else None for p in watched]
