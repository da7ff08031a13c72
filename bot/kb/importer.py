"""Importing an official 权责清单 / 下放事项目录 (.xlsx or .csv).

The knowledge base stays a function of the reviewed files in ``knowledge/``:
an import reads and validates the list, writes its rows in the ``items.csv``
columns to ``knowledge/imports/<name>.csv`` (see :mod:`bot.kb.source_items` for
how they apply), and builds. In order, all under the knowledge-base lock
(:mod:`bot.kb.locking`), so two imports or an import and a build never interleave:

1. read the list, find each sheet's header row, map its columns
   (:mod:`bot.kb.import_mapping`), check every row against the knowledge in
   force (:mod:`bot.kb.import_rows`); all problems at once, by sheet, row and column;
2. convert the rows, stage them beside the final file, and validate the whole
   knowledge base with them; compute the diff (:mod:`bot.kb.import_diff`);
3. (not for ``dry_run``) build the database in one transaction from the staged
   file, then move it into place. A failure before the commit removes it, so the
   database and ``knowledge/imports/`` are exactly as before; a crash after the
   commit leaves it for the next build or import to move (:mod:`bot.kb.pending`);
4. regenerate the lexicon. Running servers pick up the new version by
   themselves (:class:`bot.kb.provider.KnowledgeProvider`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from bot.errors import BuildRejected, ImportProblem, ImportRejected
from bot.kb.build import settle_imports, write_knowledge
from bot.kb.import_diff import ImportResult, ItemChange, describe, diff_items, kept_items
from bot.kb.import_mapping import MAPPING_FILE, ImportProblems, ListRow, load_mapping, normalize_header, read_rows
from bot.kb.import_rows import RowContext, check_row, unit_problem
from bot.kb.lexicon import LexiconFiles
from bot.kb.locking import kb_lock
from bot.kb.pending import promote, stage
from bot.kb.sheets import read_sheets
from bot.kb.source_items import IMPORT_COLUMNS, LAW_DOCUMENT
from bot.kb.sources import IMPORTS_DIR, Sources, import_files_in, load_sources
from bot.kb.types import UNIT_KIND_LABELS, UNIT_KINDS

__all__ = ["ImportResult", "describe", "import_list", "normalize_header"]

PROGRESS_FROM_ROWS = 500
_NAME_OK = re.compile(r"^[\w\-（）()]+$")
logger = logging.getLogger(__name__)


def import_list(
    path: Path,
    knowledge_dir: Path,
    url: str | None = None,
    *,
    unit_kind: str | None = None,
    unit: str | None = None,
    name: str | None = None,
    document: str | None = None,
    dry_run: bool = False,
    lexicon: LexiconFiles | None = None,
    progress: bool = True,
) -> ImportResult:
    """Import an official list; see the module docstring for the steps.

    Args:
        unit_kind: the kind of unit the list is for (town / central_street / noncentral_street).
        unit: a single unit whose own list this is (loose names allowed: 石牌街道).
        name: the name of ``knowledge/imports/<name>.csv``; the file's stem by default.
        document: a documents.csv id recorded as the items' delegation document.
        lexicon: the generated files to regenerate after a successful import.

    Raises:
        ImportRejected: the list has problems; nothing was written.
        BuildRejected: the knowledge sources in force have problems of their own.
        KnowledgeError: another build or import held the lock for too long.
    """
    started = time.perf_counter()
    name = name or path.stem
    problems = ImportProblems()
    if not _NAME_OK.fullmatch(name):
        problems.add("--name", 0, "", f"导入名称只能包含文字、数字、-、_ 和括号：{name!r}")
    if unit_kind and unit:
        problems.add("命令行", 0, "", "--unit-kind 与 --unit 只能选一个")
    if unit_kind and unit_kind not in UNIT_KINDS:
        problems.add("--unit-kind", 0, "", f"未知的镇街类型：{unit_kind!r}（应为 {'/'.join(UNIT_KINDS)}）")
    if problems.items:
        raise ImportRejected(problems.items)

    with kb_lock():
        settle_imports(knowledge_dir, url)
        sources = load_sources(knowledge_dir)
        # Rows are checked against knowledge/ without any imported list, so that what a list's file
        # says does not depend on which lists came before it (imports apply in file-name order, not
        # in the order they were made); the diff is taken against everything in force.
        others = {n: p for n, p in import_files_in(knowledge_dir).items() if n != name}
        context = RowContext.of(load_sources(knowledge_dir, {}))
        scope_unit = _scope_unit(unit, context, problems)
        if document and document != LAW_DOCUMENT and document not in sources.documents:
            problems.add("--document", 0, "", f"未知的文件编号：{document}（见 knowledge/documents.csv）")
        if problems.items:
            raise ImportRejected(problems.items)

        mapping = load_mapping(knowledge_dir / MAPPING_FILE)
        rows, skipped, fields_seen = read_rows(read_sheets(path), mapping, problems, path.name)
        if not unit_kind and not scope_unit and "unit" not in fields_seen and rows:
            problems.add(path.name, 0, "", "未指定适用范围：请用 --unit-kind 或 --unit，或在清单中加“适用镇街”列")
            raise ImportRejected(problems.items)
        codes: dict[str, ListRow] = {}
        for row in _progress(rows, progress):
            check_row(row, context, mapping, unit_kind, scope_unit, document, codes, problems)
        if problems.items:
            raise ImportRejected(problems.items)

        content = _imports_csv(path, rows, unit_kind, scope_unit)
        target = knowledge_dir / IMPORTS_DIR / f"{name}.csv"
        if dry_run:
            with tempfile.TemporaryDirectory(prefix="kb-import-") as scratch:
                after = _validated(knowledge_dir, others, name, stage(Path(scratch), name, content), rows)
            preview = tuple(diff_items(sources.items, after.items))
            return ImportResult(
                name,
                target,
                len(rows),
                preview,
                True,
                seconds=time.perf_counter() - started,
                skipped_sheets=tuple(skipped),
                warnings=tuple(problems.warnings),
                not_held=tuple(problems.not_held.items()),
                kept=kept_items([row.out["code"] for row in rows], preview),
            )
        version, unchanged, changes = _apply(knowledge_dir, url, others, name, content, rows, sources)
        lexicon_changed = _write_lexicon(url, lexicon) if lexicon else False
    return ImportResult(
        name,
        target,
        len(rows),
        changes,
        False,
        version,
        unchanged,
        lexicon_changed,
        time.perf_counter() - started,
        tuple(skipped),
        tuple(problems.warnings),
        tuple(problems.not_held.items()),
        kept_items([row.out["code"] for row in rows], changes),
    )


def _scope_unit(unit: str | None, context: RowContext, problems: ImportProblems) -> str | None:
    if not unit:
        return None
    mention = context.units.find(unit)
    reason = unit_problem(unit, mention)
    if reason:
        problems.add("--unit", 0, "", reason)
        return None
    return mention.units[0].full_name


def _apply(
    knowledge_dir: Path,
    url: str | None,
    others: dict[str, Path],
    name: str,
    content: str,
    rows: list[ListRow],
    sources: Sources,
) -> tuple[str, bool, tuple[ItemChange, ...]]:
    """Stage, validate, commit, move into place; (version, unchanged, changes)."""
    imports_dir = knowledge_dir / IMPORTS_DIR
    created = not imports_dir.exists()
    staged = stage(imports_dir, name, content)
    try:
        after = _validated(knowledge_dir, others, name, staged, rows)
        changes = tuple(diff_items(sources.items, after.items))
        result = write_knowledge(after, url)
        promote(staged, imports_dir / f"{name}.csv")
    finally:
        if staged.exists():
            _settle_after_failure(knowledge_dir, url)
        if created and imports_dir.exists() and not any(imports_dir.iterdir()):
            imports_dir.rmdir()
    return result.version, result.skipped, changes


def _settle_after_failure(knowledge_dir: Path, url: str | None) -> None:
    """Move the staged list into place if its build was committed, else remove it."""
    try:
        settle_imports(knowledge_dir, url)
    except Exception:  # the original error matters more; the next build or import settles it
        logger.warning("could not settle the staged import now; the next build or import will", exc_info=True)


def _validated(knowledge_dir: Path, others: dict[str, Path], name: str, staged: Path, rows: list[ListRow]) -> Sources:
    """The whole knowledge with the staged list; its problems located in the list again."""
    try:
        return load_sources(knowledge_dir, {**others, name: staged})
    except BuildRejected as exc:
        raise _map_back(exc, f"{IMPORTS_DIR}/{name}.csv", rows) from exc


def _progress(rows: list[ListRow], enabled: bool) -> Iterable[ListRow]:
    if not enabled or len(rows) <= PROGRESS_FROM_ROWS:
        return rows
    from tqdm import tqdm

    return tqdm(rows, desc="校验清单", unit="行", leave=False)


def _imports_csv(path: Path, rows: list[ListRow], unit_kind: str | None, unit: str | None) -> str:
    scope = unit or (UNIT_KIND_LABELS[unit_kind] if unit_kind else "见适用镇街")
    buffer = io.StringIO()
    buffer.write(
        f"# 由 `python -m bot.kb import` 从 {path.name} 导入（适用：{scope}，{dt.date.today()}）。"
        "可审阅、提交；重新导入同名清单会整体替换本文件。\n"
    )
    writer = csv.DictWriter(buffer, fieldnames=list(IMPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row.out)
    return buffer.getvalue()


def _map_back(exc: BuildRejected, label: str, rows: list[ListRow]) -> ImportRejected:
    """Problems the whole-knowledge check found in the converted rows, located in the list again."""
    first_data_line = 3  # a comment line, the header, then the rows in order
    problems = []
    for p in exc.problems:
        index = p.line - first_data_line
        if p.file == label and 0 <= index < len(rows):
            problems.append(ImportProblem(rows[index].sheet, rows[index].row, "", p.reason))
        else:
            problems.append(ImportProblem(p.file, p.line, "", p.reason))
    return ImportRejected(problems)


def _write_lexicon(url: str | None, files: LexiconFiles) -> bool:
    """Regenerate the generated lexicon files; True when any changed."""
    from bot.kb.lexicon import refresh_lexicon

    return refresh_lexicon(url, files)
