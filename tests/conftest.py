"""Shared fixtures: a knowledge base built from knowledge/ into a temporary
SQLite file (operational data in a temporary file too), and the one real stack of servers that the end-to-end, browser
and channel tests all talk to.

The stack (action server, Rasa, the web widget app, with WeCom, DingTalk and
voice configured against a loopback fake platform) is started at most once
per test session, and only when a test asks for it: a run of the pure tests
never loads Rasa (about 1 GB and a minute on a small machine).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import KNOWLEDGE_DIR
from bot.kb.build import build
from bot.kb.provider import KnowledgeProvider
from bot.kb.types import Knowledge
from tests.fake_platform import FakePlatform, channel_env, serve_fake_platform
from tests.stack import Stack, start_stack


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
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


# ---- the real servers ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fake_platform() -> Iterator[FakePlatform]:
    with serve_fake_platform() as platform:
        yield platform


@pytest.fixture(scope="session")
def stack_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(knowledge dir, build dir) of the session's servers: a copy of knowledge/ and an empty
    build dir, so that the console's imports, rollbacks and aliases never write into the repository."""
    root = tmp_path_factory.mktemp("stack-kb")
    shutil.copytree(KNOWLEDGE_DIR, root / "knowledge")
    return root / "knowledge", root / "build"


@pytest.fixture(scope="session")
def stack(
    kb_url: str, fake_platform: FakePlatform, stack_dirs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The session's real servers, with the channels configured against ``fake_platform``."""
    log_path = tmp_path_factory.mktemp("servers") / "servers.log"
    env = {**channel_env(fake_platform.url), "KB_KNOWLEDGE_DIR": str(stack_dirs[0]), "KB_BUILD_DIR": str(stack_dirs[1])}
    with start_stack(kb_url, env, log_path) as running:
        yield running


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
