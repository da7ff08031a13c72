"""The end-to-end tests talk over Rasa's REST channel to the session's real stack (tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from bot.client import payload_of
from tests.stack import Stack, rest_say


class RestChat:
    """Talks to the running Rasa server over the REST channel, one conversation per instance."""

    def __init__(self, rasa_url: str, metadata: dict[str, Any] | None = None):
        self.rasa_url = rasa_url
        self.sender = f"test-{uuid.uuid4().hex[:10]}"
        self.metadata = metadata

    def say(self, text: str) -> list[dict[str, Any]]:
        return rest_say(self.rasa_url, self.sender, text, self.metadata)


@pytest.fixture()
def chat(stack: Stack) -> RestChat:
    return RestChat(stack.rasa_url)


@pytest.fixture()
def chat_factory(stack: Stack) -> Callable[[dict[str, Any] | None], RestChat]:
    def make(metadata: dict[str, Any] | None = None) -> RestChat:
        return RestChat(stack.rasa_url, metadata)

    return make


@pytest.fixture()
def running_servers(stack: Stack) -> Stack:
    return stack


def answer(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The contract payload of a turn; fails the test when the bot sent none."""
    payload = payload_of(messages)
    assert payload is not None, messages
    return payload
