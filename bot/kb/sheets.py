"""Reading the tables of an official list: .xlsx (openpyxl) or .csv (UTF-8, UTF-8 with BOM, GBK).

Cells come back as stripped text with the row numbers a spreadsheet shows, so
every problem can be pointed at by sheet, row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ImportProblem, ImportRejected

SUFFIXES = (".xlsx", ".xlsm", ".csv")


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[tuple[int, tuple[str, ...]]]  # (row number as shown, cell texts); blank rows left out


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of ``path`` as text.

    Raises:
        ImportRejected: when the file is missing, of an unsupported kind, or unreadable.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        raise _rejected(path, "文件不存在")
    if suffix == ".xls":
        raise _rejected(path, "不支持旧版 .xls，请在 Excel/WPS 中另存为 .xlsx 或 .csv")
    if suffix not in SUFFIXES:
        raise _rejected(path, f"只能导入 .xlsx 或 .csv 文件，不是 {path.suffix or '无扩展名'}")
    if suffix == ".csv":
        return [_read_csv(path)]
    return _read_xlsx(path)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as spreadsheets name columns)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_text(value: object) -> str:
    """A cell as the text a reader sees (codes stored as numbers lose no digits)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _rejected(path: Path, reason: str) -> ImportRejected:
    return ImportRejected([ImportProblem(path.name, 0, "", reason)])


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # gb18030 reads every GBK file
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _rejected(path, "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8 和 GBK）")


def _read_csv(path: Path) -> Sheet:
    text = _decode(path)
    head = text[:4096]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1  # a quoted cell may span lines: a record's row is the line it starts on
    try:
        for row in reader:
            cells = tuple(cell_text(c) for c in row)
            if any(cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportRejected([ImportProblem(path.name, reader.line_num, "", f"CSV 格式错误：{exc}")]) from exc
    return Sheet(path.name, rows)


def _read_xlsx(path: Path) -> list[Sheet]:
    import openpyxl  # imported here: only the importer needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise _rejected(path, f"无法读取 Excel 文件：{exc.__class__.__name__}: {exc}") from exc
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            rows = []
            for number, row in enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1):
                cells = tuple(cell_text(v) for v in row)
                if any(cells):
                    rows.append((number, cells))
            sheets.append(Sheet(worksheet.title, rows))
        return sheets
    finally:
        workbook.close()
