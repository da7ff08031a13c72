"""The operational tables, on one declarative base. Their layout changes only
through a migration in ``bot/ops/migrations/versions`` (``python -m bot.ops revision``)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, String, Text, UniqueConstraint
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
    latency_ms = Column(Integer)  # from Rasa receiving the message to the answer being decided
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


class AdminAccount(Base):
    """A maintainer who may sign in to the console (bot.web.admin); role: viewer / editor / admin."""

    __tablename__ = "admin_account"

    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False, unique=True)
    role = Column(String(16), nullable=False)
    password_hash = Column(String(255), nullable=False)  # bot.ops.passwords: scrypt$…
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False)
    password_changed_at = Column(UTCDateTime, nullable=False)
    last_login_at = Column(UTCDateTime)


class AdminSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "admin_session"

    token_hash = Column(String(64), primary_key=True)
    account_id = Column(Integer, ForeignKey("admin_account.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False, index=True)
    address = Column(String(64))


class AdminChange(Base):
    """The console's audit trail: who changed what, when, with the value before and after (JSON)."""

    __tablename__ = "admin_change"

    id = Column(Integer, primary_key=True)
    created_at = Column(UTCDateTime, nullable=False, index=True)
    actor = Column(String(64), nullable=False)  # account name, or "cli:<os user>" for the command line
    action = Column(String(64), nullable=False, index=True)  # e.g. user_unit.set, account.create
    target = Column(String(255), nullable=False, default="")
    before = Column(Text)
    after = Column(Text)
    address = Column(String(64))
