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
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import servers
from bot.config import PROJECT_ROOT
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
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
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
