"""Which platform messages were already taken, durable across restarts.

WeCom and DingTalk deliver a message again when they do not get an answer in
time (WeCom after 5 s, three times), and a restart must not answer twice. One
row per (channel, message id) in the knowledge database, in a table of its
own: the knowledge build never drops tables it does not own.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, declarative_base

from bot.kb.store import get_engine

logger = logging.getLogger(__name__)

Base = declarative_base()
KEEP_DAYS = 30

# statuses a message goes through
RECEIVED = "received"
REPLIED = "replied"
FAILED = "failed"  # the reply could not be delivered; detail says why


class ChannelMessage(Base):
    __tablename__ = "channel_message"
    __table_args__ = (UniqueConstraint("channel", "msg_id"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(16), nullable=False)
    msg_id = Column(String(128), nullable=False)
    user_id = Column(String(128), nullable=False, default="")
    status = Column(String(16), nullable=False, default=RECEIVED)
    detail = Column(String(255), nullable=False, default="")
    received_at = Column(DateTime, nullable=False, default=datetime.utcnow)
    updated_at = Column(DateTime, nullable=False, default=datetime.utcnow)


class DedupUnavailable(RuntimeError):
    """The database cannot record or check a message id."""


_ready: set[str] = set()
_lock = threading.Lock()


def _engine(url: str | None) -> Engine:
    engine = get_engine(url)
    key = str(engine.url)
    with _lock:
        if key not in _ready:
            Base.metadata.create_all(engine, checkfirst=True)
            _prune(engine)
            _ready.add(key)
    return engine


def _prune(engine: Engine) -> None:
    cutoff = datetime.utcnow() - timedelta(days=KEEP_DAYS)
    with Session(engine, future=True) as session, session.begin():
        session.execute(delete(ChannelMessage).where(ChannelMessage.received_at < cutoff))


def claim(channel: str, msg_id: str, user_id: str = "", url: str | None = None) -> bool:
    """Record a message id; True when it was not seen before.

    Raises:
        DedupUnavailable: when the database cannot be written.
    """
    try:
        engine = _engine(url)
        with Session(engine, future=True) as session, session.begin():
            session.add(ChannelMessage(channel=channel, msg_id=msg_id[:128], user_id=user_id[:128]))
        return True
    except IntegrityError:
        return False
    except SQLAlchemyError as exc:
        raise DedupUnavailable(f"{exc.__class__.__name__}: {exc}") from exc


def record(channel: str, msg_id: str, status: str, detail: str = "", url: str | None = None) -> None:
    """Note what became of a message (replied, failed and why). Never raises."""
    try:
        engine = _engine(url)
        with Session(engine, future=True) as session, session.begin():
            row = session.execute(
                select(ChannelMessage).where(ChannelMessage.channel == channel, ChannelMessage.msg_id == msg_id[:128])
            ).scalar_one_or_none()
            if row is not None:
                row.status, row.detail, row.updated_at = status, detail[:255], datetime.utcnow()
    except SQLAlchemyError:
        logger.exception("could not record status %s of %s message %s", status, channel, msg_id)


def status_of(channel: str, msg_id: str, url: str | None = None) -> tuple[str, str] | None:
    """(status, detail) of a message, or None when it was never taken."""
    engine = _engine(url)
    with Session(engine, future=True) as session:
        row = session.execute(
            select(ChannelMessage.status, ChannelMessage.detail).where(
                ChannelMessage.channel == channel, ChannelMessage.msg_id == msg_id[:128]
            )
        ).first()
        return (row[0], row[1]) if row else None
