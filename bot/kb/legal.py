"""Legal texts and legal references.

Law files (``knowledge/laws/TITLE(YYYY-MM-DD).md``) hold one paragraph per
clause, each article starting with ``第X条``. References in ``items.csv`` look like
``《城市道路管理条例》第二十七条、第四十二条；《广东省建筑垃圾管理条例》`` (:func:`parse_legal_basis`,
strict). Published lists write them as they please (:func:`resolve_legal_basis`, lenient): a
中华人民共和国 prefix, 【法律】 tags, editions and decree numbers in brackets, several laws per cell,
and the article's text pasted after the reference.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class ResolvedBasis:
    """A legal basis as a list writes it, against the law library."""

    references: list[ArticleRef] = field(default_factory=list)  # held by the library, under its titles
    not_held: list[str] = field(default_factory=list)  # 《title》 of laws the library has not got, as written
    contradictions: list[str] = field(default_factory=list)  # articles a law we hold does not have


# After a title: blanks, 【法律】 tags and bracketed editions / decree numbers before the article.
_TAIL_SKIP = re.compile(r"(?:\s|【[^】]{0,12}】|[(（][^()（）]{0,80}[)）]|[:：、，,])*")
_RUN_ARTICLE = re.compile(
    rf"第([{_CN_NUM}\d]+)条(?:之[{_CN_NUM}]+)?(第[{_CN_NUM}\d]+款)?(第[(（]?[{_CN_NUM}\d]+[)）]?项)?"
)
_RUN_SEPARATOR = re.compile(r"[\s、，,和及与]*")
_EDITION = re.compile(r"[(（][^()（）]*(?:\d{4}|修正|修订|公布|施行|令)[^()（）]*[)）]$")
_TAGS = re.compile(r"【[^】]{0,12}】")


@functools.lru_cache(maxsize=4096)
def law_key(title: str) -> str:
    """How a title is looked up: 中华人民共和国城乡规划法(2018年修正) -> 城乡规划法."""
    key = unicodedata.normalize("NFKC", title).replace("<", "《").replace(">", "》")
    key = _TAGS.sub("", re.sub(r"\s+", "", key))
    while _EDITION.search(key):
        key = _EDITION.sub("", key)
    return key.replace("中华人民共和国", "")


def cited_titles(text: str) -> list[tuple[str, str]]:
    """Every top-level 《title》 of ``text`` and the text after it, up to the next title."""
    text = unicodedata.normalize("NFKC", text).replace("<", "《").replace(">", "》")
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i))
    return [
        (text[a + 1 : b], text[b + 1 : spans[n + 1][0] if n + 1 < len(spans) else len(text)])
        for n, (a, b) in enumerate(spans)
    ]


def read_articles(tail: str) -> list[tuple[str, str]]:
    """The (第X条, 第X款第（X）项) run right after a title; the pasted article text after it is ignored."""
    found: list[tuple[str, str]] = []
    position = _TAIL_SKIP.match(tail).end()  # type: ignore[union-attr]  # matches the empty string
    while True:
        m = _RUN_ARTICLE.match(tail, position)
        if not m:
            return found
        number = m.group(1)
        article = f"第{_as_cn(number)}条"
        detail = m.group(2) or ""
        if detail:
            detail = f"第{_as_cn(detail[1:-1])}款"
        if m.group(3):
            item = re.sub(r"[第项()（）]", "", m.group(3))
            detail += f"第（{_as_cn(item)}）项"
        found.append((article, detail))
        position = _RUN_SEPARATOR.match(tail, m.end()).end()  # type: ignore[union-attr]


def resolve_legal_basis(text: str, laws: dict[str, LawText]) -> ResolvedBasis:
    """Read a basis as written; never raises. Laws are matched by :func:`law_key`."""
    keys = {law_key(title): title for title in laws}
    result = ResolvedBasis()
    cited = cited_titles(text)
    if not cited:
        # Written without 《》: a law we hold, named at the start (城乡规划法第四十一条).
        bare = _TAGS.sub("", unicodedata.normalize("NFKC", text)).strip().removeprefix("中华人民共和国")
        held = [key for key in keys if bare.startswith(key)]
        if held:
            key = max(held, key=len)
            cited = [(key, bare[len(key) :])]
    for written, tail in cited:
        title = keys.get(law_key(written))
        if title is None:
            if f"《{written}》" not in result.not_held:
                result.not_held.append(f"《{written}》")
            continue
        articles = read_articles(tail)
        if not articles:
            result.references.append(ArticleRef(title, None))
        for article, detail in articles:
            if article in laws[title].articles:
                result.references.append(ArticleRef(title, article, detail))
            else:
                result.contradictions.append(f"《{title}》没有{article}")
    return result


def _as_cn(number: str) -> str:
    """42 -> 四十二; Chinese numerals are kept."""
    if not number.isdigit():
        return number
    value = int(number)
    digits = "零一二三四五六七八九"
    if value < 10:
        return digits[value]
    out = ""
    for unit, size in (("千", 1000), ("百", 100), ("十", 10)):
        lead, value = divmod(value, size)
        if lead:
            out += ("" if unit == "十" and lead == 1 and not out else digits[lead]) + unit
        elif out and value:
            out += "零" if not out.endswith("零") else ""
    return out + (digits[value] if value else "")


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
