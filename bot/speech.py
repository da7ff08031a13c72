"""What a voice front end says: the answer as short sentences for TTS.

Pure functions over the bot's messages: an answer is spoken from the fields
of its payload (:mod:`bot.contract`), never from its chat text; other
messages are spoken as they are. The verdict comes first; no markdown, brackets or
symbols; law titles without 《》; article numbers as words ("第四十二条",
"第（二）项" → "第二项"); no sentence longer than :data:`SENTENCE_LIMIT`
characters before a pause; the disclaimer shrinks to one short sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.contract import Clarification, LegalRef, PowerAnswer, parse_payload

SENTENCE_LIMIT = 60
MAX_OPTIONS = 5
MAX_REFS = 3
SHORT_DISCLAIMER = "以上为演示数据，请以正式清单为准。"
NOT_UNDERSTOOD = "抱歉，我没有听懂，请再说一遍。"

_DIGITS = "零一二三四五六七八九"
_ORDINAL_BRACKETS = re.compile(r"第\s*[（(]\s*([一二三四五六七八九十百零〇\d]+)\s*[）)]\s*([条款项目章节])")
_ORDINAL_DIGITS = re.compile(r"第\s*(\d{1,4})\s*([条款项目章节])")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ASIDE = re.compile(r"[（(][^（）()]*[）)]")
_URL = re.compile(r"https?://\S+")
_SYMBOLS = re.compile(r"[《》【】〔〕「」『』“”‘’\"'*#_`>~|\[\]{}<>※…·•]")
_PAUSES = re.compile(r"[；;\n]+")
_ENDS = "。？！"


def speech_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The TTS text for one turn of bot messages."""
    answer = next((a for m in messages if (a := parse_payload(m.get("custom"))) is not None), None)
    if isinstance(answer, PowerAnswer):
        sentences = _answer(answer)
    elif isinstance(answer, Clarification):
        sentences = _clarify(answer)
    else:
        sentences = [speakable(str(m["text"])) for m in messages if m.get("text")]
    return finish(sentences) or NOT_UNDERSTOOD


def speakable(text: str) -> str:
    """Text without markup, brackets or symbols, with numbers as a listener expects them."""
    text = _URL.sub("", text)
    text = _ORDINAL_BRACKETS.sub(lambda m: f"第{_numeral(m.group(1))}{m.group(2)}", text)
    text = _ORDINAL_DIGITS.sub(lambda m: f"第{chinese_number(int(m.group(1)))}{m.group(2)}", text)
    text = _DATE.sub(lambda m: f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日", text)
    previous = None
    while previous != text:  # nested asides
        previous, text = text, _ASIDE.sub("", text)
    text = _SYMBOLS.sub("", text)
    text = text.replace("/", "或").replace("：", "，").replace(":", "，")
    text = _PAUSES.sub("。", text)
    text = re.sub(r"[ \t\u3000]+", "", text)
    text = re.sub(r"[，、]+([。？！])", r"\1", text)
    text = re.sub(r"([。？！])[，、。]+", r"\1", text)
    return text.strip("，、 ")


def finish(sentences: Sequence[str]) -> str:
    """Join sentences; cut any longer than SENTENCE_LIMIT at a comma (or hard)."""
    out: list[str] = []
    for chunk in sentences:
        for sentence in re.findall(r"[^。？！]+[。？！]?", chunk):
            sentence = sentence.strip("，、 ")
            if not sentence or sentence in _ENDS:
                continue
            if sentence[-1] not in _ENDS:
                sentence += "。"
            out.extend(_short(sentence))
    return "".join(out)


def chinese_number(n: int) -> str:
    """0–9999 in Chinese numerals as read aloud: 42 → 四十二, 118 → 一百一十八, 105 → 一百零五."""
    if n < 0 or n > 9999:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if zero and out:
                out += "零"
            out += _DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def _numeral(token: str) -> str:
    return chinese_number(int(token)) if token.isdigit() else token


def _answer(answer: PowerAnswer) -> list[str]:
    a = answer
    sentences = [a.label + "。", speakable(a.headline)]
    if a.item is None:
        sentences.extend([speakable(a.next_step)] if a.next_step else [])
    else:
        refs = a.legal_basis[:MAX_REFS]
        if refs and a.question != "basis":  # a basis answer's headline already cites them
            sentences.append("依据是" + _citations(refs) + "。")
        if a.delegation:
            if "法定职责" in a.delegation.document:
                sentences.append("这是法律规定的职责。")
            else:
                when = f"，{a.delegation.effective}起施行" if a.delegation.effective else ""
                sentences.append(speakable(f"文件依据是{a.delegation.document}{when}。"))
        if a.note:
            sentences.append(speakable(a.note))
    sentences.append(SHORT_DISCLAIMER)
    return sentences


def _citations(refs: Sequence[LegalRef]) -> str:
    """城市道路管理条例第二十七条和第四十二条, 固体废物污染环境防治法第一百一十一条, 以及…"""
    grouped: dict[str, list[str]] = {}
    for ref in refs:
        articles = grouped.setdefault(ref.law, [])
        if ref.article:
            articles.append(ref.article)
    parts = [speakable(law + "和".join(articles)) for law, articles in grouped.items()]
    return "，以及".join(p for p in parts if p)


def _clarify(clarification: Clarification) -> list[str]:
    c = clarification
    sentences = [speakable(line) for line in c.prompt.splitlines() if line.strip()]
    options = [f"第{chinese_number(i)}个，{speakable(o.title)}" for i, o in enumerate(c.options[:MAX_OPTIONS], start=1)]
    if options:
        sentences.append("可以选" + "。".join(options) + "。请说序号或名称。")
    else:
        sentences.extend(speakable(e) for e in c.examples[:MAX_OPTIONS])
    return sentences


def _short(sentence: str) -> list[str]:
    end = sentence[-1]
    body = sentence[:-1]
    out = []
    while len(body) + 1 > SENTENCE_LIMIT:
        window = body[: SENTENCE_LIMIT - 1]
        cut = max(window.rfind("，"), window.rfind("、"))
        if cut <= 0:
            out.append(window + "。")
            body = body[SENTENCE_LIMIT - 1 :]
        else:
            out.append(window[:cut] + "。")
            body = body[cut + 1 :]
    if body:
        out.append(body + end)
    return out
