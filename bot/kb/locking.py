"""One lock for everything that writes the knowledge base or ``knowledge/imports/``.

A file lock under ``build/`` (``KB_BUILD_DIR``), so builds and imports started
from different processes (``make kb``, two ``python -m bot.kb import`` at once)
run one after the other and none is lost. It is re-entrant within a thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from bot.config import settings
from bot.errors import KnowledgeError

LOCK_FILE = "kb.lock"
WAIT_S = 600.0

logger = logging.getLogger(__name__)
_locks: dict[Path, FileLock] = {}
_guard = threading.Lock()


@contextmanager
def kb_lock(build_dir: Path | None = None, wait_s: float = WAIT_S) -> Iterator[None]:
    """Hold the knowledge-base lock; wait up to ``wait_s`` for another build or import.

    Raises:
        KnowledgeError: when the lock is still held after ``wait_s``.
    """
    path = (build_dir or settings().build_dir).resolve() / LOCK_FILE
    with _guard:
        lock = _locks.get(path)
        if lock is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = _locks[path] = FileLock(path)
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            # Printed by logging's last-resort handler when the CLI configured none.
            logger.warning("另一个知识库导入或构建正在进行，等待其完成（最多 %.0f 秒）…", wait_s)
            lock.acquire(timeout=wait_s)
    except Timeout as exc:
        raise KnowledgeError(f"另一个知识库导入或构建在 {wait_s:.0f} 秒内未结束（锁文件 {path}），请稍后再试") from exc
    try:
        yield
    finally:
        lock.release()
