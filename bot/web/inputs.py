"""Parse and check what the widget sends. Pure functions: no server, no database.

Every problem raises :class:`BadInput` with a message in Chinese that the widget
shows as it is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot import identity
from bot.feedback import FeedbackEntry

MAX_MESSAGE_CHARS = 4000
MAX_REASON_CHARS = 1000
MAX_UNIT_CHARS = 40
# The browser keeps a random "web-…" id; the server files it as web:<id>
# (bot.identity), a namespace no other channel's caller may use.
SENDER_PATTERN = re.compile(r"web-[A-Za-z0-9_-]{8,64}")


class BadInput(ValueError):
    """The request cannot be served as sent; ``str(exc)`` is for the user."""


@dataclass(frozen=True)
class ChatRequest:
    sender: str
    message: str
    unit: str | None


@dataclass(frozen=True)
class UnitRequest:
    sender: str
    unit: str


def parse_json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        raise BadInput("请求内容为空。")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadInput("请求内容不是有效的 JSON。") from None
    if not isinstance(data, dict):
        raise BadInput("请求内容应为 JSON 对象。")
    return data


def parse_chat(body: bytes) -> ChatRequest:
    data = parse_json_object(body)
    message = data.get("message")
    if not isinstance(message, str) or not message.strip():
        raise BadInput("请输入要问的问题。")
    if len(message) > MAX_MESSAGE_CHARS:
        raise BadInput(f"问题太长了（{len(message)} 字），请控制在 {MAX_MESSAGE_CHARS} 字以内。")
    sender = _sender(data)
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadInput("metadata 应为 JSON 对象。")
    unit = _optional_text((metadata or {}).get("unit"), MAX_UNIT_CHARS, "镇街名称")
    return ChatRequest(sender, message.strip(), unit)


def parse_unit(body: bytes) -> UnitRequest:
    data = parse_json_object(body)
    sender = _sender(data)
    unit = _optional_text(data.get("unit"), MAX_UNIT_CHARS, "镇街名称")
    if not unit:
        raise BadInput("请输入镇街名称。")
    return UnitRequest(sender, unit)


def parse_feedback(body: bytes) -> FeedbackEntry:
    data = parse_json_object(body)
    sender = _sender(data)
    rating = data.get("rating")
    if rating not in ("up", "down"):
        raise BadInput("评价应为“有帮助”或“没有帮助”。")
    question = _optional_text(data.get("question"), MAX_MESSAGE_CHARS, "问题")
    if not question:
        raise BadInput("缺少被评价的问题。")
    verdict = _optional_text(data.get("verdict"), 16, "结论")
    if verdict is not None and verdict not in ("yes", "no", "assist", "unknown"):
        raise BadInput("结论取值无效。")
    return FeedbackEntry(
        sender=sender,
        question=question,
        rating=rating,
        verdict=verdict,
        item_code=_optional_text(data.get("item_code"), 64, "事项编码"),
        unit=_optional_text(data.get("unit"), MAX_UNIT_CHARS, "镇街名称"),
        kb_version=_optional_text(data.get("kb_version"), 64, "知识库版本"),
        reason=_optional_text(data.get("reason"), MAX_REASON_CHARS, "原因"),
    )


def parse_unit_query(query: str | None) -> str:
    text = (query or "").strip()
    if not text:
        raise BadInput("请输入镇街名称。")
    if len(text) > MAX_UNIT_CHARS:
        raise BadInput(f"镇街名称太长了，请控制在 {MAX_UNIT_CHARS} 字以内。")
    return text


def _sender(data: dict[str, Any]) -> str:
    """The conversation id, ``web:<id>``, of the browser's ``web-<id>``."""
    sender = data.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender):
        raise BadInput("会话标识无效，请刷新页面后重试。")
    return identity.sender_id(identity.WEB, sender.removeprefix("web-"))


def _optional_text(value: Any, limit: int, label: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f"{label}应为文字。")
    value = value.strip()
    if len(value) > limit:
        raise BadInput(f"{label}太长了，请控制在 {limit} 字以内。")
    return value or None
