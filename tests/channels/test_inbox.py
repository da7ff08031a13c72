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


@pytest.fixture()
def kb_db(fresh_ops):
    """Channel dedup lives in the operational database: a fresh one per test."""
    return fresh_ops


async def _answer(user_message):
    await user_message.output_channel.send_text_message(user_message.sender_id, "可以。")


async def _deliver(out):
    pass


def test_a_message_is_written_down_as_taken_only_once_answered(kb_db):
    msg = message()

    async def first_process():
        claims = inbox.Claims()
        assert await claims.claim(msg)
        assert not await claims.claim(msg)  # the platform's retry while the answer is in flight
        # ... and the process dies here, before answering

    asyncio.run(first_process())
    assert dedup.status_of(msg.channel, msg.msg_id, url=kb_db) is None

    async def after_restart():
        claims = inbox.Claims()
        assert await claims.claim(msg)  # the platform's next retry is answered
        await inbox.handle(_answer, msg, _deliver)

    asyncio.run(after_restart())
    assert dedup.status_of(msg.channel, msg.msg_id, url=kb_db) == (dedup.REPLIED, "")
    assert not asyncio.run(inbox.Claims().claim(msg))  # answered: a retry after another restart is ignored


def test_a_failed_reply_is_recorded_and_not_retried_by_a_duplicate(kb_db):
    msg = message()

    async def broken(out):
        raise SendFailed("wecom send: 3 attempts failed, last: TimeoutError")

    asyncio.run(inbox.handle(_answer, msg, broken))
    assert dedup.status_of(msg.channel, msg.msg_id, url=kb_db) == (
        dedup.FAILED,
        "wecom send: 3 attempts failed, last: TimeoutError",
    )
    assert not asyncio.run(inbox.Claims().claim(msg))


def test_a_message_is_answered_when_the_database_cannot_be_asked(kb_db, monkeypatch):
    def down(*args, **kwargs):
        raise dedup.DedupUnavailable("database is locked")

    monkeypatch.setattr(dedup, "status_of", down)
    claims = inbox.Claims()
    msg = message()
    assert asyncio.run(claims.claim(msg))
    assert not asyncio.run(claims.claim(msg))  # still one answer per message within this process


def test_claims_in_memory_are_bounded_and_expire(monkeypatch):
    monkeypatch.setattr(dedup, "status_of", lambda *args, **kwargs: None)  # nothing answered yet
    msgs = [message() for _ in range(5)]

    async def go():
        claims = inbox.Claims(max_size=3)
        assert all([await claims.claim(m) for m in msgs])
        assert not await claims.claim(msgs[-1])  # recent: remembered
        assert await claims.claim(msgs[0])  # the oldest was let go to keep memory bounded
        expiring = inbox.Claims(keep_s=0.05)
        assert await expiring.claim(msgs[1]) and not await expiring.claim(msgs[1])
        await asyncio.sleep(0.1)
        assert await expiring.claim(msgs[1])

    asyncio.run(go())


@pytest.mark.parametrize("behaviour", ["silent", "raises"])
def test_a_bot_that_gives_no_answer_is_turned_into_an_apology(behaviour):
    async def bot(user_message):
        if behaviour == "raises":
            raise RuntimeError("action server unreachable")

    assert asyncio.run(inbox.ask_bot(bot, message())) == [{"recipient_id": "test:u1", "text": inbox.BOT_FAILED}]


def test_an_answer_gets_no_apology():
    replies = asyncio.run(inbox.ask_bot(_answer, message()))
    assert [r["text"] for r in replies] == ["可以。"]


def test_drain_finishes_answers_in_flight_and_reports_what_it_could_not():
    done = []

    async def answer(number, seconds):
        await asyncio.sleep(seconds)
        done.append(number)

    async def go():
        tasks = inbox.Tasks()
        for number in range(3):
            tasks.spawn(answer(number, 0.1 * (number + 1)), name=f"quick-{number}")
        assert await tasks.drain(5.0) == 0 and len(tasks) == 0
        tasks.spawn(answer(9, 30), name="stuck")
        return await tasks.drain(0.2)

    assert asyncio.run(go()) == 1
    assert sorted(done) == [0, 1, 2]
