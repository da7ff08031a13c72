"""Turn the bot's messages into what a chat platform shows.

Input is the list Rasa's output channels collect (``{"text", "buttons",
"custom"}`` dicts); output is a list of :class:`Outgoing` messages. A
``power_answer`` payload becomes one markdown answer card (verdict badge
first), a ``clarify`` payload text with numbered options the user can answer
with "1" — both drawn from the payload's fields (:mod:`bot.contract`), never
from the chat text that came with them; anything else stays text. Pure
functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.answer import QUOTE_LIMIT
from bot.contract import Answer, Clarification, PowerAnswer, parse_payload

TITLE = "镇街权责助手"
_NUMBERED = re.compile(r"^\s*\d+[.、．]\s*")
# Characters that would turn text coming from users or the knowledge base into markup.
_MARKUP = str.maketrans({"*": "＊", "[": "［", "]": "］", "<": "＜", ">": "＞", "`": "｀", "#": "＃"})


@dataclass(frozen=True)
class Outgoing:
    """One message for a chat platform."""

    kind: str  # "markdown" or "text"
    content: str
    title: str = TITLE


def render_messages(messages: Sequence[Mapping[str, Any]], line_break: str = "\n") -> list[Outgoing]:
    """Render one turn of bot messages.

    Args:
        messages: the bot's messages in order; a contract payload follows the chat text it replaces.
        line_break: what ends a markdown line on the platform (DingTalk needs "  \\n").
    """
    out: list[Outgoing] = []
    pending: Mapping[str, Any] | None = None  # a text that may be the chat text of the next payload
    for message in messages:
        answer = parse_payload(message.get("custom"))
        if answer is not None:
            out.append(render_answer(answer, line_break))
            pending = None  # the card or the numbered question says it all, from the fields
        elif message.get("text"):
            if pending is not None:
                out.append(Outgoing("text", plain_text(pending)))
            pending = message
    if pending is not None:
        out.append(Outgoing("text", plain_text(pending)))
    return out


def render_answer(answer: Answer, line_break: str = "\n") -> Outgoing:
    """One typed answer as a platform message."""
    if isinstance(answer, Clarification):
        return Outgoing("text", clarify_text(answer))
    return Outgoing("markdown", answer_card(answer, line_break), card_title(answer))


def card_title(answer: PowerAnswer) -> str:
    """A short title for notifications: the verdict and the matter."""
    return f"结论：{answer.label}" + (f" · {_shorten(answer.item.name, 20)}" if answer.item else "")


def answer_card(answer: PowerAnswer, line_break: str = "\n") -> str:
    """A markdown card: verdict badge, headline, the fields, what was understood, the disclaimer."""
    a = answer
    lines = [f"**结论：{a.label}**"]
    if a.headline:
        lines.append(_plain(a.headline))
    for fact in a.facts():
        lines.append(f"**{fact.label}**：{_plain(fact.value)}")
        if fact.key == "basis":
            lines.extend(line for ref in a.quotes for line in _quote(_shorten(ref.text or "", QUOTE_LIMIT)))
    if a.item is None and a.next_step:
        lines.append(_plain(a.next_step))
    if a.understood:
        lines.append(_plain(f"（{a.understood.text}）"))
    lines.extend(_quote(a.disclaimer))
    return line_break.join(lines)


def clarify_text(clarification: Clarification) -> str:
    """The question with numbered options (or example questions), so a user can answer with the number."""
    c = clarification
    titles = [o.title for o in c.options] or list(c.examples)
    lines = [line for line in c.prompt.splitlines() if line.strip()]
    lines.extend(f"{i}. {title}" for i, title in enumerate(titles, start=1))
    if titles:
        lines.append("（回复序号即可）")
    return "\n".join(lines)


def plain_text(message: Mapping[str, Any]) -> str:
    """A text message; its buttons, if any, as numbered options."""
    text = str(message.get("text") or "")
    buttons = [str(b.get("title", "")) for b in message.get("buttons") or [] if isinstance(b, dict)]
    if buttons and not any(_NUMBERED.match(line) for line in text.splitlines()):
        text += "\n" + "\n".join(f"{i}. {title}" for i, title in enumerate(buttons, start=1))
    return text


def split_by_bytes(text: str, limit: int) -> list[str]:
    """Split text into pieces of at most ``limit`` UTF-8 bytes, at line ends when possible."""
    if limit < 4:
        raise ValueError("limit must hold at least one character")
    pieces: list[str] = []
    current = ""
    for line in _lines_within(text.split("\n"), limit):
        candidate = f"{current}\n{line}" if current else line
        if current and len(candidate.encode("utf-8")) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def _lines_within(lines: Iterable[str], limit: int) -> Iterable[str]:
    for line in lines:
        while len(line.encode("utf-8")) > limit:
            cut, size = 0, 0
            for i, ch in enumerate(line):
                size += len(ch.encode("utf-8"))
                if size > limit:
                    break
                cut = i + 1
            yield line[:cut]
            line = line[cut:]
        yield line


def _plain(value: Any) -> str:
    return str(value).translate(_MARKUP)


def _quote(text: str) -> list[str]:
    return [f"> {_plain(line)}" for line in text.splitlines() if line.strip()]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
