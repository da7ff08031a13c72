"""The real stack for the browser tests: action server, Rasa, the web widget app,
and Debian's headless Chromium driven by Playwright.

Servers and browser start once per session; every test gets a fresh browser
context, so its localStorage (conversation, unit, sender) starts empty.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from bot import servers
from bot.config import PROJECT_ROOT

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


def port(variable: str, preferred: int) -> int:
    """``$variable``, else ``preferred`` when it is free, else any free port (another run may hold it)."""
    if os.environ.get(variable):
        return int(os.environ[variable])
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            return servers.free_port()
    return preferred


@pytest.fixture(scope="session")
def web_stack(kb_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Servers]:
    """Action server, Rasa server and the web app, started by ``bot.servers.start`` as ``make run`` does."""
    log_path = Path(tmp_path_factory.mktemp("web-logs")) / "servers.log"
    action_port = port("TEST_WEB_ACTION_PORT", 17055)
    rasa_port = port("TEST_WEB_RASA_PORT", 17005)
    with open(log_path, "wb") as log:
        try:
            running = servers.start(
                action_port,
                rasa_port,
                log=log,
                env={"KB_DATABASE_URL": kb_url},
                web_port=servers.free_port(),
                timeout=300,
            )
        except servers.ServerError:
            print(log_path.read_text(errors="replace")[-5000:])
            raise
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture(scope="session")
def web_url(web_stack: servers.Servers) -> str:
    assert web_stack.web_url
    return web_stack.web_url


@pytest.fixture(scope="session")
def dead_rasa_web_url(kb_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A web app whose Rasa is down (nothing listens on its port)."""
    web_port = servers.free_port()
    log_path = Path(tmp_path_factory.mktemp("web-dead")) / "web.log"
    env = dict(os.environ, KB_DATABASE_URL=kb_url, PYTHONPATH=str(PROJECT_ROOT))
    dead_rasa = f"http://127.0.0.1:{servers.free_port()}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.web", "--port", str(web_port), "--rasa-url", dead_rasa],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{web_port}"
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
