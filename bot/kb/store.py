"""Engine and sessions of the knowledge database (engines and pragmas: :mod:`bot.db`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

import bot.db as db  # engines and sessions shared with bot.ops (bot.db imports nothing of bot)
from bot.config import settings
from bot.db import dispose_all
from bot.errors import KnowledgeUnavailable

__all__ = ["dispose_all", "get_engine", "session_scope"]


def get_engine(url: str | None = None) -> Engine:
    return db.engine_for(url or settings().database_url)


def _unavailable(exc: SQLAlchemyError) -> KnowledgeUnavailable:
    return KnowledgeUnavailable(f"知识库数据库不可用：{exc.__class__.__name__}")


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and converts database errors.

    Raises:
        KnowledgeUnavailable: when the database cannot be reached or queried.
    """
    with db.session_scope(url or settings().database_url, _unavailable) as session:
        yield session
