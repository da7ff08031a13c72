"""Clean up what a speech recogniser (or a hurried typist) produced, before NLU.

Pure Python. Steps, in order:

1. strip fillers (嗯、呃、那个、就是…) and immediate repetitions (村民村民);
2. convert spoken numerals to digits only where they are numbers (一二三 → 123,
   两千一百四十八 → 2148), never inside words (一下、一些、一起、一定…) or
   article numbers (第四十二条);
3. correct homophones of the domain vocabulary by pinyin (处发 → 处罚,
   违法见设 → 违法建设, 石排街道 → 石牌街道), and 接到 → 街道 only right after
   a unit name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import cn2an
import jieba
from pypinyin import Style, lazy_pinyin

# Words of the domain that recognisers get wrong; the knowledge base adds unit
# names and matter aliases to these.
DOMAIN_TERMS = (
    "处罚", "罚款", "审批", "批准", "许可", "许可证", "行政", "街道", "办公室", "法律依据", "依据", "条例",
    "违法建设", "违建", "宅基地", "低保", "特困", "城管", "执法", "综合行政执法", "立案", "受理",
    "占道经营", "油烟", "噪声", "噪音", "垃圾", "烧烤", "焚烧", "派出所", "司法所", "编办", "权责清单",
    "下放", "承接", "居委会", "村委会", "业委会", "宅基地审批", "户外广告", "小广告", "露天烧烤",
)
FILLERS_ANYWHERE = ("嗯", "呃", "额", "唔", "哦", "噢")
FILLERS_PHRASES = ("那个", "就是说", "就是", "然后", "那么", "反正", "怎么说呢", "对吧")
_FULL_WIDTH_ALNUM = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
)
_END_PARTICLES = re.compile(r"[啊呀吧哈啦嘛]+([。？！?!]?)$")
_PUNCT = re.compile(r"[，,。.！!？?、；;：:\s]+")
_CN_DIGITS = "零〇一二两三四五六七八九"
_NUMERAL_SPAN = re.compile(rf"[{_CN_DIGITS}十百千万]+")
_PROTECTED_AFTER = re.compile(r"^(下|些|起|定|样|直|般|旦|切|致|律|并|点|会|边|面|同|道|共|再|度|次|个|项|条|款|号|层|楼|栋|户|家|位|名|种|类|批|件|份|遍|趟|口|把|张|块|只|头|辆|天|年|月|日|周|岁|元|万元|千元|百元)")
_ARTICLE = re.compile(rf"第[{_CN_DIGITS}十百千]+[条款项章节]")
_SUFFIXES = ("街道", "镇")
_JIEDAO_HOMOPHONES = ("接到", "街到", "接道", "节道", "结道", "解道", "街倒")


@dataclass(frozen=True)
class Vocabulary:
    """Terms to correct towards, indexed by their toneless pinyin."""

    by_pinyin: dict[tuple[str, ...], str]
    unit_stems: frozenset[str]
    max_len: int

    @classmethod
    def build(cls, terms: Iterable[str], unit_names: Iterable[str]) -> "Vocabulary":
        by_pinyin: dict[tuple[str, ...], str] = {}
        stems = set()
        all_terms = list(DOMAIN_TERMS) + list(terms)
        for name in unit_names:
            all_terms.append(name)
            for suffix in _SUFFIXES:
                if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                    stems.add(name[: -len(suffix)])
        for term in all_terms:
            if not (2 <= len(term) <= 8) or not _all_han(term):
                continue
            key = tuple(lazy_pinyin(term, style=Style.NORMAL))
            # The first (domain, then knowledge) spelling of a sound wins.
            by_pinyin.setdefault(key, term)
        return cls(by_pinyin, frozenset(stems), max(len(k) for k in by_pinyin) if by_pinyin else 0)

    @classmethod
    def from_lexicon(cls, path: Path) -> "Vocabulary":
        """Load from the generated jieba dictionary (one ``word freq tag`` per line)."""
        terms = []
        for line in path.read_text(encoding="utf-8").splitlines():
            word = line.split(" ")[0].strip()
            if word:
                terms.append(word)
        units = [t for t in terms if t.endswith(_SUFFIXES)]
        return cls.build([t for t in terms if not t.endswith(_SUFFIXES)], units)


def _all_han(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def strip_fillers(text: str) -> str:
    # Full-width letters and digits become ASCII; Chinese punctuation stays.
    text = text.translate(_FULL_WIDTH_ALNUM).replace("\u3000", " ")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    for filler in FILLERS_ANYWHERE:
        text = text.replace(filler, "")
    # Phrase fillers at the start of the text or of a clause, possibly stacked.
    phrases = "|".join(map(re.escape, FILLERS_PHRASES))
    text = re.sub(rf"(^|[，,。？?！!\s])(?:(?:{phrases})[，,\s]*)+", r"\1", text)
    # "那个" right before another word is a filler in speech ("占道那个处罚").
    text = re.sub(r"(那个|就是)(?=[\u4e00-\u9fff])", "", text)
    text = re.sub(r"^[啊呀]+", "", text)
    text = _END_PARTICLES.sub(r"\1", text)
    return text.strip()


def collapse_repeats(text: str) -> str:
    """村民村民 → 村民, 能不能能不能 → 能不能 (units of 2-5 characters)."""
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"([\u4e00-\u9fff]{2,5})\1+", r"\1", text)
    return text


def convert_numerals(text: str) -> str:
    """Spoken numbers → digits, only for spans of two or more numeral characters
    that are not article numbers and not the start of an ordinary word."""
    protected = [m.span() for m in _ARTICLE.finditer(text)]
    out, last = [], 0
    for match in _NUMERAL_SPAN.finditer(text):
        start, end = match.span()
        span = match.group()
        if any(p0 <= start < p1 for p0, p1 in protected) or len(span) < 2:
            continue
        if start > 0 and text[start - 1] == "第":
            continue
        if _PROTECTED_AFTER.match(text[end:]) and len(span) <= 2 and span[0] in "一两":
            continue
        value = _to_number(span)
        if value is None:
            continue
        out.append(text[last:start])
        out.append(str(value))
        last = end
    out.append(text[last:])
    return "".join(out)


def _to_number(span: str) -> int | None:
    """A run of digits read one by one (一二三) or a quantity (两千一百四十八)."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    digits.update({"〇": 0, "两": 2})
    if all(c in digits for c in span):
        return int("".join(str(digits[c]) for c in span))
    try:
        value = cn2an.cn2an(span.replace("两", "二"), "strict")
    except (ValueError, KeyError, IndexError):
        return None
    return int(value) if float(value).is_integer() else None


