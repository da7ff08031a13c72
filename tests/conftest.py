"""Shared fixtures: a knowledge base built from knowledge/ into a temporary
SQLite file, once per test session; operational data in a temporary file too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import KNOWLEDGE_DIR
from bot.kb.build import build
from bot.kb.provider import KnowledgeProvider
from bot.kb.types import Knowledge


@pytest.fixture(scope="session")
def kb_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("kb") / "kb.sqlite3"
    url = f"sqlite:///{path}"
    build(KNOWLEDGE_DIR, url)
    return url


@pytest.fixture(scope="session", autouse=True)
def ops_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The operational database (audit, users, message ids) of the whole run, and its spool.

    Set in the environment, so the servers a suite starts write there too, and
    never into build/ops.sqlite3.
    """
    directory = tmp_path_factory.mktemp("ops")
    url = f"sqlite:///{directory / 'ops.sqlite3'}"
    patch = pytest.MonkeyPatch()
    patch.setenv("OPS_DATABASE_URL", url)
    patch.setenv("OPS_SPOOL_FILE", str(directory / "audit-spool.jsonl"))
    yield url
    patch.undo()


@pytest.fixture(scope="session")
def knowledge(kb_url: str) -> Knowledge:
    return KnowledgeProvider(kb_url).get()


@pytest.fixture()
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of knowledge/ for tests that break or change sources."""
    import shutil

    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


@pytest.fixture()
def fresh_ops(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """An empty operational database and spool for one test, as a new process sees them."""
    from bot.ops import db

    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    monkeypatch.setenv("OPS_DATABASE_URL", url)
    monkeypatch.setenv("OPS_SPOOL_FILE", str(tmp_path / "audit-spool.jsonl"))
    monkeypatch.setenv("DB_BUSY_TIMEOUT_MS", "200")  # a locked database fails fast
    db.forget_state()
    yield url
    db.forget_state()
