"""The user directory: a sender's unit, remembered across sessions.

Who may set a unit, strongest first (:data:`PRECEDENCE`):

1. ``admin`` — ``python -m bot.users set``; never overwritten by the two below;
2. ``chat`` — the user said so (“我是石牌街道的”); overrides metadata;
3. ``metadata`` — what the channel sent along (platform directory, widget).

A weaker source never replaces a stronger one; an equal or stronger one does.
``forget`` (the user's “清除我的镇街”, or ``python -m bot.users clear``) removes
whatever is stored. Units expire as :mod:`bot.ops.retention` says.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, delete, select

from bot.ops import db
from bot.ops.models import UserUnit
from bot.ops.timestamps import shown, utcnow

PRECEDENCE = {"admin": 3, "chat": 2, "metadata": 1}
SOURCES = tuple(PRECEDENCE)


_UNIT_OF = select(UserUnit.unit).where(UserUnit.sender == bindparam("sender"))  # asked on every turn


def unit_of(sender: str, url: str | None = None) -> str | None:
    with db.session_scope(url) as session:
        unit: str | None = session.execute(_UNIT_OF, {"sender": sender}).scalar()
        return unit


def remember(sender: str, unit: str, source: str, url: str | None = None) -> bool:
    """Store a sender's unit; False when a stronger source already set it (nothing changes).

    Raises:
        ValueError: for an unknown source.
        OpsUnavailable: when the database cannot be written.
    """
    if source not in PRECEDENCE:
        raise ValueError(source)
    with db.session_scope(url) as session:
        row = session.get(UserUnit, sender)
        if row is None:
            session.add(UserUnit(sender=sender, unit=unit, source=source, updated_at=utcnow()))
        elif PRECEDENCE[source] < PRECEDENCE.get(row.source, 0):
            return False
        elif row.unit != unit or row.source != source:
            row.unit, row.source, row.updated_at = unit, source, utcnow()
        return True


def forget(sender: str, url: str | None = None, keep_admin: bool = False) -> bool:
    """Remove the sender's unit; with ``keep_admin`` a unit an admin set stays (chat cannot undo it)."""
    query = delete(UserUnit).where(UserUnit.sender == sender)
    if keep_admin:
        query = query.where(UserUnit.source != "admin")
    with db.session_scope(url) as session:
        return session.execute(query).rowcount > 0


def source_of(sender: str, url: str | None = None) -> str | None:
    """Who set the sender's unit (admin / chat / metadata), or None."""
    with db.session_scope(url) as session:
        row = session.get(UserUnit, sender)
        return str(row.source) if row is not None else None


def all_users(url: str | None = None) -> list[tuple[str, str, str, dt.datetime]]:
    """(sender, unit, source, updated_at in aware UTC), by sender."""
    with db.session_scope(url) as session:
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
    s = sub.add_parser("set", help="设置用户的镇街（管理员设置的镇街不会被对话或渠道信息覆盖）")
    s.add_argument("sender")
    s.add_argument("unit")
    c = sub.add_parser("clear", help="清除用户的镇街")
    c.add_argument("sender")
    sub.add_parser("list", help="列出全部用户（时间为北京时间）")
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
            rows = all_users()
            for sender, name, source, updated in rows:
                print(f"{sender}\t{name}\t{_SOURCE_NAMES.get(source, source)}\t{shown(updated)}")
            if not rows:
                print("（还没有用户保存镇街）")
    except KnowledgeError as exc:
        print(f"用户目录不可用：{exc}")
        return 1
    return 0


_SOURCE_NAMES = {"admin": "管理员设置", "chat": "对话中告知", "metadata": "渠道信息"}


if __name__ == "__main__":
    import sys

    sys.exit(main())
