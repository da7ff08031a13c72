"""Build the knowledge base from ``knowledge/`` in one transaction.

Knowledge tables are emptied and refilled inside a single transaction, so a
failed build leaves the previous version in place, and tables that are not
knowledge (user directory, audit) are never touched. Builds and imports hold
the knowledge-base lock (:mod:`bot.kb.locking`), and a build first settles an
import a crash interrupted (:mod:`bot.kb.pending`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.kb import models as m
from bot.kb.fill import fill as _fill  # a name tests replace to fail a build midway
from bot.kb.locking import kb_lock
from bot.kb.pending import settle, staged_files
from bot.kb.sources import IMPORTS_DIR, Sources, load_sources
from bot.kb.store import get_engine
from bot.kb.version_store import ensure_history, record

logger = logging.getLogger(__name__)

# Children before parents, for deletes.
_KNOWLEDGE_TABLES = (
    m.DutyItem,
    m.Duty,
    m.Post,
    m.AgencyItem,
    m.Agency,
    m.Fact,
    m.ItemAlias,
    m.UnitRule,
    m.DelegationRule,
    m.LegalReference,
    m.PowerItem,
    m.Document,
    m.Article,
    m.Law,
    m.Office,
    m.OfficeSubstitute,
    m.OfficeAlias,
    m.VocabularyWord,
    m.UnitAlias,
    m.Unit,
    m.District,
)


@dataclass(frozen=True)
class BuildResult:
    version: str
    units: int
    items: int
    laws: int
    articles: int
    skipped: bool


def build(knowledge_dir: Path, url: str | None = None, force: bool = False) -> BuildResult:
    """Validate the sources and (re)build the knowledge base, under the knowledge-base lock.

    Raises:
        BuildRejected: when a source file has errors; the database is untouched.
    """
    with kb_lock():
        settle_imports(knowledge_dir, url)
        return write_knowledge(load_sources(knowledge_dir), url, force)


def write_knowledge(sources: Sources, url: str | None = None, force: bool = False) -> BuildResult:
    """Write validated sources as the new version, in one transaction (the caller holds the lock).

    Skipped when the version in force was built from the same sources, unless ``force``.
    The sources are kept with the version (:mod:`bot.kb.version_store`), so it can be restored.
    """
    engine = get_engine(url)
    _ensure_schema(engine)
    with Session(engine, future=True) as session, session.begin():
        latest = session.execute(select(m.KbVersion).order_by(m.KbVersion.id.desc()).limit(1)).scalar()
        if latest is not None and latest.version.endswith(sources.digest[:8]) and not force:
            return BuildResult(latest.version, len(sources.units), len(sources.items), 0, 0, skipped=True)
        version = _new_version(session, sources.digest)
        for table in _KNOWLEDGE_TABLES:
            session.execute(delete(table))
        counts = _fill(session, sources)
        record(
            session,
            version,
            sources.hashes,
            sources.paths,
            json.loads(latest.sources) if latest is not None else None,
            {"units": len(sources.units), "items": len(sources.items), "laws": counts[0]},
        )
        session.add(
            m.KbVersion(
                version=version,
                built_at=dt.datetime.now(),
                sources=json.dumps(sources.hashes, ensure_ascii=False, sort_keys=True),
            )
        )
    logger.info("knowledge base %s built: %s", version, counts)
    return BuildResult(version, len(sources.units), len(sources.items), *counts, skipped=False)


def _new_version(session: Session, digest: str) -> str:
    """A version id not used before (a rollback to a version built within the same second waits a moment)."""
    while True:
        version = f"{dt.datetime.now():%Y%m%d.%H%M%S}-{digest[:8]}"
        if session.execute(select(m.KbVersion.id).where(m.KbVersion.version == version)).first() is None:
            return version
        time.sleep(0.2)


def built_sources(url: str | None = None) -> dict[str, str]:
    """The sources (path under ``knowledge/`` -> sha256) the version in force was built from."""
    engine = get_engine(url)
    if not inspect(engine).has_table(m.KbVersion.__tablename__):
        return {}
    with Session(engine, future=True) as session:
        latest = session.execute(select(m.KbVersion.sources).order_by(m.KbVersion.id.desc()).limit(1)).scalar()
    return json.loads(latest) if latest else {}


def settle_imports(knowledge_dir: Path, url: str | None = None) -> list[str]:
    """Finish or undo an import a crash interrupted (see :mod:`bot.kb.pending`); the caller holds the lock."""
    imports_dir = knowledge_dir / IMPORTS_DIR
    if not staged_files(imports_dir):
        return []
    finished = settle(imports_dir, built_sources(url), IMPORTS_DIR)
    if finished:
        logger.warning("finished interrupted imports: %s", finished)
    return finished


def _ensure_schema(engine: Engine) -> None:
    """Create missing tables; recreate knowledge tables whose columns changed.

    Knowledge tables hold nothing but what the next build writes, so a
    changed layout is dropped and recreated; other tables are never dropped.
    """
    existing = inspect(engine)
    stale = [
        model.__table__
        for model in (*_KNOWLEDGE_TABLES, m.KbVersion)
        if existing.has_table(model.__tablename__)
        and {c["name"] for c in existing.get_columns(model.__tablename__)} != set(model.__table__.columns.keys())
    ]
    if stale:
        logger.warning("knowledge tables changed layout, recreating: %s", [t.name for t in stale])
        knowledge_tables = [model.__table__ for model in (*_KNOWLEDGE_TABLES, m.KbVersion)]
        m.Base.metadata.drop_all(engine, tables=knowledge_tables)
    m.Base.metadata.create_all(engine)
    ensure_history(engine)
