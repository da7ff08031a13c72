"""The browser tests: Debian's headless Chromium driven by Playwright against the
web widget app of the session's real stack (tests/conftest.py).

The browser starts once per session; every test gets a fresh browser context,
so its localStorage (conversation, unit, sender) starts empty.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import servers
from bot.config import PROJECT_ROOT
from bot.kb.types import Knowledge
from bot.web.app import create_app
from tests.stack import Stack

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Rasa on a busy two-core machine can take several seconds per answer.
EXPECT_TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
def web_url(stack: Stack) -> str:
    return stack.web_url


@pytest.fixture(scope="session")
def web_stack(stack: Stack) -> servers.Servers:
    """The session's servers themselves (ports, hosts, tokens)."""
    return stack.servers


@contextmanager
def web_app_without_rasa(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """``python -m bot.web`` whose Rasa is down (nothing listens on its port); yields its URL."""
    port = servers.free_port()
    dead_rasa = f"http://127.0.0.1:{servers.free_port()}"
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), **env)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.web", "--port", str(port), "--rasa-url", dead_rasa],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while not servers.is_up(f"{url}/health"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("web app did not start:\n" + log_path.read_text(errors="replace")[-3000:])
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=15)


@pytest.fixture(scope="session")
def dead_rasa_web_url(kb_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A web app whose Rasa is down."""
    log_path = Path(tmp_path_factory.mktemp("web-dead")) / "web.log"
    with web_app_without_rasa({"KB_DATABASE_URL": kb_url}, log_path) as url:
        yield url


# Module scope, not session: between its calls Playwright's sync API marks its event loop as running
# in the main thread, and every later test that calls asyncio.run() would fail while it is open.
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} 不存在：请先运行 make browser（apt-get install chromium）")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
        assert not errors, f"JavaScript errors on the page: {errors}"
    finally:
        context.close()


# ---- the web app alone, against a fake Rasa (aiohttp level) -----------------------------------


class FakeRasa:
    """Records what the web app sends; answers like Rasa's REST channel and tracker API."""

    def __init__(self, status: int = 200):
        self.status = status
        self.messages: list[dict[str, Any]] = []
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.credentials: list[str | None] = []  # the Authorization header or token parameter of each call

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self.webhook)
        app.router.add_post("/conversations/{sender}/tracker/events", self.tracker_events)
        app.router.add_get("/", self.hello)
        return app

    async def hello(self, request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.messages.append(body)
        self.credentials.append(request.headers.get("Authorization"))
        if self.status != 200:
            return web.json_response({"error": "boom"}, status=self.status)
        return web.json_response(
            [
                {"recipient_id": body["sender"], "text": "可以。……"},
                {"recipient_id": body["sender"], "custom": {"type": "power_answer", "verdict": "yes"}},
            ]
        )

    async def tracker_events(self, request: web.Request) -> web.Response:
        self.events.append((request.match_info["sender"], await request.json()))
        self.credentials.append(request.query.get("token"))
        return web.json_response({"sender_id": request.match_info["sender"]}, status=self.status)


Serve = Callable[..., Awaitable[TestClient]]


@pytest.fixture()
def serve(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    knowledge: Knowledge,
) -> Serve:
    """Serve the web app (and the fake Rasa, if any) on loopback; returns a client of the web app.

    Without ``rasa`` the app talks to the discard port, where nothing listens.
    """

    async def go(rasa: FakeRasa | None = None, feedback_url: str | None = None, **options: Any) -> TestClient:
        if rasa:
            rasa_url = str((await aiohttp_server(rasa.app())).make_url("")).rstrip("/")
        else:
            rasa_url = "http://127.0.0.1:9"
        app = create_app(rasa_url, knowledge=lambda: knowledge, feedback_url=feedback_url, rasa_timeout=10, **options)
        return await aiohttp_client(app)

    return go
