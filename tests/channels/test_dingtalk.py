"""DingTalk sign, timestamp window, @mention, sessionWebhook expiry and request parsing."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from bot.channels import dingtalk
from bot.channels.config import DingTalkSettings
from bot.channels.errors import MalformedMessage, ReceiverMismatch, SendFailed, SignatureInvalid, TooLarge
from bot.channels.inbox import RetryPolicy
from bot.channels.render import Outgoing
from tests.channels.conftest import DINGTALK_APP_KEY, DINGTALK_SECRET, dingtalk_post

# computed independently:
#   printf '1577262236757\nthis is secret' | openssl dgst -sha256 -hmac 'this is secret' -binary | base64
VECTOR = ("this is secret", "1577262236757", "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=")
API = "https://oapi.dingtalk.com"


def test_sign_matches_an_independent_hmac():
    secret, ts, expected = VECTOR
    assert dingtalk.sign(secret, ts) == expected
    assert dingtalk.verify_signature(secret, ts, expected, now_ms=int(ts) + 1000)


def test_sign_is_checked_in_constant_time_and_within_an_hour():
    secret, ts, good = VECTOR
    sent = int(ts)
    assert not dingtalk.verify_signature(secret, ts, good[:-2] + "A=", now_ms=sent)
    assert not dingtalk.verify_signature("other secret", ts, good, now_ms=sent)
    assert not dingtalk.verify_signature(secret, ts, "", now_ms=sent)
    assert not dingtalk.verify_signature(secret, "abc", good, now_ms=sent)
    assert not dingtalk.verify_signature(secret, ts, "签名", now_ms=sent)
    hour = 3600 * 1000
    assert dingtalk.verify_signature(secret, ts, good, now_ms=sent + hour)
    assert not dingtalk.verify_signature(secret, ts, good, now_ms=sent + hour + 1)
    assert not dingtalk.verify_signature(secret, ts, good, now_ms=sent - hour - 1)


def test_mention_is_stripped():
    assert dingtalk.strip_mention("@权责助手 天河区石牌街道能不能处罚占道经营") == "天河区石牌街道能不能处罚占道经营"
    assert dingtalk.strip_mention("  @机器人  @张三 江高镇能审批宅基地吗 ") == "江高镇能审批宅基地吗"
    assert dingtalk.strip_mention(" 沙河街道能处罚油烟吗") == "沙河街道能处罚油烟吗"


def test_expiry():
    now = 1_800_000_000_000
    assert not dingtalk.webhook_expired(now + 1, now_ms=now)
    assert dingtalk.webhook_expired(now, now_ms=now)
    assert dingtalk.webhook_expired(now - 1, now_ms=now)
    assert not dingtalk.webhook_expired(None, now_ms=now)


def test_reply_body_uses_markdown_for_cards_and_ats_the_asker_in_groups():
    card = dingtalk.reply_body(Outgoing("markdown", "**结论：可以**", "结论：可以"), "**结论：可以**", "staff1")
    assert card == {
        "msgtype": "markdown",
        "markdown": {"title": "结论：可以", "text": "**结论：可以**"},
        "at": {"atUserIds": ["staff1"]},
    }
    assert dingtalk.reply_body(Outgoing("text", "你好"), "你好") == {"msgtype": "text", "text": {"content": "你好"}}


def _channel(now_ms=None):
    settings = DingTalkSettings(app_secret=DINGTALK_SECRET, app_key=DINGTALK_APP_KEY, api_base=API)
    return dingtalk.DingTalkInput(settings, clock_ms=(lambda: now_ms) if now_ms else lambda: int(time.time() * 1000))


def test_accept_reads_a_signed_group_message():
    headers, body, session = dingtalk_post(API, "@权责助手 天河区石牌街道能不能处罚占道经营", "staff1", group=True)
    message, webhook, expires, at_user = _channel().accept(headers, body)
    assert message.text == "天河区石牌街道能不能处罚占道经营" and message.user_id == "staff1"
    assert message.channel == "dingtalk" and message.msg_id.startswith("msg")
    assert webhook.endswith(session) and expires and at_user == "staff1"


def test_accept_rejects_bad_sign_stale_timestamp_and_foreign_webhooks():
    channel = _channel()
    headers, body, _ = dingtalk_post(API, "hi", "staff1")
    with pytest.raises(SignatureInvalid):
        channel.accept({**headers, "sign": dingtalk.sign("wrong", headers["timestamp"])}, body)
    with pytest.raises(SignatureInvalid):
        channel.accept({k: v for k, v in headers.items() if k != "sign"}, body)
    stale = int(time.time() * 1000) - 2 * 3600 * 1000
    headers, body, _ = dingtalk_post(API, "hi", "staff1", timestamp_ms=stale)
    with pytest.raises(SignatureInvalid):
        channel.accept(headers, body)
    headers, body, _ = dingtalk_post("https://evil.example", "hi", "staff1")
    with pytest.raises(MalformedMessage):
        channel.accept(headers, body)
    headers, _, _ = dingtalk_post(API, "hi", "staff1")
    with pytest.raises(MalformedMessage):
        channel.accept(headers, b"not json")
    with pytest.raises(TooLarge):
        channel.accept(headers, b"{" + b" " * 70_000 + b"}")


def test_audio_uses_dingtalk_recognition_and_other_types_get_a_notice():
    headers, body, _ = dingtalk_post(API, "", "staff1")
    data = json.loads(body)
    data.update(msgtype="audio", content={"recognition": "江高镇能审批宅基地吗"})
    data.pop("text")
    message, *_ = _channel().accept(headers, json.dumps(data).encode())
    assert message.text == "江高镇能审批宅基地吗" and not message.text_only_notice
    data.update(msgtype="picture", content={"downloadCode": "x"})
    message, *_ = _channel().accept(headers, json.dumps(data).encode())
    assert message.text_only_notice


def test_unit_from_the_directory(monkeypatch):
    monkeypatch.setenv("DINGTALK_USER_UNITS", '{"staff9": "白云区江高镇"}')
    headers, body, _ = dingtalk_post(API, "我们能审批宅基地吗", "staff9")
    message, *_ = _channel().accept(headers, body)
    assert message.metadata["unit"] == "白云区江高镇"


def test_a_callback_for_another_robot_is_refused():
    channel = _channel()
    for robot_code in ("other-robot", ""):
        headers, body, _ = dingtalk_post(API, "hi", "staff1", robot_code=robot_code)
        with pytest.raises(ReceiverMismatch, match="robotCode"):
            channel.accept(headers, body)
    headers, body, _ = dingtalk_post(API, "hi", "staff1")
    assert channel.accept(headers, body)[0].text == "hi"


def test_settings():
    assert DingTalkSettings.load(env={}).missing == ["DINGTALK_APP_KEY", "DINGTALK_APP_SECRET"]
    assert DingTalkSettings.load(env={"DINGTALK_APP_SECRET": "s"}).missing == ["DINGTALK_APP_KEY"]
    settings = DingTalkSettings.load(env={"DINGTALK_APP_SECRET": "s", "DINGTALK_APP_KEY": "k"})
    assert settings.missing == [] and settings.http_timeout_s == 10.0
    assert DingTalkSettings.load(env={"DINGTALK_HTTP_TIMEOUT_S": "0.5"}).http_timeout_s == 0.5


def test_replier_retries_and_stops_at_expiry(platform):
    replier = dingtalk.SessionReplier(RetryPolicy(attempts=3, base_delay_s=0.01))
    url = f"{platform.url}/robot/sendBySession?session=replier"
    future = int(time.time() * 1000) + 60_000

    async def go(expires):
        try:
            await replier.send(url, expires, Outgoing("markdown", "**结论：可以**", "结论：可以"))
        finally:
            await replier.close()

    platform.fail_next = 2
    asyncio.run(go(future))
    assert platform.failures == 2 and len(platform.to_session("replier")) == 1
    with pytest.raises(SendFailed, match="expired"):
        asyncio.run(go(int(time.time() * 1000) - 1))
    assert len(platform.to_session("replier")) == 1


def test_a_hanging_session_webhook_times_out_is_retried_then_fails(platform):
    """On Python 3.10 aiohttp's timeout is asyncio.TimeoutError, not the built-in TimeoutError."""
    replier = dingtalk.SessionReplier(RetryPolicy(attempts=3, base_delay_s=0.01), timeout_s=0.3)
    url = f"{platform.url}/robot/sendBySession?session=hanging"
    platform.hang_s = 1.0

    async def go():
        try:
            await replier.send(url, int(time.time() * 1000) + 60_000, Outgoing("text", "超时"))
        finally:
            await replier.close()

    started = time.monotonic()
    with pytest.raises(SendFailed, match="3 attempts failed, last: TimeoutError"):
        asyncio.run(go())
    assert platform.hangs == 3 and platform.to_session("hanging") == []
    assert time.monotonic() - started < 2.5  # each attempt gave up after 0.3 s, not after the platform's 1 s
    time.sleep(1.0)  # let the hung requests end before the fake platform is stopped
