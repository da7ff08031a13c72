"""One user turn, end to end: knowledge, user directory, dialogue, audit.

The Rasa action calls these functions and only renders what they return.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from bot import answer, audit, users
from bot.dialogue import Outcome, State, Turn, handle_turn
from bot.errors import KnowledgeError
from bot.kb.provider import default_provider

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    sender: str
    channel: str | None
    confidence: float | None
    received_at: float | None = None  # Unix time Rasa received the message: latency is measured from it


def answer_turn(turn: Turn, state: State, ctx: Context) -> Outcome:
    """Raises KnowledgeError when the knowledge base cannot be read (the question is still audited)."""
    try:
        knowledge = default_provider().get()
    except KnowledgeError:
        # Nothing lost: the question is written down (or spooled) even when it cannot be answered.
        _audit(turn, ctx, {"verdict": "unavailable"}, None)
        raise
    directory_unit = _directory_unit(ctx.sender)
    outcome = handle_turn(knowledge, replace(turn, directory_unit=directory_unit), state)
    given = outcome.units.metadata if outcome.units else None  # the channel's unit, resolved by the turn
    if given is not None and given.full_name != directory_unit:
        _remember(ctx.sender, given.full_name, "metadata")
    if outcome.remember_unit:
        _remember(ctx.sender, outcome.remember_unit, "chat")
    _audit(turn, ctx, outcome.understood, knowledge.version)
    return outcome


def warm_up() -> None:
    """Load what the first question would otherwise wait for: the knowledge base, the matcher's
    index, the sentence-embedding model and the word lists (about 2 s). Never raises: a failure
    here is met again, and reported, by the first question."""
    started = time.perf_counter()
    try:
        handle_turn(default_provider().get(), Turn("ask_can", "占道经营的处罚依据", {}), State())
    except Exception:  # noqa: BLE001 — the first real question reports it to its asker
        logger.warning("warm-up failed; the first question will load the knowledge base", exc_info=True)
        return
    logger.info("warmed up in %.1f s", time.perf_counter() - started)


def _audit(turn: Turn, ctx: Context, understood: dict[str, Any], kb_version: str | None) -> None:
    verdict = understood.get("verdict") or ("clarify" if understood.get("clarify") else None)
    audit.record(
        audit.Entry(
            sender=ctx.sender,
            text=turn.text[:2000],
            channel=ctx.channel,
            intent=turn.intent,
            confidence=ctx.confidence,
            unit=understood.get("unit"),
            matter=understood.get("matter"),
            question=understood.get("question"),
            verdict=verdict,
            kb_version=kb_version,
            latency_ms=_latency_ms(ctx.received_at),
        )
    )


def _latency_ms(received_at: float | None) -> int | None:
    if received_at is None:
        return None
    elapsed = (time.time() - received_at) * 1000
    return round(elapsed) if 0 <= elapsed < 3_600_000 else None  # a skewed or replayed stamp is no latency


ADMIN_UNIT_KEPT = "您的镇街是管理员设置的，不能在对话中清除。如需更改，请联系本单位的清单管理员。"


def forget_unit(sender: str) -> answer.Reply:
    """Forget the unit the sender told us; a unit an admin set stays."""
    try:
        removed = users.forget(sender, keep_admin=True)
        if not removed and users.source_of(sender) == "admin":
            return answer.text_reply(ADMIN_UNIT_KEPT)
    except KnowledgeError:
        return answer.text_reply("暂时无法访问用户目录，请稍后再试。")
    if removed:
        return answer.text_reply("已清除您保存的镇街。之后提问时请说明镇街，或重新告诉我“我是××街道的”。")
    return answer.text_reply("您还没有保存过镇街，无需清除。")


def feedback(sender: str, rating: str, text: str | None) -> answer.Reply:
    reason = text if rating == "down" and text and not text.startswith("/") else None
    try:
        rated = audit.rate(sender, rating, reason)
    except KnowledgeError:
        logger.exception("cannot store feedback")
        return answer.text_reply("反馈暂时无法保存，请稍后再试。")
    if rated is None:
        return answer.text_reply("还没有可以评价的回答。")
    if rating == "up":
        return answer.text_reply("谢谢您的肯定！")
    return answer.text_reply(
        "谢谢反馈，已记录这条回答有误"
        + (f"（原因：{reason[:100]}）" if reason else "")
        + "。我们会核对清单；如需准确答复，请咨询所在区的区委编办。"
    )


def _directory_unit(sender: str) -> str | None:
    try:
        return users.unit_of(sender)
    except KnowledgeError:
        logger.warning("user directory unavailable")
        return None


def _remember(sender: str, unit: str, source: str) -> None:
    try:
        users.remember(sender, unit, source)
    except KnowledgeError:
        logger.warning("user directory unavailable; unit not remembered")
