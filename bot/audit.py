"""The audit log: every question, what was understood, the verdict, the rating.

Writing never blocks an answer: when the database is down the record is
appended to a spool file and written on the next successful call.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import desc, func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.config import settings
from bot.errors import KnowledgeUnavailable
from bot.kb.store import session_scope
from bot.records import AuditRecord, ensure_tables

logger = logging.getLogger(__name__)
_spool_lock = threading.Lock()


@dataclass(frozen=True)
class Entry:
    sender: str
    text: str
    channel: str | None = None
    intent: str | None = None
    confidence: float | None = None
    unit: str | None = None
    matter: str | None = None
    question: str | None = None
    verdict: str | None = None
    kb_version: str | None = None


def _spool_path() -> Path:
    return settings().build_dir / "audit-spool.jsonl"


def record(entry: Entry, url: str | None = None) -> int | None:
    """Store one entry; returns its id, or None when it had to be spooled."""
    try:
        ensure_tables(url)
        with session_scope(url) as session:
            _flush_spool(session)
            row = AuditRecord(created_at=dt.datetime.now(), **asdict(entry))
            session.add(row)
            session.flush()
            return int(row.id)
    except (KnowledgeUnavailable, SQLAlchemyError, OSError):
        logger.exception("audit database unavailable; spooling the record")
        with _spool_lock:
            path = _spool_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({**asdict(entry), "created_at": dt.datetime.now().isoformat()},
                                        ensure_ascii=False) + "\n")
        return None


def _flush_spool(session) -> None:  # type: ignore[no-untyped-def]
    path = _spool_path()
    with _spool_lock:
        if not path.exists():
            return
        lines = path.read_text(encoding="utf-8").splitlines()
        for line in lines:
            try:
                raw = json.loads(line)
                raw["created_at"] = dt.datetime.fromisoformat(raw["created_at"])
                session.add(AuditRecord(**raw))
            except (ValueError, TypeError, KeyError):
                logger.warning("dropping unreadable spooled audit line: %r", line[:200])
        path.unlink()


def rate(sender: str, rating: str, reason: str | None = None, record_id: int | None = None,
         url: str | None = None, question: str | None = None) -> int | None:
    """Rate an answer: the given record, else the sender's latest answer (to
    ``question`` when given). Returns the record's id, or None if there is none."""
    if rating not in ("up", "down"):
        raise ValueError(rating)
    ensure_tables(url)
    with session_scope(url) as session:
        query = select(AuditRecord).where(AuditRecord.sender == sender)
        if record_id is not None:
            query = query.where(AuditRecord.id == record_id)
        else:
            if question is not None:
                query = query.where(AuditRecord.text == question[:2000])
            query = query.where(AuditRecord.verdict.is_not(None)).order_by(desc(AuditRecord.id)).limit(1)
        row = session.execute(query).scalars().first()
        if row is None:
            return None
        row.rating, row.reason, row.rated_at = rating, (reason or None), dt.datetime.now()
        return int(row.id)


@dataclass(frozen=True)
class Report:
    total: int
    frequent: list[tuple[str, int]]
    unanswered: list[tuple[str, int]]
    negative: list[tuple[str, str | None, str | None, str | None]]


def report(limit: int = 20, url: str | None = None) -> Report:
    ensure_tables(url)
    with session_scope(url) as session:
        total = session.execute(select(func.count()).select_from(AuditRecord)).scalar() or 0
        frequent = session.execute(
            select(AuditRecord.text, func.count()).group_by(AuditRecord.text)
            .order_by(desc(func.count()), AuditRecord.text).limit(limit)
        ).all()
        unanswered = session.execute(
            select(AuditRecord.text, func.count())
            .where(AuditRecord.verdict.in_(("unknown", "fallback")) | AuditRecord.verdict.is_(None))
            .group_by(AuditRecord.text).order_by(desc(func.count()), AuditRecord.text).limit(limit)
        ).all()
        negative = session.execute(
            select(AuditRecord.text, AuditRecord.verdict, AuditRecord.matter, AuditRecord.reason)
            .where(AuditRecord.rating == "down").order_by(desc(AuditRecord.rated_at)).limit(limit)
        ).all()
    return Report(int(total), [tuple(r) for r in frequent], [tuple(r) for r in unanswered],  # type: ignore[misc]
                  [tuple(r) for r in negative])  # type: ignore[misc]


def export_rows(url: str | None = None) -> list[dict[str, object]]:
    ensure_tables(url)
    with session_scope(url) as session:
        rows = session.execute(select(AuditRecord).order_by(AuditRecord.id)).scalars()
        return [{c.name: getattr(r, c.name) for c in AuditRecord.__table__.columns} for r in rows]
