"""Operational tables kept beside the knowledge base: the user directory and
the audit log. Their own declarative base keeps knowledge builds away from
them; tables are created lazily, once per database URL, with ``checkfirst``."""

from __future__ import annotations

import threading

from sqlalchemy import Column, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import declarative_base

from bot.kb.store import get_engine

Base = declarative_base()


class UserUnit(Base):
    """Which unit a sender (chat user id, WeCom/DingTalk id) belongs to."""

    __tablename__ = "user_unit"

    sender = Column(String(128), primary_key=True)
    unit = Column(String(64), nullable=False)  # full name, e.g. 天河区石牌街道
    source = Column(String(16), nullable=False)  # chat / metadata / admin
    updated_at = Column(DateTime, nullable=False)


class AuditRecord(Base):
    """One answered (or unanswered) question."""

    __tablename__ = "audit_record"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False, index=True)
    sender = Column(String(128), nullable=False, index=True)
    channel = Column(String(32))
    text = Column(Text, nullable=False)
    intent = Column(String(64))
    confidence = Column(Float)
    unit = Column(String(64))
    matter = Column(String(64))
    question = Column(String(16))
    verdict = Column(String(16))  # yes/no/assist/unknown, clarify, fallback, or null
    kb_version = Column(String(64))
    rating = Column(String(8))  # up / down
    reason = Column(Text)
    rated_at = Column(DateTime)


_ready: set[str] = set()
_lock = threading.Lock()


def ensure_tables(url: str | None = None) -> None:
    engine = get_engine(url)
    key = str(engine.url)
    with _lock:
        if key not in _ready:
            Base.metadata.create_all(engine, checkfirst=True)
            _ready.add(key)
