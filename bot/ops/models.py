"""The operational tables, on one declarative base. Their layout changes only
through a migration in ``bot/ops/migrations/versions`` (``python -m bot.ops revision``)."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeMeta, registry

from bot.ops.timestamps import UTCDateTime

_registry = registry()


class Base(metaclass=DeclarativeMeta):
    """The one declarative base of operational tables (spelt out so that mypy sees a class)."""

    __abstract__ = True
    registry = _registry
    metadata = _registry.metadata
    __init__ = _registry.constructor


class UserUnit(Base):
    """Which unit a sender (chat user id, WeCom/DingTalk id) belongs to."""

    __tablename__ = "user_unit"

    sender = Column(String(128), primary_key=True)
    unit = Column(String(64), nullable=False)  # full name, e.g. 天河区石牌街道
    source = Column(String(16), nullable=False)  # admin / chat / metadata: see bot.users.PRECEDENCE
    updated_at = Column(UTCDateTime, nullable=False)


class AuditRecord(Base):
    """One answered (or unanswered) question, and its rating: the single home of ratings."""

    __tablename__ = "audit_record"

    id = Column(Integer, primary_key=True)
    created_at = Column(UTCDateTime, nullable=False, index=True)
    sender = Column(String(128), nullable=False, index=True)
    channel = Column(String(32))
    text = Column(Text, nullable=False)
    intent = Column(String(64))
    confidence = Column(Float)
    unit = Column(String(64))
    matter = Column(String(64))  # the matter's code, e.g. zhaijidi
    question = Column(String(16))
    verdict = Column(String(16))  # yes/no/assist/unknown, clarify, fallback, or null
    kb_version = Column(String(64))
    rating = Column(String(8))  # up / down
    reason = Column(Text)
    rated_at = Column(UTCDateTime)
    # Set on records written after the fact (spool replay "<uuid>", legacy copy "kb-<id>"),
    # so that running either again — e.g. after a crash between commit and truncation —
    # cannot write a record twice.
    import_id = Column(String(32), unique=True)


class ChannelMessage(Base):
    """A platform message id already taken (WeCom and DingTalk deliver again when slow)."""

    __tablename__ = "channel_message"
    __table_args__ = (UniqueConstraint("channel", "msg_id"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(16), nullable=False)
    msg_id = Column(String(128), nullable=False)
    user_id = Column(String(128), nullable=False, default="")
    status = Column(String(16), nullable=False)
    detail = Column(String(255), nullable=False, default="")
    received_at = Column(UTCDateTime, nullable=False, index=True)
    updated_at = Column(UTCDateTime, nullable=False)
