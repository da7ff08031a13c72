"""``python -m bot.ops``: maintenance of the operational database.

``migrate`` applies pending migrations (servers also do it on first use),
``purge`` deletes what is past its retention period, ``drain`` writes the
spooled audit records, ``status`` shows the revision, ``import-legacy``
copies what older versions kept in the knowledge database, ``revision -m MSG``
writes a new migration from the models (for developers), ``admin add|list|passwd|set``
manages the console's accounts (:mod:`bot.ops.admin_cli`).
"""

from __future__ import annotations

import argparse
import sys

from bot import audit
from bot.errors import KnowledgeError
from bot.ops import admin_cli, db, legacy, retention, schema


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.ops", description="业务数据库（审计、评价、用户镇街、消息去重）维护"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="升级数据库结构到最新版本")
    sub.add_parser("status", help="显示数据库结构版本")
    sub.add_parser("purge", help="删除超过保留期限的记录")
    sub.add_parser("drain", help="把暂存文件中的审计记录写入数据库")
    sub.add_parser("import-legacy", help="从知识库数据库复制旧版本保存的用户镇街和审计记录（一次性）")
    rev = sub.add_parser("revision", help="根据模型变化生成新的迁移脚本（开发用）")
    rev.add_argument("-m", "--message", required=True)
    admin_cli.add_parser(sub)
    parser.add_argument("--url", help="数据库地址（默认 OPS_DATABASE_URL 或 build/ops.sqlite3）")
    args = parser.parse_args(argv)
    url = db.url_of(args.url)
    try:
        if args.command == "admin":
            return admin_cli.run(args, url)
        if args.command == "migrate":
            db.ensure(url)
            print(f"数据库结构已是最新版本：{schema.current(url)}")
        elif args.command == "status":
            print(f"当前版本：{schema.current(url) or '（未建表）'}；代码中的最新版本：{schema.head()}")
        elif args.command == "purge":
            purged = retention.purge(url)
            print(
                f"已删除：审计记录 {purged.audit_records} 条，用户镇街 {purged.user_units} 条，"
                f"平台消息 {purged.channel_messages} 条"
            )
        elif args.command == "drain":
            audit.drain_spool(url)
            left = audit.spool().pending()
            print("数据库仍不可用，暂存记录保留在文件中" if left else "暂存的审计记录已全部写入数据库")
        elif args.command == "import-legacy":
            copied = legacy.import_legacy(url=url)
            print(f"已复制：用户镇街 {copied.user_units} 条，审计记录 {copied.audit_records} 条（已复制过的不会重复）")
        else:
            db.ensure(url)
            schema.revision(url, args.message)
    except KnowledgeError as exc:  # OpsUnavailable, or the knowledge database for import-legacy
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
