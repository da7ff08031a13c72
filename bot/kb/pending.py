"""An imported list on its way into ``knowledge/imports/``, crash-safe.

The importer writes the list beside its target under a name no build reads
(``.<name>.csv.tmp``), builds the database from it in one transaction, then
renames it into place. A crash between the commit and the rename leaves the
staged file behind; :func:`settle` (run under the knowledge-base lock before every
build and import, and after every import) compares it with the sources the
database was built from: the same content means the commit happened, so the
rename is finished; anything else means it did not, so the file is dropped.
Either way ``knowledge/imports/`` and the database agree again.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.kb.source_files import file_hash

_PREFIX, _SUFFIX = ".", ".csv.tmp"


def staged_path(imports_dir: Path, name: str) -> Path:
    return imports_dir / f"{_PREFIX}{name}{_SUFFIX}"


def stage(imports_dir: Path, name: str, content: str) -> Path:
    """Write ``content`` durably under the staged name of ``name``."""
    imports_dir.mkdir(parents=True, exist_ok=True)
    path = staged_path(imports_dir, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def staged_files(imports_dir: Path) -> dict[str, Path]:
    """Staged lists left in ``imports_dir``, by import name."""
    if not imports_dir.is_dir():
        return {}
    return {p.name[len(_PREFIX) : -len(_SUFFIX)]: p for p in sorted(imports_dir.glob(f"{_PREFIX}*{_SUFFIX}"))}


def settle(imports_dir: Path, built: dict[str, str], label: str) -> list[str]:
    """Finish or undo every staged list; the names of the lists moved into place.

    Args:
        built: the sources (path under ``knowledge/`` -> sha256) of the build in force.
        label: the imports folder as it appears in ``built`` keys (``imports``).
    """
    finished = []
    for name, path in staged_files(imports_dir).items():
        if built.get(f"{label}/{name}.csv") == file_hash(path):
            os.replace(path, imports_dir / f"{name}.csv")
            finished.append(name)
        else:
            path.unlink()
    if finished:
        _sync_dir(imports_dir)
    return finished


def promote(staged: Path, target: Path) -> None:
    """Move a staged list into place (one rename) and make the rename durable."""
    os.replace(staged, target)
    _sync_dir(target.parent)


def _sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
