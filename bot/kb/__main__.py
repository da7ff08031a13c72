"""Knowledge-base administration: ``python -m bot.kb build|lexicon|info``."""

from __future__ import annotations

import argparse
import sys
import time

from bot.config import settings
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import BuildRejected, KnowledgeError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.kb", description="镇街权责知识库管理")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="从 knowledge/ 构建知识库（校验失败则不改动数据库）")
    b.add_argument("--force", action="store_true", help="来源未变也重新构建")
    sub.add_parser("lexicon", help="生成 jieba 词典和 NLU 查找表")
    sub.add_parser("info", help="显示知识库版本和数量")
    args = parser.parse_args(argv)
    cfg = settings()
    try:
        if args.command == "build":
            from bot.kb.build import build

            started = time.perf_counter()
            result = build(cfg.knowledge_dir, cfg.database_url, force=args.force)
            took = time.perf_counter() - started
            state = "未变化，沿用" if result.skipped else "已构建"
            print(f"知识库{state}：版本 {result.version}，{result.units} 个镇街，{result.items} 个事项（{took:.2f} 秒）")
        elif args.command == "lexicon":
            from bot.kb.lexicon import write_lexicon
            from bot.kb.provider import KnowledgeProvider

            knowledge = KnowledgeProvider(cfg.database_url).get()
            units, matters = write_lexicon(knowledge, cfg.jieba_dir, cfg.lookup_file)
            print(f"已生成词典和查找表：{units} 个镇街名称，{matters} 个事项名称")
        elif args.command == "info":
            from bot.kb.provider import KnowledgeProvider

            k = KnowledgeProvider(cfg.database_url).get()
            print(f"版本 {k.version}（构建于 {k.built_at:%Y-%m-%d %H:%M}）：{len(k.districts)} 个区，"
                  f"{len(k.units)} 个镇街，{len(k.items)} 个事项")
    except BuildRejected as exc:
        print(f"构建被拒绝，数据库未改动。\n{exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"数据库错误，知识库未改动：{exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    except KnowledgeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
