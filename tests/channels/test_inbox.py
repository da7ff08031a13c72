"""The path of an accepted message: ask the bot, deliver with retries, record the outcome."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.channels import dedup, inbox
from bot.channels.errors import DeliveryError, SendFailed
from bot.channels.render import Outgoing


def message(text="天河区石牌街道能不能处罚占道经营", **kw):
    return inbox.Incoming(channel="test", msg_id=uuid.uuid4().hex, user_id="u1", text=text, **kw)


def test_too_long_messages_get_a_clear_answer_and_never_reach_the_bot():
    asked = []

    async def bot(user_message):
        asked.append(user_message)

    replies = asyncio.run(inbox.ask_bot(bot, message("长" * (inbox.MAX_QUESTION_CHARS + 1))))
    assert asked == [] and "太长" in replies[0]["text"] and "1001" in replies[0]["text"]


def test_bot_failure_is_answered_not_swallowed():
    async def bot(user_message):
        raise RuntimeError("boom")

    assert asyncio.run(inbox.ask_bot(bot, message()))[0]["text"] == inbox.BOT_FAILED


def test_the_bot_gets_the_user_channel_and_metadata():
    seen = []

    async def bot(user_message):
        seen.append(user_message)
        await user_message.output_channel.send_text_message(user_message.sender_id, "可以。")

    msg = message(metadata={"unit": "天河区石牌街道"})
    replies = asyncio.run(inbox.ask_bot(bot, msg))
    assert replies[0]["text"] == "可以。"
    assert (seen[0].sender_id, seen[0].input_channel, seen[0].metadata) == (
        "test:u1",
        "test",
        {"unit": "天河区石牌街道"},
    )
    assert seen[0].message_id == msg.msg_id


def test_retries_back_off_and_give_up_with_the_reason():
    attempts = []

    async def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise DeliveryError("busy")

    asyncio.run(inbox.with_retries(flaky, "send", inbox.RetryPolicy(3, 0.01)))
    assert len(attempts) == 3

    async def down():
        raise DeliveryError("HTTP 502")

    with pytest.raises(SendFailed, match="3 attempts failed, last: HTTP 502"):
        asyncio.run(inbox.with_retries(down, "send", inbox.RetryPolicy(3, 0.01)))
    with pytest.raises(SendFailed, match="expired"):
        asyncio.run(inbox.with_retries(down, "send", inbox.RetryPolicy(3, 0.01), lambda: "expired"))


def test_handle_records_replied_or_failed(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    monkeypatch.setenv("OPS_DATABASE_URL", url)
    delivered: list[Outgoing] = []

    async def bot(user_message):
        await user_message.output_channel.send_text_message(user_message.sender_id, "你好")

    async def deliver(out):
        delivered.append(out)

    async def broken(out):
        raise SendFailed("3 attempts failed")

    ok, bad = message(), message()
    for msg in (ok, bad):
        assert dedup.claim(msg.channel, msg.msg_id, url=url)
    asyncio.run(inbox.handle(bot, ok, deliver))
    asyncio.run(inbox.handle(bot, bad, broken))
    assert delivered == [Outgoing("text", "你好")]
    assert dedup.status_of("test", ok.msg_id, url=url) == (dedup.REPLIED, "")
    assert dedup.status_of("test", bad.msg_id, url=url) == (dedup.FAILED, "3 attempts failed")
