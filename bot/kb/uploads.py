"""An uploaded list, previewed (the dry-run diff) before it is applied, for the maintainers' console.

:func:`preview` keeps the uploaded file and its options under a random token and returns
the diff or every row-level problem; :func:`apply` imports exactly that file with exactly
those options, as a knowledge-base version noted ``import``. Uploads older than a day are
removed when the next one arrives.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ImportProblem, ImportRejected, KnowledgeError
from bot.kb.import_diff import ImportResult
from bot.kb.importer import import_list
from bot.kb.lexicon import LexiconFiles
from bot.kb.store import session_scope
from bot.kb.version_store import annotate, noting

SUFFIXES = (".xlsx", ".csv")
MAX_BYTES = 20 * 1024 * 1024
KEEP_S = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{16}$")
_UNSAFE = re.compile(r"[^\w\-（）()]+")


@dataclass(frozen=True)
class Options:
    unit_kind: str | None = None
    unit: str | None = None
    name: str | None = None
    document: str | None = None


@dataclass(frozen=True)
class Preview:
    token: str
    filename: str
    result: ImportResult | None  # None when the list was rejected
    problems: tuple[ImportProblem, ...] = field(default=())

    @property
    def counts(self) -> dict[str, int]:
        """新增 / 修改 / 未变 / 删除 as the console shows them."""
        if self.result is None:
            return {}
        added, changed, removed = (len(self.result.of_kind(k)) for k in ("added", "changed", "removed"))
        return {
            "added": added,
            "changed": changed,
            "unchanged": max(0, self.result.rows - added - changed),
            "removed": removed,
        }


def preview(
    data: bytes, filename: str, options: Options, knowledge_dir: Path, url: str | None, upload_dir: Path
) -> Preview:
    """Keep the upload and compute what importing it would change; nothing is written to the knowledge.

    Raises:
        KnowledgeError: the file is not an .xlsx/.csv, is empty or too large.
        BuildRejected: the knowledge sources in force have problems of their own.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise KnowledgeError("只能上传 .xlsx 或 .csv 文件（.xls 请先另存为 .xlsx）")
    if not data:
        raise KnowledgeError("上传的文件是空的")
    if len(data) > MAX_BYTES:
        raise KnowledgeError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB")
    _expire(upload_dir)
    token = secrets.token_hex(8)
    folder = upload_dir / token
    folder.mkdir(parents=True)
    stem = _UNSAFE.sub("_", Path(filename).stem).strip("_") or "清单"
    path = folder / f"{stem}{suffix}"
    path.write_bytes(data)
    (folder / "options.json").write_text(json.dumps(options.__dict__, ensure_ascii=False), encoding="utf-8")
    return Preview(token, path.name, *_dry_run(path, options, knowledge_dir, url))


def apply(
    token: str,
    knowledge_dir: Path,
    url: str | None,
    upload_dir: Path,
    *,
    actor: str,
    lexicon: LexiconFiles | None = None,
) -> ImportResult:
    """Import the previewed upload ``token``; the result with the version built.

    Raises:
        KnowledgeError: the upload is unknown or expired; ImportRejected / BuildRejected as
            :func:`bot.kb.importer.import_list` (nothing written).
    """
    path, options = _load(upload_dir, token)
    with noting(actor, "import", path.name):
        result = _import(path, options, knowledge_dir, url, lexicon=lexicon)
    if result.version and not result.unchanged:
        with session_scope(url) as session:
            annotate(session, result.version, rows=result.rows, **_kinds(result))
    shutil.rmtree(path.parent, ignore_errors=True)
    return result


def discard(token: str, upload_dir: Path) -> None:
    if _TOKEN.fullmatch(token):
        shutil.rmtree(upload_dir / token, ignore_errors=True)


def _dry_run(
    path: Path, options: Options, knowledge_dir: Path, url: str | None
) -> tuple[ImportResult | None, tuple[ImportProblem, ...]]:
    try:
        result = _import(path, options, knowledge_dir, url, dry_run=True)
    except ImportRejected as exc:
        return None, tuple(exc.problems)
    return result, ()


def _import(
    path: Path,
    options: Options,
    knowledge_dir: Path,
    url: str | None,
    *,
    dry_run: bool = False,
    lexicon: LexiconFiles | None = None,
) -> ImportResult:
    """The upload imported (or only previewed) with the options chosen on the form."""
    return import_list(
        path,
        knowledge_dir,
        url,
        unit_kind=options.unit_kind,
        unit=options.unit,
        name=options.name or path.stem,
        document=options.document,
        dry_run=dry_run,
        lexicon=lexicon,
        progress=False,
    )


def _kinds(result: ImportResult) -> dict[str, int]:
    return {kind: len(result.of_kind(kind)) for kind in ("added", "changed", "removed")}


def _load(upload_dir: Path, token: str) -> tuple[Path, Options]:
    folder = upload_dir / token
    if not _TOKEN.fullmatch(token) or not (folder / "options.json").is_file():
        raise KnowledgeError("没有这个待导入的文件（可能已导入或已过期），请重新上传")
    options = Options(**json.loads((folder / "options.json").read_text(encoding="utf-8")))
    files = [p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES]
    if len(files) != 1:
        raise KnowledgeError("待导入的文件不完整，请重新上传")
    return files[0], options


def _expire(upload_dir: Path) -> None:
    if not upload_dir.is_dir():
        return
    cutoff = time.time() - KEEP_S
    for folder in upload_dir.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
