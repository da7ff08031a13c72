"""An official list that would exhaust memory or time is refused quickly, with a clear Chinese reason."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from bot.errors import ImportRejected
from bot.kb.importer import import_list
from bot.kb.sheets import Limits, read_sheets
from tests.bot.kb.sample_lists import SAMPLE_XLSX


def _refusal(path: Path, limits: Limits | None = None) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(ImportRejected) as refused:
        read_sheets(path, limits or Limits())
    return str(refused.value), time.monotonic() - started


def test_a_tiny_file_spanning_the_whole_sheet_is_refused_at_once(tmp_path):
    path = tmp_path / "whole-sheet.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "事项名称"
    workbook.active["XFD1048576"] = "x"  # openpyxl would pad 17 billion cells in between
    workbook.save(path)
    assert path.stat().st_size < 6000
    message, seconds = _refusal(path)
    assert "1048576 行 × 16384 列" in message and "上限 20000 行 × 100 列" in message
    assert seconds < 1.0


def test_a_zip_bomb_is_refused_before_anything_is_inflated(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(SAMPLE_XLSX.read_bytes())
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/image1.bin", "w", force_zip64=True) as member:
            for _ in range(120):  # 120 MB of zeros: about 120 KB on disk
                member.write(zeros)
    assert path.stat().st_size < 1024 * 1024
    message, seconds = _refusal(path)
    assert "解压后有 120." in message and "上限 100.0 MB" in message
    assert seconds < 1.0


def test_too_many_members_or_not_a_zip_at_all(tmp_path):
    crowded = tmp_path / "crowded.xlsx"
    crowded.write_bytes(SAMPLE_XLSX.read_bytes())
    with zipfile.ZipFile(crowded, "a") as archive:
        for number in range(30):
            archive.writestr(f"xl/media/{number}.txt", "x")
    assert "上限 20" in _refusal(crowded, Limits(members=20))[0]
    fake = tmp_path / "fake.xlsx"
    fake.write_text("序号,事项名称\n1,占道经营\n", encoding="utf-8")
    assert "不是有效的 .xlsx 文件" in _refusal(fake)[0]


def test_file_size_rows_columns_and_cells_are_capped(tmp_path):
    assert "文件过大" in _refusal(SAMPLE_XLSX, Limits(file_bytes=1000))[0]

    path = tmp_path / "list.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "清单"
    for row in range(1, 8):
        sheet.cell(row, 1, f"事项{row}")
    sheet.cell(3, 2, "长" * 60)
    workbook.save(path)
    assert "工作表「清单」的范围是 7 行 × 2 列，上限 5 行" in _refusal(path, Limits(rows=5))[0]
    message = _refusal(path, Limits(cell_chars=50))[0]
    assert "清单, 第3行, B: 单元格内容过长（60 字，上限 50 字）" in message
    assert read_sheets(path, Limits(rows=7, cell_chars=60))[0].rows[2] == (3, ("事项3", "长" * 60))


def test_content_beyond_a_lying_dimension_is_refused_not_cut_off(tmp_path):
    path = tmp_path / "lying.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "事项名称"
    workbook.active["A6"] = "藏在范围外"
    workbook.active["E2"] = "藏在右边"
    workbook.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    assert '<dimension ref="A1:E6" />' in sheet_xml
    lying = sheet_xml.replace('<dimension ref="A1:E6" />', '<dimension ref="A1:A1" />')
    parts["xl/worksheets/sheet1.xml"] = lying.encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    assert "超过 5 行" in _refusal(path, Limits(rows=5))[0]
    assert "第2行, E: 超过 4 列" in _refusal(path, Limits(columns=4))[0]


def test_csv_rows_and_cells_are_capped(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("序号,事项名称\n" + "".join(f"{n},事项{n}\n" for n in range(1, 10)), encoding="utf-8")
    assert "超过 5 行" in _refusal(path, Limits(rows=5))[0]
    path.write_text("序号,事项名称\n1," + "长" * 30 + "\n", encoding="utf-8")
    assert "list.csv, 第2行, B: 单元格内容过长（30 字" in _refusal(path, Limits(cell_chars=20))[0]


@pytest.mark.parametrize("name", ["街道清单\n", "街道清单\n../x", "a/b", ""])
def test_an_import_name_with_a_newline_or_slash_is_refused(tmp_path, name):
    with pytest.raises(ImportRejected, match="导入名称只能包含"):
        import_list(SAMPLE_XLSX, tmp_path, unit_kind="town", name=name or "\n")
