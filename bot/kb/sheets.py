"""Reading the tables of an official list: .xlsx (openpyxl) or .csv (UTF-8, UTF-8 with BOM, GBK).

Cells come back as stripped text with the row numbers a spreadsheet shows, so
every problem can be pointed at by sheet, row and column.

A file is refused with a clear message before it can exhaust memory or time
(:class:`Limits`): its size on disk; for .xlsx the size of its zip members
once unpacked, read from the zip directory before openpyxl opens anything
(``zipfile`` never inflates a member beyond its declared size, so a zip bomb
cannot lie its way past); each sheet's declared range (a 5 KB file with cells
at A1 and XFD1048576 would make openpyxl pad 17 billion cells), and rows and
columns counted while reading; and the length of every cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ImportProblem, ImportRejected

SUFFIXES = (".xlsx", ".xlsm", ".csv")
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What an official list may be. Real lists are a few hundred rows of a dozen columns."""

    file_bytes: int = 20 * MB
    unpacked_bytes: int = 100 * MB  # all members of an .xlsx together, once decompressed
    members: int = 1000  # files inside an .xlsx
    rows: int = 20_000  # per sheet
    columns: int = 100
    cell_chars: int = 5000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[tuple[int, tuple[str, ...]]]  # (row number as shown, cell texts); blank rows left out


def read_sheets(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Sheet]:
    """Every sheet of ``path`` as text.

    Raises:
        ImportRejected: when the file is missing, of an unsupported kind, unreadable or beyond ``limits``.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        raise _rejected(path, "文件不存在")
    if suffix == ".xls":
        raise _rejected(path, "不支持旧版 .xls，请在 Excel/WPS 中另存为 .xlsx 或 .csv")
    if suffix not in SUFFIXES:
        raise _rejected(path, f"只能导入 .xlsx 或 .csv 文件，不是 {path.suffix or '无扩展名'}")
    size = path.stat().st_size
    if size > limits.file_bytes:
        reason = f"文件过大（{_mb(size)}），上限 {_mb(limits.file_bytes)}；请只保留清单表格，或拆分后分别导入"
        raise _rejected(path, reason)
    if suffix == ".csv":
        return [_read_csv(path, limits)]
    _check_zip(path, limits)
    return _read_xlsx(path, limits)


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


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB"


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse an .xlsx whose members would unpack beyond the limits, before anything is inflated."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _rejected(path, f"不是有效的 .xlsx 文件（无法解压：{exc}）；请在 Excel/WPS 中重新另存为 .xlsx") from exc
    if len(members) > limits.members:
        raise _rejected(path, f".xlsx 内含 {len(members)} 个文件，上限 {limits.members}；请只保留清单表格后另存")
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.unpacked_bytes:
        raise _rejected(
            path,
            f".xlsx 解压后有 {_mb(unpacked)}，上限 {_mb(limits.unpacked_bytes)}（可能含大量图片或是异常文件）；"
            "请只保留清单表格后另存",
        )


def _sheet_rows(
    rows: Iterable[tuple[int, Iterable[object]]], sheet: str, path: Path, limits: Limits, width: int | None = None
) -> list[tuple[int, tuple[str, ...]]]:
    """The non-blank rows as (row number, texts), refused beyond the limits.

    With ``width``, blank cells past it are dropped (the padding of a bounded read).
    """
    out = []
    too_long: list[ImportProblem] = []
    for count, (number, row) in enumerate(rows, start=1):
        cells = [cell_text(v) for v in row]
        filled = [index for index, cell in enumerate(cells) if cell]
        if not filled:
            continue
        if count > limits.rows:
            raise _rejected(path, f"工作表「{sheet}」超过 {limits.rows} 行；请删除表尾多余的行，或拆分后分别导入")
        if filled[-1] >= limits.columns:
            reason = f"超过 {limits.columns} 列；请删除多余的列后重新保存"
            raise ImportRejected([ImportProblem(sheet, number, column_letter(filled[-1]), reason)])
        for index in filled:
            if len(cells[index]) > limits.cell_chars and len(too_long) < 20:
                reason = f"单元格内容过长（{len(cells[index])} 字，上限 {limits.cell_chars} 字）"
                too_long.append(ImportProblem(sheet, number, column_letter(index), reason))
        if width is not None:
            cells = cells[: max(width, filled[-1] + 1)]
        out.append((number, tuple(cells)))
    if too_long:
        raise ImportRejected(too_long)
    return out


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # gb18030 reads every GBK file
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _rejected(path, "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8 和 GBK）")


def _read_csv(path: Path, limits: Limits) -> Sheet:
    text = _decode(path)
    head = text[:4096]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def records() -> Iterator[tuple[int, list[str]]]:
        start = 1  # a quoted cell may span lines: a record's row is the line it starts on
        for row in reader:
            yield start, row
            start = reader.line_num + 1

    try:
        return Sheet(path.name, _sheet_rows(records(), path.name, path, limits))
    except csv.Error as exc:
        raise ImportRejected([ImportProblem(path.name, reader.line_num, "", f"CSV 格式错误：{exc}")]) from exc


def _read_xlsx(path: Path, limits: Limits) -> list[Sheet]:
    import openpyxl  # imported here: only the importer needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise _rejected(path, f"无法读取 Excel 文件：{exc.__class__.__name__}: {exc}") from exc
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            declared_rows, declared_columns = worksheet.max_row or 0, worksheet.max_column or 0
            if declared_rows > limits.rows or declared_columns > limits.columns:
                raise _rejected(
                    path,
                    f"工作表「{worksheet.title}」的范围是 {declared_rows} 行 × {declared_columns} 列，"
                    f"上限 {limits.rows} 行 × {limits.columns} 列；"
                    "请删除表尾或右侧多余的行列（含只有格式的空单元格）后重新保存",
                )
            # Bounded even when the declared range lies: one row and one column past the limits
            # are read, so that content there is refused rather than silently cut off.
            rows = worksheet.iter_rows(min_row=1, max_row=limits.rows + 1, max_col=limits.columns + 1, values_only=True)
            numbered = enumerate(rows, start=1)
            read = _sheet_rows(numbered, worksheet.title, path, limits, declared_columns)
            sheets.append(Sheet(worksheet.title, read))
        return sheets
    finally:
        workbook.close()
