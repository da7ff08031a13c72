"""A small REST client for the Rasa server (aiohttp)."""

from __future__ import annotations

from typing import Any

import aiohttp


async def send(
    session: aiohttp.ClientSession,
    rasa_url: str,
    sender: str,
    text: str,
    metadata: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Send one message over the REST channel and return the bot's messages."""
    body: dict[str, Any] = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    async with session.post(f"{rasa_url}/webhooks/rest/webhook", json=body) as response:
        response.raise_for_status()
        return await response.json()


def payload_of(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The answer-contract payload among the bot's messages, if any."""
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") in ("power_answer", "clarify", "structural"):
            return custom
    return None


def texts_of(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages if m.get("text")]
