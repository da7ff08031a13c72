"""What every knowledge-base version was built from, kept so that any version can be restored.

Each build records, in the same transaction as its ``kb_version`` row:

* a ``kb_version_log`` row: who made the version and how (build, import, rollback,
  alias), the file concerned, the counts, the source files that changed;
* the content of every source file it read, in ``kb_source_blob``, stored once per
  content hash (a new version adds only the files that changed).

These tables are not knowledge tables: a build never empties them. Who and how come from
the caller through :func:`noting`, so the build's signature stays the same for everyone.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, LargeBinary, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base

from bot.db import schema_change

# Any: SQLAlchemy 1.4 ships no types for declarative classes.
HistoryBase: Any = declarative_base()

ACTION_LABELS = {"build": "构建", "import": "导入清单", "rollback": "回滚", "alias": "添加别名"}


class SourceBlob(HistoryBase):
    """One source file's content, by its sha256."""

    __tablename__ = "kb_source_blob"

    sha256 = Column(String(64), primary_key=True)
    content = Column(LargeBinary, nullable=False)


class VersionLog(HistoryBase):
    """How a version came about; one row per ``kb_version`` row written since history is kept."""

    __tablename__ = "kb_version_log"

    id = Column(Integer, primary_key=True)
    version = Column(String(32), unique=True, nullable=False)
    created_at = Column(DateTime, nullable=False)  # UTC
    actor = Column(String(64), nullable=False)
    action = Column(String(16), nullable=False)
    detail = Column(Text, nullable=False, default="")
    counts = Column(Text, nullable=False)  # JSON {"units", "items"} and whatever the caller adds
    changed = Column(Text, nullable=False)  # JSON [source paths added, changed or removed]
    restorable = Column(Boolean, nullable=False)  # every source file's content was kept


class MissDecision(HistoryBase):
    """What a maintainer decided about a wording the assistant could not answer.

    ``alias``: the wording became an alias of ``item_code`` in ``version``; ``not_in_list``:
    the list holds no such matter. Keyed by the wording's core (see :mod:`bot.curation.misses`).
    """

    __tablename__ = "kb_miss_decision"

    id = Column(Integer, primary_key=True)
    wording = Column(String(200), nullable=False, index=True)
    decision = Column(String(16), nullable=False)
    item_code = Column(String(64))
    alias = Column(String(64))
    version = Column(String(32))
    actor = Column(String(64), nullable=False)
    decided_at = Column(DateTime, nullable=False)  # UTC
    examples = Column(Text, nullable=False, default="[]")  # JSON: [{"text", "unit"}] the questions it settles


@dataclass(frozen=True)
class Note:
    """Who is making the next version, and how (see :data:`ACTION_LABELS`)."""

    actor: str = "命令行"
    action: str = "build"
    detail: str = ""


_note: contextvars.ContextVar[Note | None] = contextvars.ContextVar("kb_version_note", default=None)


@contextmanager
def noting(actor: str, action: str, detail: str = "") -> Iterator[None]:
    """Versions built inside this block are recorded as made by ``actor`` through ``action``."""
    token = _note.set(Note(actor, action, detail))
    try:
        yield
    finally:
        _note.reset(token)


def ensure_history(engine: Engine) -> None:
    with schema_change(engine, "kb-history-schema") as connection:
        HistoryBase.metadata.create_all(connection)


def record(
    session: Session,
    version: str,
    hashes: dict[str, str],
    paths: dict[str, Path],
    previous: dict[str, str] | None,
    counts: dict[str, int],
) -> None:
    """Keep the sources of ``version`` and how it came about (in the caller's transaction).

    Args:
        hashes: source path under ``knowledge/`` -> sha256, as the build read them.
        paths: where each source was read from (a staged import lies beside its target).
        previous: the hashes of the version this one replaces; None for the first.
    """
    known = set(session.execute(select(SourceBlob.sha256).where(SourceBlob.sha256.in_(set(hashes.values())))).scalars())
    restorable = True
    for label, expected in sorted(hashes.items()):
        if expected in known:
            continue
        path = paths.get(label)
        content = path.read_bytes() if path is not None and path.exists() else None
        if content is None or hashlib.sha256(content).hexdigest() != expected:
            restorable = False  # changed under our feet (not under the lock): never restore a wrong file
            continue
        session.add(SourceBlob(sha256=expected, content=content))
        known.add(expected)
    before = previous or {}
    changed = sorted(label for label in set(before) | set(hashes) if before.get(label) != hashes.get(label))
    note = _note.get() or Note()
    session.add(
        VersionLog(
            version=version,
            created_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
            actor=note.actor[:64],
            action=note.action,
            detail=note.detail,
            counts=json.dumps(counts, ensure_ascii=False),
            changed=json.dumps(changed if previous is not None else [], ensure_ascii=False),
            restorable=restorable,
        )
    )


def annotate(session: Session, version: str, **counts: int) -> None:
    """Add counts known only after the build (an import's added/changed/removed) to a version's log."""
    row = session.execute(select(VersionLog).where(VersionLog.version == version)).scalar()
    if row is not None:
        row.counts = json.dumps({**json.loads(row.counts), **counts}, ensure_ascii=False)


def contents(session: Session, hashes: dict[str, str]) -> dict[str, bytes] | None:
    """The content of every source in ``hashes``; None when any was not kept."""
    rows = session.execute(select(SourceBlob).where(SourceBlob.sha256.in_(set(hashes.values())))).scalars()
    blobs = {row.sha256: bytes(row.content) for row in rows}
    if any(sha not in blobs for sha in hashes.values()):
        return None
    return {label: blobs[sha] for label, sha in hashes.items()}
