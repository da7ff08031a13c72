"""The user directory: a sender's unit, remembered across sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from bot.kb.store import session_scope
from bot.records import UserUnit, ensure_tables

SOURCES = ("chat", "metadata", "admin")


def unit_of(sender: str, url: str | None = None) -> str | None:
    ensure_tables(url)
    with session_scope(url) as session:
        row = session.get(UserUnit, sender)
        return row.unit if row else None


def remember(sender: str, unit: str, source: str, url: str | None = None) -> None:
    if source not in SOURCES:
        raise ValueError(source)
    ensure_tables(url)
    with session_scope(url) as session:
        row = session.get(UserUnit, sender)
        now = dt.datetime.now()
        if row is None:
            session.add(UserUnit(sender=sender, unit=unit, source=source, updated_at=now))
        elif row.unit != unit or row.source != source:
            row.unit, row.source, row.updated_at = unit, source, now


def forget(sender: str, url: str | None = None) -> bool:
    ensure_tables(url)
    with session_scope(url) as session:
        return session.execute(delete(UserUnit).where(UserUnit.sender == sender)).rowcount > 0


def all_users(url: str | None = None) -> list[tuple[str, str, str, dt.datetime]]:
    ensure_tables(url)
    with session_scope(url) as session:
        rows = session.execute(select(UserUnit).order_by(UserUnit.sender)).scalars()
        return [(r.sender, r.unit, r.source, r.updated_at) for r in rows]


def main(argv: list[str] | None = None) -> int:
    """Admin CLI: ``python -m bot.users set SENDER UNIT | clear SENDER | list``."""
    import argparse

    from bot.errors import KnowledgeError
    from bot.kb.provider import default_provider
    from bot.units import find_unit

    parser = argparse.ArgumentParser(prog="python -m bot.users", description="用户目录：用户所属镇街")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("set", help="设置用户的镇街")
    s.add_argument("sender")
    s.add_argument("unit")
    c = sub.add_parser("clear", help="清除用户的镇街")
    c.add_argument("sender")
    sub.add_parser("list", help="列出全部用户")
    args = parser.parse_args(argv)
    try:
        if args.command == "set":
            unit = find_unit(default_provider().get(), args.unit)
            if unit is None:
                print(f"找不到唯一的镇街：{args.unit}（请写全称，例如 天河区石牌街道）")
                return 2
            remember(args.sender, unit.full_name, "admin")
            print(f"已设置 {args.sender} → {unit.full_name}")
        elif args.command == "clear":
            print("已清除" if forget(args.sender) else "该用户没有保存镇街")
        else:
            for sender, unit, source, updated in all_users():
                print(f"{sender}\t{unit}\t{source}\t{updated:%Y-%m-%d %H:%M}")
    except KnowledgeError as exc:
        print(f"用户目录不可用：{exc}")
        return 1
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
