"""Reading an official list: its column mapping (``knowledge/import_mapping.yaml``),
each sheet's header row, and the data rows under it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import ImportProblem, ImportRejected
from bot.kb.sheets import Sheet, column_letter
from bot.kb.types import POWER_TYPES, UNIT_KIND_LABELS

MAPPING_FILE = "import_mapping.yaml"
FIELD_LABELS = {
    "code": "事项编码",
    "name": "事项名称",
    "subitem": "子项",
    "power_type": "权力类型",
    "legal_basis": "实施依据",
    "office": "承办机构",
    "department": "部门",
    "mode": "行使方式",
    "unit": "适用镇街",
    "aliases": "别名",
    "note": "备注",
    "held_by": "实施主体",
    "subject": "实施主体",
    "document": "文件",
    "duties": "责任事项",
    "accountability": "追责情形",
    "post": "责任岗位",
    "responsible_post": "责任岗位",
    "phone": "监管电话",
    **UNIT_KIND_LABELS,
}


@dataclass(frozen=True)
class ImportMapping:
    header_search_rows: int
    columns: dict[str, tuple[str, ...]]  # field -> normalised header names, preferred first
    required: tuple[str, ...]
    power_types: dict[str, str]
    modes: dict[str, str]  # normalised value -> yes / no / assist
    field_offices: tuple[FieldOffice, ...] = ()


@dataclass(frozen=True)
class FieldOffice:
    """The office a unit gives the items of one field (by words of the name, or power types)."""

    office: str
    words: tuple[str, ...] = ()
    power_types: tuple[str, ...] = ()


@dataclass
class ListRow:
    """One data row of the list, by field."""

    sheet: str
    row: int
    cells: dict[str, str]
    columns: dict[str, str]  # field -> "E列「权力类型」"
    out: dict[str, str] = field(default_factory=dict)  # the row in the imports-file columns, once checked


class ImportProblems:
    """Problems (the list is refused) and warnings (it goes in; the reader should look)."""

    def __init__(self) -> None:
        self.items: list[ImportProblem] = []
        self.warnings: list[ImportProblem] = []
        self.not_held: dict[str, int] = {}  # 《law》 the library does not hold -> rows citing it

    def add(self, sheet: str, row: int, column: str, reason: str) -> None:
        self.items.append(ImportProblem(sheet, row, column, reason))

    def warn(self, sheet: str, row: int, column: str, reason: str) -> None:
        self.warnings.append(ImportProblem(sheet, row, column, reason))


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
        modes = {
            normalize_header(str(v)): verdict for verdict, values in (spec.get("modes") or {}).items() for v in values
        }
        mapping = ImportMapping(
            header_search_rows=int(spec.get("header_search_rows", 15)),
            columns=columns,
            required=tuple(spec.get("required") or ("name", "power_type", "legal_basis")),
            power_types={normalize_header(str(k)): str(v) for k, v in (spec.get("power_types") or {}).items()},
            modes={k: {True: "yes", False: "no"}.get(v, v) for k, v in modes.items()},  # YAML reads yes/no as bools
            field_offices=tuple(
                FieldOffice(
                    str(rule["office"]),
                    tuple(str(w) for w in rule.get("words") or ()),
                    tuple(str(t) for t in rule.get("power_types") or ()),
                )
                for rule in spec.get("field_offices") or ()
            ),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        reason = f"列映射文件无法读取：{exc.__class__.__name__}: {exc}"
        raise ImportRejected([ImportProblem(path.name, 0, "", reason)]) from exc
    unknown = [f for f in (*mapping.columns, *mapping.required) if f not in FIELD_LABELS and f != "seq"]
    bad_modes = [v for v in mapping.modes.values() if v not in ("yes", "no", "assist")]
    bad_types = [v for v in mapping.power_types.values() if v not in POWER_TYPES]
    if unknown or bad_modes or bad_types:
        reasons = []
        if unknown:
            reasons.append(f"未知的字段 {'、'.join(unknown)}")
        if bad_modes:
            reasons.append(f"modes 只能是 yes/no/assist：{'、'.join(map(str, bad_modes))}")
        if bad_types:
            reasons.append(f"power_types 指向未知的权力类型：{'、'.join(bad_types)}")
        reason = "；".join(reasons)
        raise ImportRejected([ImportProblem(path.name, 0, "", reason)])
    return mapping


def find_header(sheet: Sheet, mapping: ImportMapping) -> tuple[int, dict[str, int], dict[str, str]] | None:
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


def read_rows(
    sheets: list[Sheet], mapping: ImportMapping, problems: ImportProblems, file_name: str
) -> tuple[list[ListRow], list[str], set[str]]:
    """Data rows of every sheet that has a header; the names of sheets without one; fields seen."""
    rows: list[ListRow] = []
    skipped: list[str] = []
    fields_seen: set[str] = set()
    for sheet in sheets:
        header = find_header(sheet, mapping)
        if header is None:
            skipped.append(sheet.name)
            continue
        position, columns, headers = header
        header_row = sheet.rows[position][0]
        missing = [f for f in mapping.required if f not in columns]
        if missing:
            unmapped = _unmapped_headers(sheet.rows[position][1], mapping)
            problems.add(sheet.name, header_row, "", _missing_columns_reason(missing, unmapped, mapping))
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
            rows.append(ListRow(sheet.name, number, values, labels))
    if not rows and not problems.items:
        reason = f"找不到表头或数据行（表头须含 事项名称 或 事项编码 等列，见 knowledge/{MAPPING_FILE}）"
        widest = max(
            (cells for s in sheets for _, cells in s.rows[: mapping.header_search_rows]), key=_filled, default=()
        )
        unmapped = _unmapped_headers(widest, mapping)
        if unmapped:
            missing = [
                f for f in mapping.required if not any(normalize_header(c) in mapping.columns[f] for c in widest)
            ]
            reason = _missing_columns_reason(missing or ["name"], unmapped, mapping)
        problems.add(file_name, 0, "", reason)
    return rows, skipped, fields_seen


def _filled(cells: tuple[str, ...]) -> int:
    return sum(1 for c in cells if c)


def _unmapped_headers(cells: tuple[str, ...], mapping: ImportMapping) -> list[str]:
    known = {n for synonyms in mapping.columns.values() for n in synonyms}
    return [c for c in cells if c and normalize_header(c) not in known]


def _missing_columns_reason(missing: list[str], unmapped: list[str], mapping: ImportMapping) -> str:
    """Which fields are missing, which headers were not understood, and the mapping line to add."""
    names = "、".join(FIELD_LABELS[f] for f in missing)
    reason = f"缺少列：{names}"
    if not unmapped:
        return reason + f"（可在 knowledge/{MAPPING_FILE} 中为表头增加别名）"
    first = missing[0]
    headers = ", ".join([*mapping.columns.get(first, ())[:3], "…", normalize_header(unmapped[0])])
    return (
        f"{reason}；未能识别的表头：{'、'.join(unmapped)}。"
        f"如「{unmapped[0]}」就是{FIELD_LABELS[first]}，请在 knowledge/{MAPPING_FILE} 的 columns 下"
        f"把它加到 {first} 一行，如：{first}: [{headers}]"
    )
