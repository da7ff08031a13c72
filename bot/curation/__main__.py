"""``python -m bot.curation``: the misses queue from the command line, and its export.

``misses list`` prints the unsettled groups, most frequent first; ``misses export [--out FILE]``
writes every settled question as an evaluation case (``tests/eval/questions.jsonl`` format,
JSON Lines), to append to the evaluation set after review.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.config import settings
from bot.errors import KnowledgeError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.curation", description="未答问题：查看、导出为评测用例")
    sub = parser.add_subparsers(dest="command", required=True)
    misses = sub.add_parser("misses", help="未答、追问或被点 👎 的问题")
    action = misses.add_subparsers(dest="action", required=True)
    listing = action.add_parser("list", help="按相似措辞分组，最常见的在前")
    listing.add_argument("--days", type=int, default=90)
    export = action.add_parser("export", help="把已处理的问题导出为评测用例（JSONL）")
    export.add_argument("--out", type=Path, help="输出文件（默认打印到标准输出）")
    args = parser.parse_args(argv)
    cfg = settings()
    from bot.curation import misses as m

    try:
        if args.action == "list":
            from bot.kb.provider import KnowledgeProvider

            groups = m.queue(KnowledgeProvider(cfg.database_url).get(), cfg.database_url, days=args.days)
            for group in groups:
                reasons = "，".join(f"{m.REASON_LABELS.get(k, k)} {n}" for k, n in group.reasons.items())
                print(f"{group.count:4d}  {group.wording}（{reasons}）  例：{group.examples[0].text}")
            if not groups:
                print("没有待处理的未答问题。")
        else:
            lines = [json.dumps(case, ensure_ascii=False) for case in m.eval_cases(cfg.database_url)]
            text = "".join(line + "\n" for line in lines)
            if args.out:
                args.out.write_text(text, encoding="utf-8")
                print(f"已导出 {len(lines)} 条评测用例到 {args.out}", file=sys.stderr)
            else:
                sys.stdout.write(text)
    except KnowledgeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
