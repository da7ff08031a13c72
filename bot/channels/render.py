"""Turn the bot's messages into what a chat platform shows.

Input is the list Rasa's output channels collect (``{"text", "buttons",
"custom"}`` dicts, see :mod:`bot.answer`); output is a list of
:class:`Outgoing` messages. A ``power_answer`` becomes one markdown answer
card (verdict badge first); a ``clarify`` becomes text with numbered options
the user can answer with "1"; anything else stays text. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.answer import DISCLAIMER, QUOTE_LIMIT
from bot.verdict import VERDICT_LABELS

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
        messages: the bot's messages in order; a contract payload follows its text.
        line_break: what ends a markdown line on the platform (DingTalk needs "  \\n").
    """
    out: list[Outgoing] = []
    pending: Mapping[str, Any] | None = None  # a text that may belong to the next payload
    for message in messages:
        custom = message.get("custom")
        kind = custom.get("type") if isinstance(custom, dict) else None
        if kind == "power_answer":
            text = str(pending.get("text") or "") if pending else ""
            out.append(Outgoing("markdown", answer_card(custom, text, line_break), card_title(custom)))
            pending = None
        elif kind == "clarify":
            out.append(Outgoing("text", clarify_text(custom, pending or {})))
            pending = None
        elif message.get("text"):
            if pending is not None:
                out.append(Outgoing("text", plain_text(pending)))
            pending = message
    if pending is not None:
        out.append(Outgoing("text", plain_text(pending)))
    return out


def card_title(payload: Mapping[str, Any]) -> str:
    """A short title for notifications: the verdict and the matter."""
    label = VERDICT_LABELS.get(str(payload.get("verdict")), "未找到")
    item = payload.get("item") or {}
    name = item.get("name") if isinstance(item, dict) else None
    return f"结论：{label}" + (f" · {_shorten(name, 20)}" if name else "")


def answer_card(payload: Mapping[str, Any], text: str = "", line_break: str = "\n") -> str:
    """A markdown card for a ``power_answer`` payload and the text that came with it."""
    verdict = str(payload.get("verdict") or "unknown")
    label = VERDICT_LABELS.get(verdict, "未找到")
    text_lines = [line for line in text.splitlines() if line.strip()]
    understood = next((line for line in text_lines if line.startswith("（我的理解")), None)
    disclaimer = next((line for line in text_lines if line.startswith("※")), DISCLAIMER)

    lines = [f"**结论：{label}**"]
    if text_lines:
        headline = text_lines[0]
        if headline.startswith(label):
            headline = headline[len(label) :].lstrip("。 ")
        if headline:
            lines.append(_plain(headline))
    item = payload.get("item")
    if isinstance(item, dict):
        lines.append(f"**事项**：{_plain(item.get('name', ''))}（{_plain(item.get('power_type', ''))}）")
        if payload.get("handled_by"):
            lines.append(f"**承办机构**：{_plain(payload['handled_by'])}")
        if payload.get("held_by"):
            who = "决定机关" if verdict == "assist" else "实施主体"
            lines.append(f"**{who}**：{_plain(payload['held_by'])}")
        basis = [b for b in payload.get("legal_basis") or [] if isinstance(b, dict)]
        if basis:
            lines.append("**法律依据**：" + "；".join(_plain(citation(b)) for b in basis))
            quoted = [b for b in basis if b.get("text")]
            if payload.get("question") != "basis":
                quoted = quoted[:1]
            for ref in quoted:
                lines.extend(_quote(_shorten(str(ref["text"]), QUOTE_LIMIT)))
        delegation = payload.get("delegation")
        if isinstance(delegation, dict) and delegation.get("document"):
            lines.append(
                f"**下放/职责依据**：{_plain(delegation['document'])}，{_plain(delegation.get('effective', ''))} 起施行"
            )
        if payload.get("note"):
            lines.append(f"**说明**：{_plain(payload['note'])}")
    else:
        # unknown matter: the text already says what to do next
        lines.extend(_plain(line) for line in text_lines[1:] if not line.startswith(("（我的理解", "※")))
    if understood:
        lines.append(_plain(understood))
    lines.extend(_quote(disclaimer))
    return line_break.join(lines)


def citation(ref: Mapping[str, Any]) -> str:
    """《法律》第几条, as the answer text writes it."""
    return f"《{ref.get('law', '')}》{ref.get('article') or ''}"


def clarify_text(payload: Mapping[str, Any], message: Mapping[str, Any]) -> str:
    """The question with numbered options, so a user can answer with the number."""
    options = [_option_title(o) for o in payload.get("options") or []]
    if not options:
        options = [str(b.get("title", "")) for b in message.get("buttons") or [] if isinstance(b, dict)]
    text = str(message.get("text") or "")
    if not text:
        text = "请问您是哪个镇街的？" if payload.get("need") == "unit" else "您问的是哪一项？"
    lines = [line for line in text.splitlines() if line.strip() and not _NUMBERED.match(line)]
    lines.extend(f"{i}. {title}" for i, title in enumerate(options, start=1))
    if options:
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


def _option_title(option: Any) -> str:
    if isinstance(option, dict):
        return str(option.get("title") or option.get("name") or option.get("code") or "")
    return str(option)


def _plain(value: Any) -> str:
    return str(value).translate(_MARKUP)


def _quote(text: str) -> list[str]:
    return [f"> {_plain(line)}" for line in text.splitlines() if line.strip()]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
