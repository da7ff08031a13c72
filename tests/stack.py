"""The real servers of a test session: what the tests need to know about them and to ask them."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bot import servers
from bot.client import send


def rest_say(rasa_url: str, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One user turn over Rasa's REST channel; the bot's messages."""

    async def go() -> list[dict[str, Any]]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            return await send(session, rasa_url, sender, text, metadata)

    return asyncio.run(go())


@dataclass(frozen=True)
class Stack:
    """The running servers of the session, their shared log and their knowledge base."""

    servers: servers.Servers
    log_path: Path
    kb_url: str

    @property
    def rasa_url(self) -> str:
        return self.servers.rasa_url

    @property
    def web_url(self) -> str:
        assert self.servers.web_url, "the stack was started without the web app"
        return self.servers.web_url

    @property
    def rasa_token(self) -> str:
        """The token of Rasa's HTTP API (trackers, /status): ``?token=``."""
        return self.servers.rasa_token

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tracker_texts(self, sender: str) -> list[str | None]:
        """What the bot heard from a user, from Rasa's HTTP API."""
        return [e.get("text") for e in self.tracker_user_events(sender)]

    def tracker_user_events(self, sender: str) -> list[dict[str, Any]]:
        url = f"{self.rasa_url}/conversations/{urllib.parse.quote(sender, safe=':')}/tracker?token={self.rasa_token}"
        with urllib.request.urlopen(url, timeout=30) as response:
            events = json.loads(response.read())["events"] or []
        return [e for e in events if e.get("event") == "user"]

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """A raw HTTP request to Rasa; status and body, errors included.

        The HTTP API (not the webhooks) gets the token.
        """
        if not path.startswith("/webhooks/"):
            path += ("&" if "?" in path else "?") + f"token={self.rasa_token}"
        req = urllib.request.Request(f"{self.rasa_url}{path}", data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


def _port(variable: str) -> int:
    """``$variable`` when set (to debug against known ports), else a free one: tests may run beside ``make run``."""
    return int(os.environ.get(variable) or servers.free_port())


@contextmanager
def start_stack(kb_url: str, env: dict[str, str], log_path: Path) -> Iterator[Stack]:
    """Action server, Rasa and the web app, started by ``bot.servers.start`` as ``make run`` does, warmed up."""
    with open(log_path, "wb") as log:
        try:
            running = servers.start(
                _port("TEST_ACTION_PORT"),
                _port("TEST_RASA_PORT"),
                log=log,
                # A fresh conversation store per run, unless the environment names one (CI's PostgreSQL).
                env={
                    "KB_DATABASE_URL": kb_url,
                    "TRACKER_STORE_URL": os.environ.get("TRACKER_STORE_URL")
                    or f"sqlite:///{log_path.parent}/tracker.sqlite3",
                    **env,
                },
                web_port=_port("TEST_WEB_PORT"),
                timeout=300,
            )
        except servers.ServerError:
            print(log_path.read_text(errors="replace")[-5000:])
            raise
        try:
            rest_say(running.rasa_url, "test-warm-up", "你好")  # load the model and the knowledge cache
            yield Stack(running, log_path, kb_url)
        finally:
            running.stop()
