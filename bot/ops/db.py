"""Sessions on the operational database; its schema is migrated on first use.

The first session a process opens on a database applies the pending Alembic
migrations (``bot.ops.schema``) and then runs the first-use hooks that other
modules registered (retention purge, audit spool replay). Nothing connects at
import time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import db
from bot.config import ops_settings
from bot.errors import OpsUnavailable
from bot.ops import schema

logger = logging.getLogger(__name__)

_ready: set[str] = set()
_lock = threading.Lock()
_first_use: list[Callable[[str], object]] = []


def url_of(url: str | None = None) -> str:
    """The given URL, else ``OPS_DATABASE_URL``, else ``build/ops.sqlite3``."""
    return url or ops_settings().database_url


def unavailable(exc: BaseException) -> OpsUnavailable:
    return OpsUnavailable(f"业务数据库不可用：{exc.__class__.__name__}")


def on_first_use(hook: Callable[[str], object]) -> None:
    """Run ``hook(url)`` once per process and database, after the schema is up to date.

    Hooks are housekeeping: they must not raise.
    """
    if hook not in _first_use:
        _first_use.append(hook)


def ensure(url: str | None = None) -> str:
    """Migrate the database on first use in this process; returns its URL.

    Raises:
        OpsUnavailable: when the database cannot be reached or migrated.
    """
    url = url_of(url)
    with _lock:
        if url in _ready:
            return url
        try:
            schema.upgrade(url)
        except (SQLAlchemyError, OSError) as exc:
            logger.exception("cannot migrate the operational database")
            raise unavailable(exc) from exc
        _ready.add(url)
    for hook in list(_first_use):
        hook(url)
    return url


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session on the operational database that commits on success.

    Raises:
        OpsUnavailable: when the database cannot be reached, migrated or written.
    """
    with db.session_scope(ensure(url), unavailable) as session:
        yield session


def forget_state() -> None:
    """Close engines and forget which databases were migrated: a process restart, for tests."""
    with _lock:
        _ready.clear()
    db.dispose_all()
