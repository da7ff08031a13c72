"""Fixtures of the channel tests. The fake WeCom/DingTalk API on loopback and the
real servers configured against it are the session's (tests/conftest.py,
tests/fake_platform.py); here: a clean platform per test and what the platforms send."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from bot.channels import dingtalk, wecom
from tests.fake_platform import (
    AES_KEY,
    AGENT_ID,
    CORP_ID,
    DINGTALK_APP_KEY,
    DINGTALK_SECRET,
    HTTP_TIMEOUT_S,
    TOKEN,
    UNIT_USER,
    VOICE_SENDER_PER_MIN,
    VOICE_TOKEN,
    FakePlatform,
)
from tests.stack import Stack

__all__ = [
    "AES_KEY",
    "AGENT_ID",
    "CORP_ID",
    "DINGTALK_APP_KEY",
    "DINGTALK_SECRET",
    "HTTP_TIMEOUT_S",
    "TOKEN",
    "UNIT_USER",
    "VOICE_SENDER_PER_MIN",
    "VOICE_TOKEN",
    "dingtalk_post",
    "wait_for",
    "wecom_post",
]

T = TypeVar("T")


def wait_for(check: Callable[[], T], timeout: float = 20.0, every: float = 0.1) -> T:
    """Poll until ``check`` returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing after {timeout} s")
        time.sleep(every)


@pytest.fixture()
def platform(fake_platform: FakePlatform) -> Iterator[FakePlatform]:
    fake_platform.reset()
    yield fake_platform
    fake_platform.reset()


@pytest.fixture()
def channel_servers(stack: Stack) -> Stack:
    """The session's real servers; their channels talk to ``fake_platform``."""
    return stack


# ---- what the platforms send ------------------------------------------------------------------


def wecom_post(
    text: str,
    user: str,
    msg_id: str | None = None,
    timestamp: int | None = None,
    receive_id: str = CORP_ID,
    token: str = TOKEN,
    msg_type: str = "text",
) -> tuple[str, bytes]:
    """The query string and body of a WeCom message callback, encrypted and signed."""
    msg_id = msg_id or str(uuid.uuid4().int >> 64)
    created = int(time.time()) if timestamp is None else timestamp
    inner = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>"
    )
    encrypted = wecom.encrypt(AES_KEY, inner, receive_id)
    nonce = str(uuid.uuid4().int % 10**9)
    sig = wecom.signature(token, str(created), nonce, encrypted)
    body = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID><![CDATA[{AGENT_ID}]]></AgentID>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    )
    query = f"msg_signature={sig}&timestamp={created}&nonce={nonce}"
    return query, body.encode("utf-8")


def dingtalk_post(
    platform_url: str,
    text: str,
    user: str,
    msg_id: str | None = None,
    expires_ms: int | None = None,
    timestamp_ms: int | None = None,
    secret: str = DINGTALK_SECRET,
    group: bool = False,
    robot_code: str = DINGTALK_APP_KEY,
) -> tuple[dict[str, str], bytes, str]:
    """Headers, body and session id of a DingTalk robot callback."""
    now_ms = int(time.time() * 1000)
    session = uuid.uuid4().hex
    body = {
        "msgtype": "text",
        "text": {"content": text},
        "msgId": msg_id or f"msg{uuid.uuid4().hex}",
        "createAt": now_ms,
        "conversationType": "2" if group else "1",
        "conversationId": f"cid{uuid.uuid4().hex[:12]}",
        "senderId": f"$:LWCP_v1:${user}",
        "senderNick": "测试用户",
        "senderStaffId": user,
        "chatbotUserId": "bot",
        "robotCode": robot_code,
        "sessionWebhook": f"{platform_url}/robot/sendBySession?session={session}",
        "sessionWebhookExpiredTime": now_ms + 90 * 60 * 1000 if expires_ms is None else expires_ms,
        "isInAtList": True,
    }
    ts = str(now_ms if timestamp_ms is None else timestamp_ms)
    headers = {"Content-Type": "application/json", "timestamp": ts, "sign": dingtalk.sign(secret, ts)}
    return headers, json.dumps(body, ensure_ascii=False).encode("utf-8"), session
