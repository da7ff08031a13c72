"""The history of knowledge-base versions, and rolling back to any of them in one call.

A rollback puts the source files of an earlier version back into ``knowledge/`` (imports
included; files that version did not have are removed) and builds from them, under the
knowledge-base lock, as a new version noted ``rollback``. The files are restored before
the build: if the build fails they are put back as they were; if the process dies in
between, ``knowledge/`` already holds what was asked for and the next build lands it.
Running servers pick the new version up by themselves (:mod:`bot.kb.provider`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from bot.errors import KnowledgeError
from bot.kb import models as m
from bot.kb.build import settle_imports, write_knowledge
from bot.kb.lexicon import LexiconFiles, refresh_lexicon
from bot.kb.locking import kb_lock
from bot.kb.sources import import_files_in, load_sources, source_paths
from bot.kb.store import get_engine, session_scope
from bot.kb.version_store import ACTION_LABELS, VersionLog, contents, noting


@dataclass(frozen=True)
class VersionInfo:
    """One version, newest first in :func:`history`."""

    version: str
    built_at: dt.datetime  # as the build recorded it (local time of the building machine)
    actor: str  # 命令行 for builds and imports from the command line; "" before history was kept
    action: str  # build / import / rollback / alias, "" before history was kept
    detail: str
    counts: dict[str, int]
    changed: tuple[str, ...]  # source files added, changed or removed
    restorable: bool
    current: bool

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, "构建（无记录）" if not self.action else self.action)


@dataclass(frozen=True)
class RollbackResult:
    version: str  # the new version in force
    restored: str  # the version whose sources it was built from
    files: tuple[str, ...]  # source files written or removed
    lexicon_changed: bool


def history(url: str | None = None, limit: int = 200) -> list[VersionInfo]:
    """The versions built so far, newest first (the first one is in force)."""
    if not inspect(get_engine(url)).has_table(m.KbVersion.__tablename__):
        return []
    with session_scope(url) as session:
        rows = session.execute(select(m.KbVersion).order_by(m.KbVersion.id.desc()).limit(limit)).scalars().all()
        logs = {
            log.version: log
            for log in session.execute(
                select(VersionLog).where(VersionLog.version.in_([r.version for r in rows]))
            ).scalars()
        }
        out = []
        for index, row in enumerate(rows):
            log = logs.get(row.version)
            out.append(
                VersionInfo(
                    version=row.version,
                    built_at=row.built_at,
                    actor=log.actor if log else "",
                    action=log.action if log else "",
                    detail=log.detail if log else "",
                    counts=json.loads(log.counts) if log else {},
                    changed=tuple(json.loads(log.changed)) if log else (),
                    restorable=bool(log.restorable) if log else False,
                    current=index == 0,
                )
            )
    return out


def rollback(
    target: str,
    knowledge_dir: Path,
    url: str | None = None,
    *,
    actor: str = "命令行",
    lexicon: LexiconFiles | None = None,
) -> RollbackResult:
    """Make the knowledge of version ``target`` the version in force again.

    Raises:
        KnowledgeError: the version is unknown, its sources were not kept, or it is already in force.
        BuildRejected: its sources no longer pass validation (nothing was changed).
    """
    with kb_lock():
        settle_imports(knowledge_dir, url)
        with session_scope(url) as session:
            wanted = _sources_of(session, target)
            current = _current(session)
            snapshot = contents(session, wanted)
            before = contents(session, current[1]) if current else None
        if snapshot is None:
            raise KnowledgeError(f"版本 {target} 没有保存来源文件（早于版本记录功能），无法回滚到该版本。")
        if current is not None and current[0] == target:
            raise KnowledgeError(f"版本 {target} 就是当前版本，无需回滚。")
        # Validate first, from a scratch copy: a rejected version leaves knowledge/ untouched.
        with tempfile.TemporaryDirectory(prefix="kb-rollback-") as scratch:
            _write_tree(Path(scratch), snapshot, knowledge_dir)
            load_sources(Path(scratch))
        touched = _write_tree(knowledge_dir, snapshot, knowledge_dir)
        try:
            with noting(actor, "rollback", target):
                result = write_knowledge(load_sources(knowledge_dir), url, force=True)
        except BaseException:
            if before is not None:
                _write_tree(knowledge_dir, before, knowledge_dir)
            raise
        changed = refresh_lexicon(url, lexicon) if lexicon else False
    return RollbackResult(result.version, target, tuple(touched), changed)


def _sources_of(session: Session, version: str) -> dict[str, str]:
    raw = session.execute(select(m.KbVersion.sources).where(m.KbVersion.version == version)).scalar()
    if raw is None:
        raise KnowledgeError(f"没有这个知识库版本：{version}")
    return dict(json.loads(raw))


def _current(session: Session) -> tuple[str, dict[str, str]] | None:
    row = session.execute(select(m.KbVersion).order_by(m.KbVersion.id.desc()).limit(1)).scalar()
    return (row.version, dict(json.loads(row.sources))) if row is not None else None


def _write_tree(directory: Path, files: dict[str, bytes], knowledge_dir: Path) -> list[str]:
    """Make the sources under ``directory`` exactly ``files``; the paths written or removed.

    Files a build does not read (samples, the import mapping) are left alone, and copied
    into a scratch ``directory`` from ``knowledge_dir`` when it is not that directory.
    """
    directory.mkdir(parents=True, exist_ok=True)
    if directory != knowledge_dir:
        for extra in ("import_mapping.yaml",):
            if (knowledge_dir / extra).exists():
                (directory / extra).write_bytes((knowledge_dir / extra).read_bytes())
    existing = source_paths(directory, import_files_in(directory))
    touched = []
    for label in sorted(set(existing) - set(files)):
        existing[label].unlink()
        touched.append(label)
    for label, content in sorted(files.items()):
        path = directory / label
        if path.exists() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.rollback")
        temporary.write_bytes(content)
        os.replace(temporary, path)
        touched.append(label)
    return touched
