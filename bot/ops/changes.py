"""The console's audit trail: every change a maintainer makes, with the value before and after.

Write the entry in the same session as the change when you can (:func:`add`), so
that both are committed or neither; :func:`record` opens a session of its own.
Values are stored as JSON (``ensure_ascii=False``); read back with :func:`recent`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from bot.ops import db
from bot.ops.models import AdminChange
from bot.ops.timestamps import utcnow


@dataclass(frozen=True)
class Change:
    id: int
    created_at: dt.datetime
    actor: str
    action: str
    target: str
    before: Any
    after: Any
    address: str | None


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _load(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def add(
    session: Session,
    actor: str,
    action: str,
    target: str = "",
    before: Any = None,
    after: Any = None,
    address: str | None = None,
) -> None:
    """Add an entry to ``session`` (committed with it)."""
    session.add(
        AdminChange(
            created_at=utcnow(),
            actor=actor[:64],
            action=action[:64],
            target=target[:255],
            before=_dump(before),
            after=_dump(after),
            address=address,
        )
    )


def record(
    actor: str,
    action: str,
    target: str = "",
    before: Any = None,
    after: Any = None,
    address: str | None = None,
    url: str | None = None,
) -> None:
    """Write one entry in a session of its own.

    Raises:
        OpsUnavailable: when the database cannot be written.
    """
    with db.session_scope(url) as session:
        add(session, actor, action, target, before, after, address)


def recent(
    limit: int = 100, offset: int = 0, action: str | None = None, url: str | None = None
) -> tuple[list[Change], int]:
    """The newest entries first (optionally of actions starting with ``action``), and how many there are."""
    query = select(AdminChange)
    counted = select(func.count()).select_from(AdminChange)
    if action:
        query = query.where(AdminChange.action.startswith(action))
        counted = counted.where(AdminChange.action.startswith(action))
    with db.session_scope(url) as session:
        total = int(session.execute(counted).scalar() or 0)
        rows = session.execute(query.order_by(desc(AdminChange.id)).limit(limit).offset(offset)).scalars()
        return [
            Change(int(r.id), r.created_at, r.actor, r.action, r.target, _load(r.before), _load(r.after), r.address)
            for r in rows
        ], total
