"""Adding a law to the library (``python -m bot.kb laws add FILE``).

A law text as published (the national database of laws and regulations, a provincial gazette:
title, the promulgation and amendment history, then chapters and articles) is written into
``knowledge/laws/TITLE(YYYY-MM-DD).md`` in the library's format, so that the next build quotes
its articles wherever a list or ``items.csv`` cites them. References the lists make to articles
the law does not have are reported with their file and line.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.errors import LawRejected
from bot.kb.legal import LawText, law_key, load_law, load_laws, resolve_legal_basis
from bot.kb.source_files import Collector, read_csv
from bot.kb.sources import IMPORTS_DIR, import_files_in

LAWS_DIR = "laws"
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN = "零一二三四五六七八九十百千"
_ARTICLE = re.compile(rf"^(第[{_CN}]+条)(?:之[{_CN}]+)?[\s\u3000]*(.*)$")
_HEADING = re.compile(rf"^第[{_CN}]+[编章节](?:[\s\u3000]|$)")


@dataclass(frozen=True)
class AddedLaw:
    law: LawText
    path: Path
    replaced: Path | None  # an older text of the same law, removed
    mismatches: tuple[str, ...]  # "imports/x.csv 第3行：《消防法》没有第九百条"


def add_law(source: Path, knowledge_dir: Path, title: str | None = None, date: str | None = None) -> AddedLaw:
    """Write ``source`` into the library; an older text of the same law is replaced.

    Args:
        title: the law's title when the file's first line is not it.
        date: the version date (YYYY-MM-DD); by default the last date of the history before the articles.

    Raises:
        LawRejected: no title, no date, or no article could be read.
    """
    try:
        lines = [_clean(line) for line in source.read_text(encoding="utf-8-sig").splitlines()]
    except (OSError, UnicodeDecodeError) as exc:
        raise LawRejected(f"无法读取法规文本（须为 UTF-8 文本）：{source}：{exc}") from exc
    lines = [line for line in lines if line]
    first_article = next((i for i, line in enumerate(lines) if _ARTICLE.match(line)), None)
    if first_article is None:
        raise LawRejected(f"{source.name} 中找不到以“第X条”开头的条文")
    start = first_article
    while start > 0 and _HEADING.match(lines[start - 1]):
        start -= 1  # the chapter the first article opens
    head = [line for line in lines[:start] if not _HEADING.match(line) and line != "目录"]  # no contents table
    full_title = title or (head[0].lstrip("#").strip() if head else "")
    if not full_title:
        raise LawRejected("找不到法规名称：请用 --title 指明")
    version = date or _last_date(head)
    if not version:
        raise LawRejected("找不到版本日期（如“2019年4月23日…修正”）：请用 --date YYYY-MM-DD 指明")
    short = law_key(full_title.strip("《》"))
    body = [f"# {full_title}", ""]
    body += [line for line in head[1:]] + ["", "<!-- INFO END -->", ""]
    for line in lines[start:]:
        if _HEADING.match(line):
            body += ["", f"## {line}", ""]
        else:
            article = _ARTICLE.match(line)
            body.append(f"{article.group(1)} {article.group(2)}".strip() if article else line)
    laws_dir = knowledge_dir / LAWS_DIR
    target = laws_dir / f"{short}({version}).md"
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / target.name
        trial.write_text("\n".join(body) + "\n", encoding="utf-8")
        try:
            law = load_law(trial)
        except ValueError as exc:
            raise LawRejected(f"版本日期须为 YYYY-MM-DD：{version}") from exc
    if not law.articles:
        raise LawRejected(f"{source.name} 中没有可读的条文")
    older = [p for p in laws_dir.glob("*.md") if p != target and load_law_title(p) == short]
    target.write_text("\n".join(body) + "\n", encoding="utf-8")
    for path in older:
        path.unlink()
    return AddedLaw(law, target, older[0] if older else None, tuple(_mismatches(knowledge_dir, law)))


def load_law_title(path: Path) -> str | None:
    """The title a library file is filed under (``城乡规划法(2019-04-23).md`` -> 城乡规划法)."""
    match = re.match(r"^(.+)\(\d{4}-\d{2}-\d{2}\)\.md$", path.name)
    return match.group(1) if match else None


def _mismatches(knowledge_dir: Path, law: LawText) -> list[str]:
    """Where the imported lists and items.csv cite an article the added law does not have."""
    laws = {**load_laws(knowledge_dir / LAWS_DIR), law.title: law}
    found = []
    files = {"items.csv": knowledge_dir / "items.csv"}
    files |= {f"{IMPORTS_DIR}/{name}.csv": path for name, path in import_files_in(knowledge_dir).items()}
    for label, path in files.items():
        if not path.exists():
            continue
        for line, row in read_csv(path, ["code"], Collector(), label):
            resolved = resolve_legal_basis(row.get("legal_basis", ""), laws)
            found += [f"{label} 第{line}行：{c}" for c in resolved.contradictions if f"《{law.title}》" in c]
    return found


def _clean(line: str) -> str:
    """Blanks tidied; the text's full-width punctuation is kept as published."""
    return re.sub(r"[\s\u3000]+", " ", line).strip()


def _last_date(lines: list[str]) -> str | None:
    text = unicodedata.normalize("NFKC", "\n".join(lines))  # full-width digits
    dates = [f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in _DATE.findall(text)]
    return max(dates) if dates else None
