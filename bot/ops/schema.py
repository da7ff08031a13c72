"""The operational schema, created and changed by Alembic migrations only.

Migrations live in ``bot/ops/migrations/versions``; they are applied
programmatically (first use of a database, ``python -m bot.ops migrate``), so
no ``alembic.ini`` is needed. Processes starting together (Rasa, the action
server, the widget, replicas) take a lock, so only one of them runs a migration
and the others then find it done: a file lock beside a SQLite database, an
advisory lock on PostgreSQL (``bot.db.schema_change``).
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from bot import db

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

logger = logging.getLogger(__name__)


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(url: str) -> str | None:
    """The revision a database is at; None when it was never migrated."""
    with db.engine_for(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the pending migrations (none: nothing is written)."""
    if revision == "head" and current(url) == head():
        return
    with _migration_lock(url), db.schema_change(db.engine_for(url), "ops-schema") as connection:
        command.upgrade(_config(connection), revision)
    logger.info("operational database at revision %s", revision)


def revision(url: str, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    with db.engine_for(url).begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    path = db.sqlite_path(url)
    if path is None:
        yield  # a server database: schema_change locks inside the database
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".migrate.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
