"""Knowledge-base administration: ``python -m bot.kb build|lexicon|info|import|laws add``.

Exit codes: 0 done; 1 the database or another error; 2 the sources or the
imported list were rejected (nothing written), or the command line is wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings, settings
from bot.errors import BuildRejected, ImportRejected, KnowledgeError, LawRejected
from bot.kb.lexicon import LexiconFiles
from bot.kb.types import UNIT_KINDS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.kb", description="镇街权责知识库管理")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="从 knowledge/ 构建知识库（校验失败则不改动数据库）")
    b.add_argument("--force", action="store_true", help="来源未变也重新构建")
    sub.add_parser("lexicon", help="生成 jieba 词典和 NLU 查找表")
    sub.add_parser("info", help="显示知识库版本和数量")
    i = sub.add_parser(
        "import",
        help="导入官方权责清单/下放事项目录（.xlsx 或 .csv），校验通过才写入",
        description="导入官方清单：校验、写入 knowledge/imports/<名称>.csv，并在一个事务中重建知识库",
    )
    i.add_argument("file", type=Path, help="清单文件（.xlsx 或 .csv，UTF-8/UTF-8-BOM/GBK）")
    scope = i.add_mutually_exclusive_group()
    scope.add_argument("--unit-kind", choices=UNIT_KINDS, help="清单适用的镇街类型（如下放给镇的目录：town）")
    scope.add_argument("--unit", help="清单属于哪个镇街（该镇街自己的清单），如 天河区石牌街道")
    i.add_argument("--dry-run", action="store_true", help="只显示将新增、修改、删除的事项，不写入")
    i.add_argument("--name", help="导入名称（knowledge/imports/<名称>.csv），默认取文件名")
    i.add_argument("--document", help="记为这些事项下放依据的文件编号（knowledge/documents.csv 的 id）")
    laws = sub.add_parser("laws", help="法律文本库：加入法规文本，下次构建即引用其条文").add_subparsers(
        dest="laws_command", required=True
    )
    add = laws.add_parser(
        "add", help="把一部法规的文本（UTF-8 文本，如国家法律法规数据库的全文）加入 knowledge/laws/ 并重建"
    )
    add.add_argument("file", type=Path, help="法规全文：标题、历次修正的日期，然后各条（第X条 …）")
    add.add_argument("--title", help="法规名称（文件第一行不是名称时）")
    add.add_argument("--date", help="版本日期 YYYY-MM-DD（默认取文本开头最后一个日期）")
    add.add_argument("--no-build", action="store_true", help="只写入文本，不重建知识库")
    args = parser.parse_args(argv)
    cfg = settings()
    try:
        if args.command == "build":
            from bot.kb.build import build

            started = time.perf_counter()
            result = build(cfg.knowledge_dir, cfg.database_url, force=args.force)
            took = time.perf_counter() - started
            state = "未变化，沿用" if result.skipped else "已构建"
            print(
                f"知识库{state}：版本 {result.version}，{result.units} 个镇街，{result.items} 个事项（{took:.2f} 秒）"
            )
        elif args.command == "lexicon":
            from bot.kb.lexicon import write_lexicon
            from bot.kb.locking import kb_lock
            from bot.kb.provider import KnowledgeProvider

            with kb_lock():
                knowledge = KnowledgeProvider(cfg.database_url).get()
                units, matters = write_lexicon(knowledge, _lexicon_files(cfg))
            print(f"已生成词典和查找表：{units} 个镇街名称，{matters} 个事项名称")
            if os.environ.get("MATCHER_EMBEDDINGS", "1") != "0":
                from bot.kb.embeddings import passage_vectors

                vectors = passage_vectors(knowledge)  # cached per text: only new ones are embedded
                print(f"已生成事项语义向量：{len(vectors.codes)} 条描述")
        elif args.command == "info":
            from bot.kb.provider import KnowledgeProvider

            k = KnowledgeProvider(cfg.database_url).get()
            print(
                f"版本 {k.version}（构建于 {k.built_at:%Y-%m-%d %H:%M}）：{len(k.districts)} 个区，"
                f"{len(k.units)} 个镇街，{len(k.items)} 个事项"
            )
        elif args.command == "import":
            _import(args, cfg)
        elif args.command == "laws":
            _add_law(args, cfg)
    except ImportRejected as exc:
        print(f"清单被拒绝，知识库和 knowledge/imports/ 均未改动。\n{exc}", file=sys.stderr)
        return 2
    except LawRejected as exc:
        print(f"法规文本未加入，knowledge/laws/ 未改动：{exc}", file=sys.stderr)
        return 2
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


def _import(args: argparse.Namespace, cfg) -> None:  # type: ignore[no-untyped-def]
    from bot.kb.importer import describe, import_list

    result = import_list(
        args.file,
        cfg.knowledge_dir,
        cfg.database_url,
        unit_kind=args.unit_kind,
        unit=args.unit,
        name=args.name,
        document=args.document,
        dry_run=args.dry_run,
        lexicon=_lexicon_files(cfg),
    )
    for sheet in result.skipped_sheets:
        print(f"工作表“{sheet}”没有可识别的表头，已跳过")
    if result.dry_run:
        print(f"预览（--dry-run，未写入）：{describe(result)}")
        return
    print(describe(result))
    target = (
        result.target.relative_to(cfg.knowledge_dir.parent)
        if result.target.is_relative_to(cfg.knowledge_dir.parent)
        else result.target
    )
    state = "内容未变化，沿用" if result.unchanged else "已构建"
    print(
        f"已导入 {target}；知识库{state}版本 {result.version}（{result.seconds:.2f} 秒）。"
        "运行中的助手会在几秒内使用新版本。"
    )
    if result.lexicon_changed:
        print("词典和查找表已更新：下次 make run / make setup 会重新训练模型。")
    else:
        print("词典和查找表没有变化，无需重新训练模型。")


def _add_law(args: argparse.Namespace, cfg) -> None:  # type: ignore[no-untyped-def]
    from bot.kb.build import build
    from bot.kb.law_library import add_law
    from bot.kb.locking import kb_lock

    with kb_lock():
        added = add_law(args.file, cfg.knowledge_dir, args.title, args.date)
    where = (
        added.path.relative_to(cfg.knowledge_dir.parent)
        if added.path.is_relative_to(cfg.knowledge_dir.parent)
        else added.path
    )
    print(f"已加入《{added.law.title}》（{added.law.version_date}，{len(added.law.articles)} 条）：{where}")
    if added.replaced:
        print(f"替换了旧版本 {added.replaced.name}")
    if added.mismatches:
        print("以下引用的条文在该法规中不存在（按原文保留，请核对）：")
        for line in added.mismatches:
            print(f"  ! {line}")
    if args.no_build:
        print("未重建：运行 python -m bot.kb build 后，引用该法规的事项会引用条文原文。")
        return
    result = build(cfg.knowledge_dir, cfg.database_url)
    print(f"知识库已构建：版本 {result.version}；引用该法规的事项现在引用条文原文。")


def _lexicon_files(cfg: Settings) -> LexiconFiles:

    return LexiconFiles(cfg.jieba_dir, cfg.lookup_file, cfg.asr_vocabulary_file)


if __name__ == "__main__":
    sys.exit(main())
