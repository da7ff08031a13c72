"""Feedback on answers (👍/👎 with an optional reason) from the web widget.

A rating is stored on the audit record of the answer it rates — the single
home of ratings, which ``python -m bot.report`` reads. When that answer was
never audited (asked while the database was down), the rating becomes an
audit record of its own, so nothing a user sent is lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import desc, select

from bot import audit
from bot.ops import db
from bot.ops.models import AuditRecord

RATINGS = audit.RATINGS


@dataclass(frozen=True)
class FeedbackEntry:
    """One rating of one answer, as a channel reports it."""

    sender: str
    question: str
    rating: str  # "up" | "down"
    verdict: str | None = None
    item_code: str | None = None
    unit: str | None = None
    kb_version: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class FeedbackRecord:
    id: int  # of the audit record
    rated_at: dt.datetime  # aware, UTC
    entry: FeedbackEntry


def record_feedback(entry: FeedbackEntry, url: str | None = None) -> int:
    """Rate the sender's latest answer to the question; returns the audit record's id.

    Raises:
        ValueError: when the rating is not ``up`` or ``down``.
        OpsUnavailable: when the database cannot be written.
    """
    if entry.rating not in RATINGS:
        raise ValueError(f"unknown rating: {entry.rating!r}")
    rated = audit.rate(entry.sender, entry.rating, entry.reason, url=url, question=entry.question)
    if rated is not None:
        return rated
    unaudited = audit.Entry(
        sender=entry.sender,
        text=entry.question[:2000],
        channel="web",
        unit=entry.unit,
        matter=entry.item_code,
        verdict=entry.verdict,
        kb_version=entry.kb_version,
    )
    return audit.record_rated(unaudited, entry.rating, entry.reason, url=url)


def recent_feedback(url: str | None = None, limit: int = 100) -> list[FeedbackRecord]:
    """The latest ratings from every channel, newest first."""
    with db.session_scope(url) as session:
        rows = session.execute(
            select(AuditRecord)
            .where(AuditRecord.rating.is_not(None))
            .order_by(desc(AuditRecord.rated_at), desc(AuditRecord.id))
            .limit(limit)
        ).scalars()
        return [
            FeedbackRecord(
                id=row.id,
                rated_at=row.rated_at,
                entry=FeedbackEntry(
                    sender=row.sender,
                    question=row.text,
                    rating=row.rating,
                    verdict=row.verdict,
                    item_code=row.matter,
                    unit=row.unit,
                    kb_version=row.kb_version,
                    reason=row.reason,
                ),
            )
            for row in rows
        ]
