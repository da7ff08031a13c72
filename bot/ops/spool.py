"""A file of JSON lines that waits for the database: nothing is lost while it is down.

Appends are refused beyond a size cap (the disk must not fill while the
database stays down). A drain hands every readable line to a writer and
empties the file only after the writer returned, i.e. after its commit; a
failing commit leaves the file as it was. A line that cannot be read or
converted is moved to ``<name>.rejected.jsonl`` for a human, and the rest of
the batch is written all the same. A lock file serialises threads and processes.
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
BAD_LINE = (ValueError, TypeError, KeyError)  # what a converter raises for a line it cannot use

_thread_lock = threading.Lock()


class Spool:
    def __init__(self, path: Path, max_bytes: int):
        self.path = path
        self.max_bytes = max_bytes

    @property
    def rejected_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".rejected.jsonl")

    def pending(self) -> bool:
        try:
            return self.path.stat().st_size > 0
        except FileNotFoundError:
            return False

    def append(self, item: dict[str, Any]) -> bool:
        """Add one item; False when the spool is full and the item was refused."""
        line = (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8")
        with self._locked():
            size = self.path.stat().st_size if self.path.exists() else 0
            if size + len(line) > self.max_bytes:
                logger.error("spool %s is full (%d bytes); an item was refused", self.path, size)
                return False
            with open(self.path, "ab") as handle:
                handle.write(line)
        return True

    def drain(self, convert: Callable[[dict[str, Any]], T], write: Callable[[list[T]], None]) -> int:
        """Write every usable item with one call of ``write``; returns how many.

        Raises whatever ``write`` raises, and then the spool is left untouched.
        """
        with self._locked():
            if not self.pending():
                return 0
            items: list[T] = []
            rejected: list[str] = []
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                    if not isinstance(raw, dict):
                        raise TypeError("not an object")
                    items.append(convert(raw))
                except BAD_LINE as exc:
                    logger.warning("spooled line set aside (%s): %r", exc, line[:200])
                    rejected.append(line)
            if items:
                write(items)
            if rejected:
                with open(self.rejected_path, "a", encoding="utf-8") as handle:
                    handle.write("\n".join(rejected) + "\n")
            self.path.write_bytes(b"")
            return len(items)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _thread_lock, open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
