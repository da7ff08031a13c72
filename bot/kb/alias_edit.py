"""Teaching the assistant a wording: a new alias of an item, written to ``knowledge/aliases.csv``.

The alias becomes a knowledge-base version like any change (noted ``alias``, so it can be
rolled back); the running assistant's matcher finds it as soon as the provider reloads,
without retraining (aliases are matched in the question as written, :mod:`bot.matching`).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from bot.errors import KnowledgeError
from bot.kb.build import settle_imports, write_knowledge
from bot.kb.lexicon import LexiconFiles, refresh_lexicon
from bot.kb.locking import kb_lock
from bot.kb.sources import load_sources
from bot.kb.version_store import noting

ALIASES_FILE = "aliases.csv"
MIN_LENGTH, MAX_LENGTH = 2, 30
_FORBIDDEN = set(",;，；\"'\n\r\t")


@dataclass(frozen=True)
class AliasAdded:
    code: str
    name: str
    alias: str
    version: str
    lexicon_changed: bool


def check_alias(alias: str) -> str:
    """The alias as it will be stored.

    Raises:
        KnowledgeError: with the reason, for the maintainer.
    """
    alias = alias.strip()
    if not MIN_LENGTH <= len(alias) <= MAX_LENGTH:
        raise KnowledgeError(f"别名须为 {MIN_LENGTH} 到 {MAX_LENGTH} 个字：{alias!r}")
    if _FORBIDDEN & set(alias):
        raise KnowledgeError("别名不能包含逗号、分号、引号或换行")
    return alias


def add_alias(
    code: str,
    alias: str,
    knowledge_dir: Path,
    url: str | None = None,
    *,
    actor: str = "命令行",
    detail: str = "",
    lexicon: LexiconFiles | None = None,
) -> AliasAdded:
    """Add ``alias`` to item ``code`` and build; the new version.

    Args:
        detail: what the version history shows (by default the alias and the item).

    Raises:
        KnowledgeError: unknown item, the alias is malformed or already names an item.
        BuildRejected: the sources in force have problems of their own (nothing written).
    """
    alias = check_alias(alias)
    path = knowledge_dir / ALIASES_FILE
    with kb_lock():
        settle_imports(knowledge_dir, url)
        items = {item.code: item for item in load_sources(knowledge_dir).items}
        item = items.get(code)
        if item is None:
            raise KnowledgeError(f"没有这个事项编码：{code}")
        for other in items.values():
            if alias in other.aliases or alias == other.name:
                raise KnowledgeError(f"“{alias}”已是事项“{other.name}”（{other.code}）的名称或别名")
        original = path.read_text(encoding="utf-8-sig") if path.exists() else None
        _replace(path, _with_alias(original, code, alias))
        try:
            with noting(actor, "alias", detail or f"{alias} → {item.name}（{code}）"):
                result = write_knowledge(load_sources(knowledge_dir), url)
        except BaseException:
            if original is None:
                path.unlink()
            else:
                _replace(path, original)
            raise
        changed = refresh_lexicon(url, lexicon) if lexicon else False
    return AliasAdded(code, item.name, alias, result.version, changed)


def _with_alias(text: str | None, code: str, alias: str) -> str:
    """``aliases.csv`` with ``alias`` appended to the row of ``code`` (a new row when there is none).

    Comment lines and every other row are kept as written.
    """
    lines = (text or "code,aliases\n").splitlines()
    header_seen = False
    for index, line in enumerate(lines):
        if line.startswith("#") or not header_seen:
            header_seen = header_seen or not line.startswith("#")
            continue
        row = next(csv.reader([line]), [])
        if row and row[0] == code:
            words = [w for w in (row[1] if len(row) > 1 else "").split(";") if w]
            lines[index] = _csv_line([code, ";".join([*words, alias])])
            break
    else:
        lines.append(_csv_line([code, alias]))
    return "\n".join(lines) + "\n"


def _csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


def _replace(path: Path, content: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(content, encoding="utf-8")
    os.replace(temporary, path)
