"""Feedback on answers (👍/👎 with an optional reason), stored beside the knowledge base.

The table has its own declarative base so that a knowledge-base build, which
drops and recreates only its own tables, never touches collected feedback. It
is created lazily, on first use, with ``checkfirst``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Integer, String, Text, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import declarative_base

from bot.errors import KnowledgeUnavailable
from bot.kb.store import get_engine, session_scope

Base = declarative_base()

RATINGS = ("up", "down")


class Feedback(Base):
    __tablename__ = "answer_feedback"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False, index=True)
    sender = Column(String(64), nullable=False)
    question = Column(Text, nullable=False)
    verdict = Column(String(16))
    item_code = Column(String(64))
    unit = Column(String(64))
    kb_version = Column(String(64))
    rating = Column(String(8), nullable=False)
    reason = Column(Text)


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
    id: int
    created_at: dt.datetime
    entry: FeedbackEntry


_created: set[str] = set()
_lock = threading.Lock()


def ensure_table(url: str | None = None) -> None:
    """Create the feedback table once per database, if it is not there yet."""
    engine = get_engine(url)
    key = str(engine.url)
    with _lock:
        if key in _created:
            return
        try:
            Base.metadata.create_all(engine, checkfirst=True)
        except SQLAlchemyError as exc:
            raise KnowledgeUnavailable(f"反馈数据库不可用：{exc.__class__.__name__}") from exc
        _created.add(key)


def record_feedback(entry: FeedbackEntry, url: str | None = None, now: dt.datetime | None = None) -> int:
    """Store one rating and return its id.

    Raises:
        ValueError: when the rating is not ``up`` or ``down``.
        KnowledgeUnavailable: when the database cannot be written.
    """
    if entry.rating not in RATINGS:
        raise ValueError(f"unknown rating: {entry.rating!r}")
    ensure_table(url)
    row = Feedback(
        created_at=now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
        sender=entry.sender,
        question=entry.question,
        verdict=entry.verdict,
        item_code=entry.item_code,
        unit=entry.unit,
        kb_version=entry.kb_version,
        rating=entry.rating,
        reason=(entry.reason or "").strip() or None,
    )
    with session_scope(url) as session:
        session.add(row)
        session.flush()
        feedback_id = int(row.id)
    _rate_in_audit(entry, url)
    return feedback_id


def _rate_in_audit(entry: FeedbackEntry, url: str | None) -> None:
    """Mirror the rating onto the audit record, so `python -m bot.report` sees it."""
    from bot import audit

    try:
        audit.rate(entry.sender, entry.rating, entry.reason, url=url, question=entry.question)
    except (KnowledgeUnavailable, SQLAlchemyError):
        logging.getLogger(__name__).warning("feedback stored, but the audit record could not be rated")


def recent_feedback(url: str | None = None, limit: int = 100) -> list[FeedbackRecord]:
    """The latest ratings, newest first."""
    ensure_table(url)
    with session_scope(url) as session:
        rows = session.execute(select(Feedback).order_by(Feedback.id.desc()).limit(limit)).scalars().all()
        return [
            FeedbackRecord(
                id=row.id,
                created_at=row.created_at,
                entry=FeedbackEntry(
                    sender=row.sender,
                    question=row.question,
                    rating=row.rating,
                    verdict=row.verdict,
                    item_code=row.item_code,
                    unit=row.unit,
                    kb_version=row.kb_version,
                    reason=row.reason,
                ),
            )
            for row in rows
        ]
