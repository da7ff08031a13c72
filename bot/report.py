"""``python -m bot.report``: what staff ask, what went unanswered, what was rated wrong."""

from __future__ import annotations

import argparse
import csv
import sys

from bot import audit
from bot.errors import KnowledgeError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.report", description="问答审计报告")
    parser.add_argument("--limit", type=int, default=20, help="每类最多列出几条（默认 20）")
    parser.add_argument("--csv", metavar="FILE", help="把全部审计记录导出为 CSV（UTF-8 with BOM，Excel 可直接打开）")
    args = parser.parse_args(argv)
    try:
        if args.csv:
            rows = audit.export_rows()
            with open(args.csv, "w", encoding="utf-8-sig", newline="") as handle:
                columns = list(rows[0]) if rows else ["id"]
                writer = csv.DictWriter(handle, columns)
                writer.writeheader()
                writer.writerows(rows)
            print(f"已导出 {len(rows)} 条记录到 {args.csv}")
            return 0
        r = audit.report(args.limit)
    except KnowledgeError as exc:
        print(f"无法读取审计记录：{exc}", file=sys.stderr)
        return 1
    print(f"共 {r.total} 条问答记录。\n")
    _section("最常见的问题", [f"{n} 次  {text}" for text, n in r.frequent])
    _section("未能回答（未找到事项或未理解）", [f"{n} 次  {text}" for text, n in r.unanswered])
    _section(
        "被评为“不对”的回答",
        [f"{text}  ｜ 结论 {verdict or '—'} ｜ 事项 {matter or '—'} ｜ 原因：{reason or '未填写'}"
         for text, verdict, matter, reason in r.negative],
    )
    return 0


def _section(title: str, lines: list[str]) -> None:
    print(f"== {title} ==")
    print("\n".join(lines) if lines else "（无）")
    print()


if __name__ == "__main__":
    sys.exit(main())
