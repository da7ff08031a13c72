"""Shared fixtures: a knowledge base built from knowledge/ into a temporary
SQLite file, once per test session."""

from __future__ import annotations

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
