"""Start the real action server and Rasa server once for the end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot import servers
from bot.client import send


class RestChat:
    """Talks to the running Rasa server over the REST channel, one conversation per instance."""

    def __init__(self, rasa_url: str, metadata: dict[str, Any] | None = None):
        self.rasa_url = rasa_url
        self.sender = f"test-{uuid.uuid4().hex[:10]}"
        self.metadata = metadata

    def say(self, text: str) -> list[dict[str, Any]]:
        async def go() -> list[dict[str, Any]]:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
                return await send(session, self.rasa_url, self.sender, text, self.metadata)

        return asyncio.run(go())


@pytest.fixture(scope="session")
def running_servers(kb_url: str, tmp_path_factory: pytest.TempPathFactory):
    log_path = Path(tmp_path_factory.mktemp("logs")) / "servers.log"
    # Free ports: tests may run beside `make run` or another test session.
    action_port = int(os.environ.get("TEST_ACTION_PORT") or servers.free_port())
    rasa_port = int(os.environ.get("TEST_RASA_PORT") or servers.free_port())
    with open(log_path, "wb") as log:
        try:
            running = servers.start(action_port, rasa_port, log=log, env={"KB_DATABASE_URL": kb_url})
        except servers.ServerError:
            print(log_path.read_text(errors="replace")[-5000:])
            raise
        try:
            RestChat(running.rasa_url).say("你好")  # warm up the model and the knowledge cache
            yield running
        finally:
            running.stop()


@pytest.fixture()
def chat(running_servers) -> RestChat:
    return RestChat(running_servers.rasa_url)


@pytest.fixture()
def chat_factory(running_servers):
    def make(metadata: dict[str, Any] | None = None) -> RestChat:
        return RestChat(running_servers.rasa_url, metadata)

    return make
