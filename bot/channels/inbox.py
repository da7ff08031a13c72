"""What every chat platform does with a message it accepted.

The webhook verifies the request, claims the message id (:mod:`dedup`),
answers the platform at once and hands the message to :func:`handle` in a
background task: ask Rasa, render the reply, deliver it with retries, record
the outcome. A failed delivery is logged and recorded, never dropped silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels import dedup
from bot.channels.errors import DeliveryError, SendFailed
from bot.channels.render import Outgoing, render_messages

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # a request body beyond this is refused with 413
MAX_QUESTION_CHARS = 1000  # a longer text is answered with TOO_LONG, not sent to Rasa
TOO_LONG = (
    "您的消息太长（{chars} 字），我没有处理。请只发一个问题（{limit} 字以内），例如“石牌街道能不能处罚占道经营？”"
)
TEXT_ONLY = "目前我只能回答文字提问，请用文字输入您的问题，例如“石牌街道能不能处罚占道经营？”"
ASK_QUESTION = "请直接输入您的问题，例如“石牌街道能不能处罚占道经营？”"
BOT_FAILED = "抱歉，处理您的问题时出错了，请稍后再试。"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Deliver = Callable[[Outgoing], Awaitable[None]]


@dataclass(frozen=True)
class Incoming:
    """A verified user message from a platform."""

    channel: str
    msg_id: str
    user_id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    text_only_notice: bool = False  # the user sent something else than text

    @property
    def sender_id(self) -> str:
        """The Rasa conversation: user ids of different platforms are different namespaces."""
        return f"{self.channel}:{self.user_id}"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_delay_s: float = 1.0  # then doubled: 1 s, 2 s


async def claim(message: Incoming) -> bool:
    """True when the message is new. When the database fails, process anyway:
    a duplicate answer is better than a lost one."""
    try:
        return await asyncio.to_thread(dedup.claim, message.channel, message.msg_id, message.user_id)
    except dedup.DedupUnavailable:
        logger.exception("%s: cannot check message %s for duplicates; processing it", message.channel, message.msg_id)
        return True


async def ask_bot(on_new_message: OnNewMessage, message: Incoming) -> list[dict[str, Any]]:
    """The bot's messages for one user message; a clear text when it cannot be asked."""
    if message.text_only_notice:
        return [{"text": TEXT_ONLY}]
    if not message.text.strip():
        return [{"text": ASK_QUESTION}]
    if len(message.text) > MAX_QUESTION_CHARS:
        logger.warning(
            "%s: message %s from %s has %d characters; answered with a notice",
            message.channel,
            message.msg_id,
            message.user_id,
            len(message.text),
        )
        return [{"text": TOO_LONG.format(chars=len(message.text), limit=MAX_QUESTION_CHARS)}]
    collector = CollectingOutputChannel()
    try:
        await on_new_message(
            UserMessage(
                message.text,
                collector,
                sender_id=message.sender_id,
                input_channel=message.channel,
                message_id=message.msg_id,
                metadata=message.metadata,
            )
        )
    except Exception:
        logger.exception("%s: the bot failed on message %s", message.channel, message.msg_id)
        return [{"text": BOT_FAILED}]
    return collector.messages


async def handle(on_new_message: OnNewMessage, message: Incoming, deliver: Deliver, line_break: str = "\n") -> None:
    """Answer one accepted message and record what became of it."""
    outgoing = render_messages(await ask_bot(on_new_message, message), line_break) or [Outgoing("text", BOT_FAILED)]
    try:
        for piece in outgoing:
            await deliver(piece)
    except SendFailed as exc:
        logger.error(
            "%s: reply to message %s for %s NOT delivered: %s", message.channel, message.msg_id, message.user_id, exc
        )
        await asyncio.to_thread(dedup.record, message.channel, message.msg_id, dedup.FAILED, str(exc))
        return
    await asyncio.to_thread(dedup.record, message.channel, message.msg_id, dedup.REPLIED)
    logger.info("%s: replied to message %s for %s", message.channel, message.msg_id, message.user_id)


async def with_retries(
    attempt: Callable[[], Awaitable[None]],
    what: str,
    policy: RetryPolicy,
    still_possible: Callable[[], str | None] | None = None,
) -> None:
    """Run ``attempt`` until it succeeds, backing off exponentially.

    Raises:
        SendFailed: after the last attempt, or as soon as ``still_possible`` names a reason to stop.
    """
    last: Exception | None = None
    for number in range(1, policy.attempts + 1):
        if still_possible is not None and (reason := still_possible()):
            raise SendFailed(f"{what}: {reason}")
        try:
            await attempt()
            return
        except DeliveryError as exc:
            last = exc
            logger.warning("%s failed (attempt %d of %d): %s", what, number, policy.attempts, exc)
        if number < policy.attempts:
            await asyncio.sleep(policy.base_delay_s * 2 ** (number - 1))
    raise SendFailed(f"{what}: {policy.attempts} attempts failed, last: {last}")


class Tasks:
    """Background tasks of a channel, kept referenced until done."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("background task %s crashed", task.get_name(), exc_info=task.exception())

    def __len__(self) -> int:
        return len(self._tasks)
