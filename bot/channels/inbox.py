"""What every chat platform does with a message it accepted.

The webhook reads the body within a size limit (:mod:`limits`), verifies
the request, claims the message id (:class:`Claims`), answers the platform at
once and hands the message to :func:`handle` in a background task: ask Rasa,
render the reply, deliver it with retries, record the outcome. A failed
delivery is logged and recorded, never dropped silently; a message is written
down as taken only once it was answered or its reply failed, so a platform's
retry after a restart is answered. On shutdown, answers in flight are
finished (:meth:`Tasks.drain`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels import dedup
from bot.channels.errors import DeliveryError, SendFailed
from bot.channels.render import Outgoing, render_messages

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000  # a longer text is answered with TOO_LONG, not sent to Rasa
SHUTDOWN_GRACE_S = 20.0  # how long a stopping server keeps finishing answers in flight
TOO_LONG = (
    "您的消息太长（{chars} 字），我没有处理。请只发一个问题（{limit} 字以内），例如“石牌街道能不能处罚占道经营？”"
)
TEXT_ONLY = "目前我只能回答文字提问，请用文字输入您的问题，例如“石牌街道能不能处罚占道经营？”"
ASK_QUESTION = "请直接输入您的问题，例如“石牌街道能不能处罚占道经营？”"
BOT_FAILED = "抱歉，处理您的问题时出错了，请稍后再试。"

# What one HTTP call to a platform may raise. On Python 3.10 a timeout is asyncio.TimeoutError,
# which is not the built-in TimeoutError (they are one class only from 3.11 on).
HTTP_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, ValueError)

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


# ---- receiving ---------------------------------------------------------------------------------


class Claims:
    """Which messages are being answered or were answered: a platform's retries are ignored.

    Held in memory while the answer is in flight; the database records a message
    only once it was answered or failed (:func:`handle`), so a restart in between
    forgets the claim and the platform's next retry is answered.
    """

    def __init__(self, keep_s: float = 3600.0, max_size: int = 10_000):
        self.keep_s = keep_s
        self.max_size = max_size
        self._taken: OrderedDict[tuple[str, str], float] = OrderedDict()

    async def claim(self, message: Incoming) -> bool:
        """True when the message is new. When the database cannot be asked, process it:
        a duplicate answer is better than a lost one."""
        key = (message.channel, message.msg_id)
        now = time.monotonic()
        while self._taken and (len(self._taken) >= self.max_size or next(iter(self._taken.values())) < now):
            self._taken.popitem(last=False)
        if key in self._taken:
            return False
        self._taken[key] = now + self.keep_s  # before any await: a concurrent retry sees it
        try:
            seen = await asyncio.to_thread(dedup.status_of, message.channel, message.msg_id)
        except Exception:  # whatever the database raises, the message must not be lost
            logger.exception("%s: cannot check message %s for duplicates; answering it", *key)
            return True
        return seen is None or seen[0] not in (dedup.REPLIED, dedup.FAILED)


# ---- answering --------------------------------------------------------------------------------


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
    await with_apology(on_new_message)(
        UserMessage(
            message.text,
            collector,
            sender_id=message.sender_id,
            input_channel=message.channel,
            message_id=message.msg_id,
            metadata=message.metadata,
        )
    )
    return collector.messages


def with_apology(on_new_message: OnNewMessage) -> OnNewMessage:
    """``on_new_message`` that never leaves a user without an answer.

    Rasa logs a failed custom action (e.g. the action server is down) and replies
    nothing; every user message of this bot has a reply, so an empty one means a
    failure and the user is told so.
    """

    async def answered(message: UserMessage) -> None:
        failed = False
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("%s: the bot failed on a message from %s", message.input_channel, message.sender_id)
            failed = True
        out = message.output_channel
        if isinstance(out, CollectingOutputChannel) and (failed or not out.messages):
            if not failed:
                logger.error("%s: the bot gave no answer to %s; apologising", message.input_channel, message.sender_id)
            await out.send_text_message(message.sender_id, BOT_FAILED)

    return answered


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
        await _settle(message, dedup.FAILED, str(exc))
        return
    await _settle(message, dedup.REPLIED)
    logger.info("%s: replied to message %s for %s", message.channel, message.msg_id, message.user_id)


async def _settle(message: Incoming, status: str, detail: str = "") -> None:
    """Write the message down as taken, with its outcome."""

    def write() -> None:
        dedup.claim(message.channel, message.msg_id, message.user_id)
        dedup.record(message.channel, message.msg_id, status, detail)

    try:
        await asyncio.to_thread(write)
    except Exception:  # the answer is out; only the record of it is missing
        logger.exception("%s: could not record message %s as %s", message.channel, message.msg_id, status)


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

    async def drain(self, timeout_s: float = SHUTDOWN_GRACE_S) -> int:
        """Wait until every task (also those started meanwhile) is done, at most ``timeout_s``.

        Returns:
            How many were still running at the deadline (they are logged).
        """
        deadline = time.monotonic() + timeout_s
        if self._tasks:
            logger.info("finishing %d answers in flight before stopping", len(self._tasks))
        while self._tasks and (left := deadline - time.monotonic()) > 0:
            await asyncio.wait(set(self._tasks), timeout=left)
        if self._tasks:
            names = ", ".join(sorted(t.get_name() for t in self._tasks))
            logger.error("stopping with %d answers unfinished: %s", len(self._tasks), names)
        return len(self._tasks)

    def __len__(self) -> int:
        return len(self._tasks)
