"""The audit log: every question, what was understood, the verdict, the rating.

Writing never blocks an answer: when the database is down the record is
appended to a spool file (:mod:`bot.ops.spool`) and replayed on the next
successful write, or when the process first uses the database.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import desc, func, insert, select

from bot.config import ops_settings
from bot.errors import OpsUnavailable
from bot.ops import db
from bot.ops.models import AuditRecord
from bot.ops.spool import Spool
from bot.ops.timestamps import utcnow

logger = logging.getLogger(__name__)

RATINGS = ("up", "down")


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
    latency_ms: int | None = None  # from Rasa receiving the message to the answer being decided


_ENTRY_FIELDS = {f.name for f in fields(Entry)}


def spool() -> Spool:
    """Where audit records wait while the database is down (``OPS_SPOOL_FILE``)."""
    s = ops_settings()
    return Spool(s.spool_file, s.spool_max_bytes)


_INSERT = insert(AuditRecord)  # one statement, compiled once


def record(entry: Entry, url: str | None = None) -> int | None:
    """Store one entry; returns its id, or None when it had to be spooled."""
    try:
        with db.session_scope(url) as session:
            # One Core INSERT: the ORM's unit of work cost more than the statement on every answer.
            inserted = session.execute(_INSERT, {"created_at": utcnow(), **asdict(entry)})
            record_id = int(inserted.inserted_primary_key[0])
    except (OpsUnavailable, OSError):
        logger.warning("audit database unavailable; spooling the record", exc_info=True)
        try:
            spool().append({**asdict(entry), "created_at": utcnow().isoformat(), "import_id": uuid.uuid4().hex})
        except OSError:
            logger.exception("cannot spool the audit record either; it is lost")
        return None
    drain_spool(url)
    return record_id


def drain_spool(url: str | None = None) -> int:
    """Write the spooled records; returns how many. Never raises: on failure they stay spooled."""
    waiting = spool()
    if not waiting.pending():
        return 0
    try:
        written = waiting.drain(_from_spool, lambda rows: _write_once(rows, url))
    except (OpsUnavailable, OSError):
        logger.warning("audit database still unavailable; the spool is kept", exc_info=True)
        return 0
    logger.info("%d spooled audit records written", written)
    return written


def _from_spool(raw: dict[str, Any]) -> AuditRecord:
    values = {k: v for k, v in raw.items() if k in _ENTRY_FIELDS}
    if not isinstance(values.get("sender"), str) or not isinstance(values.get("text"), str):
        raise ValueError("sender and text are required")
    created_at = dt.datetime.fromisoformat(raw["created_at"])
    if created_at.tzinfo is None:
        raise ValueError("created_at has no time zone")
    return AuditRecord(created_at=created_at, import_id=str(raw["import_id"]), **values)


def _write_once(rows: list[AuditRecord], url: str | None) -> None:
    with db.session_scope(url) as session:
        ids = [r.import_id for r in rows]
        done = set(session.execute(select(AuditRecord.import_id).where(AuditRecord.import_id.in_(ids))).scalars())
        session.add_all(r for r in rows if r.import_id not in done)


db.on_first_use(drain_spool)


def rate(
    sender: str,
    rating: str,
    reason: str | None = None,
    record_id: int | None = None,
    url: str | None = None,
    question: str | None = None,
) -> int | None:
    """Rate an answer: the given record, else the sender's latest answer (to
    ``question`` when given). Returns the record's id, or None if there is none."""
    if rating not in RATINGS:
        raise ValueError(rating)
    with db.session_scope(url) as session:
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
        row.rating, row.reason, row.rated_at = rating, (reason or "").strip() or None, utcnow()
        return int(row.id)


def record_rated(entry: Entry, rating: str, reason: str | None = None, url: str | None = None) -> int:
    """Store a rated answer that was never audited (e.g. asked while the database was down).

    Raises:
        OpsUnavailable: when the database cannot be written.
    """
    if rating not in RATINGS:
        raise ValueError(rating)
    with db.session_scope(url) as session:
        now = utcnow()
        row = AuditRecord(
            created_at=now, rating=rating, reason=(reason or "").strip() or None, rated_at=now, **asdict(entry)
        )
        session.add(row)
        session.flush()
        return int(row.id)


@dataclass(frozen=True)
class Report:
    total: int
    frequent: list[tuple[str, int]]
    unanswered: list[tuple[str, int]]
    # text, verdict, matter, reason, rated_at
    negative: list[tuple[str, str | None, str | None, str | None, dt.datetime]]


def report(limit: int = 20, url: str | None = None) -> Report:
    with db.session_scope(url) as session:
        total = session.execute(select(func.count()).select_from(AuditRecord)).scalar() or 0
        frequent = session.execute(
            select(AuditRecord.text, func.count())
            .group_by(AuditRecord.text)
            .order_by(desc(func.count()), AuditRecord.text)
            .limit(limit)
        ).all()
        unanswered = session.execute(
            select(AuditRecord.text, func.count())
            .where(AuditRecord.verdict.in_(("unknown", "fallback")) | AuditRecord.verdict.is_(None))
            .group_by(AuditRecord.text)
            .order_by(desc(func.count()), AuditRecord.text)
            .limit(limit)
        ).all()
        negative = session.execute(
            select(AuditRecord.text, AuditRecord.verdict, AuditRecord.matter, AuditRecord.reason, AuditRecord.rated_at)
            .where(AuditRecord.rating == "down")
            .order_by(desc(AuditRecord.rated_at))
            .limit(limit)
        ).all()
    return Report(
        int(total),
        [tuple(r) for r in frequent],
        [tuple(r) for r in unanswered],
        [tuple(r) for r in negative],
    )


def export_rows(url: str | None = None) -> list[dict[str, object]]:
    """Every record, oldest first, as column → value (times aware, in UTC)."""
    with db.session_scope(url) as session:
        rows = session.execute(select(AuditRecord).order_by(AuditRecord.id)).scalars()
        columns = [c.name for c in AuditRecord.__table__.columns if c.name != "import_id"]
        return [{name: getattr(r, name) for name in columns} for r in rows]
