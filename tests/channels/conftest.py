"""Fixtures of the channel tests: a fake WeCom/DingTalk API on loopback and the
real servers started with the channels configured against it."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web

from bot import servers
from bot.channels import dingtalk, wecom

# The official sample values of WeCom's callback documentation.
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"
AGENT_ID = "1000002"
DINGTALK_SECRET = "test-dingtalk-app-secret"
DINGTALK_APP_KEY = "test-app-key"
HTTP_TIMEOUT_S = 2.0  # the channels' timeout per platform call in these tests (10 s in production)
UNIT_USER = "unit-mapped-user"
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
            if request.query.get("corpid") != CORP_ID or request.query.get("corpsecret") != "test-secret":
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


@pytest.fixture(scope="session")
def fake_platform():
    platform = FakePlatform()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runner = web.AppRunner(platform.app())

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        platform.url = f"http://127.0.0.1:{port}"
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="fake-platform", daemon=True)
    thread.start()
    assert ready.wait(10), "fake platform did not start"
    yield platform
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture()
def platform(fake_platform: FakePlatform) -> FakePlatform:
    fake_platform.reset()
    yield fake_platform
    fake_platform.reset()


@dataclass
class ChannelServers:
    rasa_url: str
    log_path: Path
    kb_url: str

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tracker_texts(self, sender: str) -> list[str]:
        """What the bot heard from a user, from Rasa's HTTP API."""
        return [e.get("text") for e in self.tracker_user_events(sender)]

    def tracker_user_events(self, sender: str) -> list[dict[str, Any]]:
        url = f"{self.rasa_url}/conversations/{urllib.request.quote(sender, safe=':')}/tracker"
        with urllib.request.urlopen(url, timeout=30) as response:
            events = json.loads(response.read())["events"] or []
        return [e for e in events if e.get("event") == "user"]

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        req = urllib.request.Request(f"{self.rasa_url}{path}", data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


@pytest.fixture(scope="session")
def channel_servers(kb_url: str, fake_platform: FakePlatform, tmp_path_factory: pytest.TempPathFactory):
    log_path = Path(tmp_path_factory.mktemp("channel-logs")) / "servers.log"
    action_port = int(os.environ.get("TEST_CHANNELS_ACTION_PORT") or servers.free_port())
    rasa_port = int(os.environ.get("TEST_CHANNELS_RASA_PORT") or servers.free_port())
    env = {
        "KB_DATABASE_URL": kb_url,
        "WECOM_CORP_ID": CORP_ID,
        "WECOM_TOKEN": TOKEN,
        "WECOM_AES_KEY": AES_KEY,
        "WECOM_AGENT_ID": AGENT_ID,
        "WECOM_SECRET": "test-secret",
        "WECOM_API_BASE": fake_platform.url,
        "WECOM_MAX_SKEW_S": "300",
        "WECOM_HTTP_TIMEOUT_S": str(HTTP_TIMEOUT_S),
        "WECOM_USER_UNITS": json.dumps({UNIT_USER: "天河区石牌街道"}, ensure_ascii=False),
        "DINGTALK_APP_KEY": DINGTALK_APP_KEY,
        "DINGTALK_HTTP_TIMEOUT_S": str(HTTP_TIMEOUT_S),
        "DINGTALK_APP_SECRET": DINGTALK_SECRET,
        "DINGTALK_API_BASE": fake_platform.url,
        "DINGTALK_USER_UNITS": json.dumps({UNIT_USER: "白云区江高镇"}, ensure_ascii=False),
        "VOICE_TOKEN": "",
    }
    with open(log_path, "wb") as log:
        try:
            running = servers.start(action_port, rasa_port, log=log, env=env)
        except servers.ServerError:
            print(log_path.read_text(errors="replace")[-5000:])
            raise
        try:
            yield ChannelServers(running.rasa_url, log_path, kb_url)
        finally:
            running.stop()


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
