"""A loopback stand-in for the WeCom and DingTalk APIs, and the channel settings
the test servers are started with. Shared by every suite that talks to the
real servers (tests/conftest.py starts it) and by the channel tests."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# The official sample values of WeCom's callback documentation.
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"
AGENT_ID = "1000002"
WECOM_SECRET = "test-secret"
DINGTALK_SECRET = "test-dingtalk-app-secret"
DINGTALK_APP_KEY = "test-app-key"
HTTP_TIMEOUT_S = 2.0  # the channels' timeout per platform call in these tests (10 s in production)
UNIT_USER = "unit-mapped-user"
VOICE_TOKEN = "test-voice-token"
VOICE_SENDER_PER_MIN = 10


@dataclass
class FakePlatform:
    """Loopback stand-in for qyapi.weixin.qq.com and DingTalk sessionWebhooks.

    Records every message it accepts; ``fail_next``/``fail_always`` make it
    answer sends with errors, ``expire_token_next`` with errcode 42001;
    ``hang_s`` makes every send hang that long and deliver nothing (``hangs`` counts them).
    """

    url: str = ""
    wecom: list[dict[str, Any]] = field(default_factory=list)
    dingtalk: list[dict[str, Any]] = field(default_factory=list)
    token_calls: int = 0
    failures: int = 0
    fail_next: int = 0
    fail_always: bool = False
    expire_token_next: int = 0
    hang_s: float = 0.0
    hangs: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.failures = self.fail_next = self.expire_token_next = self.hangs = 0
            self.fail_always = False
            self.hang_s = 0.0

    async def _hang(self) -> web.Response | None:
        with self.lock:
            hang_s = self.hang_s
            if hang_s:
                self.hangs += 1
        if not hang_s:
            return None
        await asyncio.sleep(hang_s)
        return web.Response(status=504, text="too late")

    def to_user(self, user: str) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.wecom if m.get("touser") == user]

    def to_session(self, session: str) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.dingtalk if m.get("_session") == session]

    def _should_fail(self) -> bool:
        with self.lock:
            if self.fail_always or self.fail_next > 0:
                self.fail_next = max(0, self.fail_next - 1)
                self.failures += 1
                return True
            return False

    def app(self) -> web.Application:
        async def gettoken(request: web.Request) -> web.Response:
            with self.lock:
                self.token_calls += 1
                calls = self.token_calls
            if request.query.get("corpid") != CORP_ID or request.query.get("corpsecret") != WECOM_SECRET:
                return web.json_response({"errcode": 40013, "errmsg": "invalid corpid"})
            return web.json_response({"errcode": 0, "access_token": f"token-{calls}", "expires_in": 7200})

        async def send(request: web.Request) -> web.Response:
            if (hung := await self._hang()) is not None:
                return hung
            if self._should_fail():
                if self.failures % 2:
                    return web.json_response({"errcode": -1, "errmsg": "system busy"})
                return web.Response(status=502, text="bad gateway")
            with self.lock:
                if self.expire_token_next > 0:
                    self.expire_token_next -= 1
                    return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
            body = await request.json()
            body["_token"] = request.query.get("access_token")
            with self.lock:
                self.wecom.append(body)
            return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": uuid.uuid4().hex})

        async def session_webhook(request: web.Request) -> web.Response:
            if (hung := await self._hang()) is not None:
                return hung
            if self._should_fail():
                return web.Response(status=503, text="unavailable")
            body = await request.json()
            body["_session"] = request.query.get("session")
            with self.lock:
                self.dingtalk.append(body)
            return web.json_response({"errcode": 0, "errmsg": "ok"})

        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", gettoken)
        app.router.add_post("/cgi-bin/message/send", send)
        app.router.add_post("/robot/sendBySession", session_webhook)
        return app


@contextmanager
def serve_fake_platform() -> Iterator[FakePlatform]:
    """Run a ``FakePlatform`` on a free loopback port in a thread of its own.

    A thread, not the test's event loop: the servers under test call it from
    other processes while synchronous tests wait for the messages to arrive.
    """
    platform = FakePlatform()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runner = web.AppRunner(platform.app())

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        assert runner.addresses, "the fake platform has no socket"
        port = runner.addresses[0][1]
        platform.url = f"http://127.0.0.1:{port}"
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="fake-platform", daemon=True)
    thread.start()
    assert ready.wait(10), "fake platform did not start"
    try:
        yield platform
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def channel_env(platform_url: str) -> dict[str, str]:
    """The environment that configures WeCom, DingTalk and voice against the fake platform."""
    return {
        "WECOM_CORP_ID": CORP_ID,
        "WECOM_TOKEN": TOKEN,
        "WECOM_AES_KEY": AES_KEY,
        "WECOM_AGENT_ID": AGENT_ID,
        "WECOM_SECRET": WECOM_SECRET,
        "WECOM_API_BASE": platform_url,
        "WECOM_MAX_SKEW_S": "300",
        "WECOM_HTTP_TIMEOUT_S": str(HTTP_TIMEOUT_S),
        "WECOM_USER_UNITS": json.dumps({UNIT_USER: "天河区石牌街道"}, ensure_ascii=False),
        "DINGTALK_APP_KEY": DINGTALK_APP_KEY,
        "DINGTALK_HTTP_TIMEOUT_S": str(HTTP_TIMEOUT_S),
        "DINGTALK_APP_SECRET": DINGTALK_SECRET,
        "DINGTALK_API_BASE": platform_url,
        "DINGTALK_USER_UNITS": json.dumps({UNIT_USER: "白云区江高镇"}, ensure_ascii=False),
        "VOICE_TOKEN": VOICE_TOKEN,
        "VOICE_SENDER_PER_MIN": str(VOICE_SENDER_PER_MIN),
    }