def _word_edges(text: str) -> set[int]:
    """Offsets where a word of the text starts or ends (jieba's segmentation)."""
    edges, offset = {0}, 0
    for word in jieba.cut(text, HMM=False):
        offset += len(word)
        edges.add(offset)
    return edges


def _is_common_word(text: str) -> bool:
    """A word of the general dictionary (宿舍, 动用, 并依…): written on purpose, not misheard."""
    return len(text) >= 2 and bool(jieba.dt.FREQ.get(text))


def correct_homophones(text: str, vocabulary: Vocabulary) -> str:
    """Replace windows whose pinyin equals a vocabulary term's (longest first).

    A window is replaced only when it starts and ends on word edges of the text
    (驾驶排放 must not become 驾石牌放) and is not itself an ordinary word
    (宿舍 stays 宿舍, not 素社) — except before 街道/镇, where a misheard unit
    name is the likely reading (石排街道 → 石牌街道).
    """
    if not vocabulary.by_pinyin:
        return text
    edges = _word_edges(text)
    chars = list(text)
    pinyin = [lazy_pinyin(ch, style=Style.NORMAL)[0] if _all_han(ch) else None for ch in chars]
    i = 0
    out: list[str] = []
    while i < len(chars):
        replaced = False
        for length in range(min(vocabulary.max_len, len(chars) - i), 1, -1):
            window = pinyin[i : i + length]
            if None in window:
                continue
            term = vocabulary.by_pinyin.get(tuple(window))  # type: ignore[arg-type]
            if term is None:
                continue
            original = "".join(chars[i : i + length])
            if original == term:
                out.append(term)
                i += length
                replaced = True
                break
            unit_context = "".join(chars[i + length : i + length + 2]).startswith(_SUFFIXES) or term.endswith(_SUFFIXES)
            if not unit_context and (i not in edges or i + length not in edges or _is_common_word(original)):
                continue
            if term == "街道":
                # 接到 is also a verb: correct it only right after a unit name.
                before = "".join(out)
                if not any(before.endswith(stem) for stem in vocabulary.unit_stems):
                    continue
            out.append(term)
            i += length
            replaced = True
            break
        if not replaced:
            out.append(chars[i])
            i += 1
    return "".join(out)


def normalize(text: str, vocabulary: Vocabulary | None = None) -> str:
    """The full clean-up; idempotent."""
    text = strip_fillers(text)
    text = collapse_repeats(text)
    text = convert_numerals(text)
    if vocabulary is not None:
        text = correct_homophones(text, vocabulary)
    return text


def choose_hypothesis(hypotheses: list[str], vocabulary: Vocabulary, parses) -> str:  # type: ignore[no-untyped-def]
    """The first ASR hypothesis that ``parses`` (names a known term), else the first."""
    normalized = [normalize(h, vocabulary) for h in hypotheses if isinstance(h, str) and h.strip()]
    for candidate in normalized:
        if parses(candidate):
            return candidate
    return normalized[0] if normalized else ""
