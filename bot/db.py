"""Engines and sessions shared by the two databases: the knowledge base and operational data.

An engine is created lazily, once per URL, never at import time (the action
server imports every module when it starts). SQLite files get the same pragmas
in both databases; each database converts errors into its own exception.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

DEFAULT_BUSY_TIMEOUT_MS = 5000

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for other databases and in-memory SQLite."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(prefix) and not url.startswith(prefix + ":memory:"):
            return Path(url[len(prefix) :].split("?", 1)[0])
    return None


def engine_for(url: str) -> Engine:
    """The engine of a database URL, created on first use."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            path = sqlite_path(url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            if path is not None:
                # Connections kept open (SQLAlchemy 1.4 opens and closes the file per session, and
                # closing the last one checkpoints the journal: a tenth of an answer's time).
                engine = create_engine(
                    url,
                    future=True,
                    pool_pre_ping=True,
                    poolclass=QueuePool,
                    connect_args={"check_same_thread": False},
                )
            else:
                engine = create_engine(url, future=True, pool_pre_ping=True)
            if url.startswith("sqlite"):
                # Read when the engine is made, so a test can shorten the wait for a locked file.
                busy_ms = int(os.environ.get("DB_BUSY_TIMEOUT_MS") or DEFAULT_BUSY_TIMEOUT_MS)
                event.listen(engine, "connect", _sqlite_pragmas(busy_ms))
            _engines[url] = engine
        return engine


def _sqlite_pragmas(busy_ms: int) -> Callable[..., None]:
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms:d}")
        # WAL: readers (both servers) never wait for a writer; NORMAL sync
        # is durable across application crashes and much cheaper per commit.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


@contextmanager
def schema_change(engine: Engine, name: str) -> Iterator[Connection]:
    """A transaction in which one process at a time changes the schema called ``name``.

    Replicas and servers starting together each create the tables they need; on PostgreSQL two
    concurrent ``CREATE TABLE`` of one name fail in the second (a duplicate key in pg_type), so
    the transaction first takes an advisory lock of its own (released with the transaction) and
    the second process then finds the tables made. SQLite serialises writers by itself.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        yield connection


@contextmanager
def session_scope(url: str, unavailable: Callable[[SQLAlchemyError], Exception]) -> Iterator[Session]:
    """A session that commits on success; database errors (a bad URL too) become ``unavailable(exc)``."""
    try:
        with Session(engine_for(url), future=True) as session:
            yield session
            session.commit()
    except SQLAlchemyError as exc:
        raise unavailable(exc) from exc


def dispose_all() -> None:
    """Close every engine (tests use this to play a process restart)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
