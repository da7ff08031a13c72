"""The console at aiohttp level: the widget's app (no Rasa) with a fresh operational database."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.config import AdminSettings
from bot.kb.types import Knowledge
from bot.ops import accounts
from bot.web.app import create_app

PASSWORDS = {"admin": "Tianhe-2026-guan", "editor": "Tianhe-2026-bian", "viewer": "Tianhe-2026-kan"}
SETTINGS = AdminSettings(cookie_secure=False, session_idle_minutes=60, session_max_hours=12, login_per_min=5)


class Console:
    """A browser on the console: keeps its cookies, fills the CSRF field like the pages do."""

    def __init__(self, client: TestClient):
        self.client = client
        self.token = ""

    async def login(self, name: str, password: str | None = None) -> Any:
        page = await self.client.get("/admin/login")
        token = csrf_of(await page.text())
        password = PASSWORDS[name] if password is None else password
        return await self.client.post(
            "/admin/login",
            data={"csrf_token": token, "name": name, "password": password},
            allow_redirects=False,
        )

    async def page(self, path: str) -> tuple[int, str]:
        response = await self.client.get(path, allow_redirects=False)
        text = await response.text()
        found = re.search(r'name="csrf-token" content="([^"]*)"', text)
        if found and found.group(1):
            self.token = found.group(1)
        return response.status, text

    async def post(self, path: str, data: dict[str, str], csrf: bool = True, **options: Any) -> Any:
        if csrf and not self.token:
            await self.page("/admin/")
        body = {"csrf_token": self.token, **data} if csrf else data
        return await self.client.post(path, data=body, allow_redirects=False, **options)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@pytest.fixture()
def console_app(fresh_ops: str, knowledge: Knowledge):  # type: ignore[no-untyped-def]
    for role, password in PASSWORDS.items():
        accounts.create(role, role, password, actor="test", url=fresh_ops)
    return lambda settings=SETTINGS: create_app(
        "http://127.0.0.1:9", knowledge=lambda: knowledge, admin=settings, ops_url=fresh_ops
    )


@pytest.fixture()
def open_console(
    aiohttp_client: Callable[..., Awaitable[TestClient]], console_app
) -> Callable[..., Awaitable[Console]]:  # type: ignore[no-untyped-def]
    async def go(name: str | None = None, settings: AdminSettings = SETTINGS) -> Console:
        console = Console(await aiohttp_client(console_app(settings)))
        if name:
            response = await console.login(name)
            assert response.status == 303, await response.text()
        return console

    return go
