"""Legal texts and legal references.

Law files (``knowledge/laws/TITLE(YYYY-MM-DD).md``) hold one paragraph per
clause, each article starting with ``第X条``. References in the lists look like
``《城市道路管理条例》第二十七条、第四十二条；《广东省建筑垃圾管理条例》``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

_CN_NUM = "零一二三四五六七八九十百千"
_ARTICLE_START = re.compile(rf"^(第[{_CN_NUM}]+条)[\s\u3000]+(.*)$")
_FILE_NAME = re.compile(r"^(?P<title>.+)\((?P<date>\d{4}-\d{2}-\d{2})\)\.md$")
_REF_ARTICLE = re.compile(rf"(第[{_CN_NUM}]+条)((?:第[{_CN_NUM}]+款)?(?:第[（(][{_CN_NUM}]+[）)]项)?)")
_ITEM_LINE = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_LAW_TITLE = re.compile(r"《(.+?)》(?=[^》]*$|第|、|；|;|$)")


@dataclass(frozen=True)
class LawText:
    title: str
    version_date: dt.date
    source_file: str
    articles: dict[str, str]  # 第X条 -> full text of the article


@dataclass(frozen=True)
class ArticleRef:
    law: str
    article: str | None  # None: the law as a whole
    detail: str = ""  # 第一款第（四）项


class LegalReferenceError(ValueError):
    """A legal-basis string cannot be parsed."""


def load_law(path: Path) -> LawText:
    """Parse one law file into its articles."""
    match = _FILE_NAME.match(path.name)
    if not match:
        raise ValueError(f"law file name must be TITLE(YYYY-MM-DD).md: {path.name}")
    articles: dict[str, list[str]] = {}
    current: list[str] | None = None
    body_started = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line == "<!-- INFO END -->":
            body_started = True
            continue
        if not body_started or not line:
            continue
        if line.startswith("#"):
            current = None
            continue
        start = _ARTICLE_START.match(line)
        if start:
            number = start.group(1)
            # Some texts repeat numbers in appendices; the first occurrence wins.
            current = articles.setdefault(number, []) if number not in articles else None
            if current is not None:
                current.append(line)
            continue
        if current is not None:
            current.append(line)
    return LawText(
        title=match.group("title"),
        version_date=dt.date.fromisoformat(match.group("date")),
        source_file=path.name,
        articles={number: "\n".join(lines) for number, lines in articles.items()},
    )


def load_laws(directory: Path) -> dict[str, LawText]:
    laws = {}
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        law = load_law(path)
        laws[law.title] = law
    return laws


def parse_legal_basis(text: str) -> list[ArticleRef]:
    """Split a legal-basis string into law/article references.

    Raises:
        LegalReferenceError: when no law title is found, or an article list
            has text that is not an article reference.
    """
    refs: list[ArticleRef] = []
    for segment in re.split(r"[；;]", text.strip()):
        segment = segment.strip()
        if not segment:
            continue
        if not segment.startswith("《"):
            raise LegalReferenceError(f"依据须以《法规名称》开头：{segment}")
        close = _matching_close(segment)
        title = segment[1:close]
        rest = segment[close + 1 :].strip()
        if not rest:
            refs.append(ArticleRef(law=title, article=None))
            continue
        parts = [p for p in re.split(r"[、，,]", rest) if p]
        for part in parts:
            m = _REF_ARTICLE.fullmatch(part.strip())
            if not m:
                raise LegalReferenceError(f"无法识别的条款：{part}")
            detail = m.group(2).replace("(", "（").replace(")", "）")
            refs.append(ArticleRef(law=title, article=m.group(1), detail=detail))
    if not refs:
        raise LegalReferenceError("依据为空")
    return refs


def _matching_close(segment: str) -> int:
    """Index of the 》 closing the first 《, allowing nested titles."""
    depth = 0
    for i, ch in enumerate(segment):
        if ch == "《":
            depth += 1
        elif ch == "》":
            depth -= 1
            if depth == 0:
                return i
    raise LegalReferenceError(f"书名号不成对：{segment}")


def clause_text(article_text: str, detail: str) -> str:
    """The part of an article a detail like 第三款 or 第（二）项 points at.

    Numbered items (（一）…) belong to the paragraph (款) they follow, so they
    never count as paragraphs. Falls back to the whole article when the detail
    cannot be located, so a quote is never empty.
    """
    paragraphs: list[list[str]] = []
    for line in article_text.split("\n"):
        if paragraphs and _ITEM_LINE.match(line):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    selected = [line for paragraph in paragraphs for line in paragraph]
    kuan = re.search(rf"第([{_CN_NUM}]+)款", detail)
    if kuan:
        index = cn_to_int(kuan.group(1)) - 1
        if 0 <= index < len(paragraphs):
            selected = paragraphs[index]
    xiang = re.search(rf"第[（(]([{_CN_NUM}]+)[）)]项", detail)
    if xiang:
        marker = xiang.group(1)
        for line in selected:
            if re.match(rf"^[（(]{marker}[）)]", line):
                head = selected[0] if selected[0] != line else ""
                return f"{head}\n{line}".strip() if head else line
    return "\n".join(selected)


def cn_to_int(text: str) -> int:
    """Convert a Chinese numeral up to the thousands (一百一十八 -> 118)."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    units = {"十": 10, "百": 100, "千": 1000}
    total, current = 0, 0
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch in units:
            total += (current or 1) * units[ch]
            current = 0
        else:
            raise ValueError(text)
    return total + current
