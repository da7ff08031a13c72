"""The knowledge in force, cached in memory and refreshed when a new build lands."""

from __future__ import annotations

import threading
import time

from bot.kb.queries import current_version, load_knowledge
from bot.kb.store import session_scope
from bot.kb.types import Knowledge

_CHECK_EVERY_S = 2.0


class KnowledgeProvider:
    """Serves a :class:`Knowledge` snapshot; reloads when the version changes.

    The version check is one indexed query, made at most every two seconds,
    so an import or rebuild is picked up without restarting the servers.
    """

    def __init__(self, url: str | None = None, check_every_s: float = _CHECK_EVERY_S):
        self._url = url
        self._check_every_s = check_every_s
        self._knowledge: Knowledge | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def expire(self) -> None:
        """Check the version at the next :meth:`get` (after a change made by this process)."""
        with self._lock:
            self._checked_at = 0.0

    def get(self) -> Knowledge:
        """Raises KnowledgeUnavailable when the database cannot be read."""
        now = time.monotonic()
        with self._lock:
            if self._knowledge is not None and now - self._checked_at < self._check_every_s:
                return self._knowledge
            with session_scope(self._url) as session:
                version = current_version(session)
                if self._knowledge is None or version is None or version[0] != self._knowledge.version:
                    self._knowledge = load_knowledge(session)
            self._checked_at = now
            return self._knowledge


_default: KnowledgeProvider | None = None


def default_provider() -> KnowledgeProvider:
    global _default
    if _default is None:
        _default = KnowledgeProvider()
    return _default
