"""``python -m bot.report``: what staff ask, what went unanswered, what was rated wrong."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys

from bot import audit
from bot.errors import KnowledgeError
from bot.ops.timestamps import shown

# A spreadsheet runs a cell that starts with one of these as a formula
# (=HYPERLINK(…) in a question would become a live link); see OWASP "CSV injection".
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A cell value Excel and WPS show as written: text that could start a formula gets a leading '."""
    if isinstance(value, dt.datetime):
        return shown(value, "%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(path: str, rows: list[dict[str, object]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]) if rows else ["id"])
        writer.writeheader()
        writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.report", description="问答审计报告")
    parser.add_argument("--limit", type=int, default=20, help="每类最多列出几条（默认 20）")
    parser.add_argument(
        "--csv",
        metavar="FILE",
        help="把全部审计记录导出为 CSV（UTF-8 with BOM，Excel 可直接打开；时间为北京时间，公式不会被执行）",
    )
    args = parser.parse_args(argv)
    try:
        if args.csv:
            rows = audit.export_rows()
            write_csv(args.csv, rows)
            print(f"已导出 {len(rows)} 条记录到 {args.csv}")
            return 0
        r = audit.report(args.limit)
    except KnowledgeError as exc:
        print(f"无法读取审计记录：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"无法写入文件：{exc}", file=sys.stderr)
        return 1
    print(f"共 {r.total} 条问答记录。\n")
    _section("最常见的问题", [f"{n} 次  {text}" for text, n in r.frequent])
    _section("未能回答（未找到事项或未理解）", [f"{n} 次  {text}" for text, n in r.unanswered])
    _section(
        "被评为“不对”的回答（北京时间）",
        [
            f"{shown(rated)}  {text}  ｜ 结论 {verdict or '—'} ｜ 事项 {matter or '—'} ｜ 原因：{reason or '未填写'}"
            for text, verdict, matter, reason, rated in r.negative
        ],
    )
    return 0


def _section(title: str, lines: list[str]) -> None:
    print(f"== {title} ==")
    print("\n".join(lines) if lines else "（无）")
    print()


if __name__ == "__main__":
    sys.exit(main())
