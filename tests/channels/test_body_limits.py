"""Request bodies are refused before they are read in full, with a clear 413."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

import pytest

from bot.channels import limits
from tests.channels.conftest import VOICE_TOKEN

WEBHOOKS = [
    "/webhooks/wecom/webhook?msg_signature=x&timestamp=1&nonce=1",
    "/webhooks/dingtalk/webhook",
    "/webhooks/voice/webhook",
]
# The voice webhook answers 401 before anything else to callers without its token: send it, so the size is what fails.
AUTH = f"Authorization: Bearer {VOICE_TOKEN}\r\n"


def _exchange(rasa_url: str, head: str, body: bytes = b"", timeout: float = 5.0) -> tuple[int, str, float]:
    """Send a raw request (its head, then part of the body) and read the answer without sending the rest."""
    parts = urlsplit(rasa_url)
    started = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(head.encode() + body)
        received = b""
        while b"\r\n\r\n" not in received or len(received.split(b"\r\n\r\n", 1)[1]) < _length(received):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    status = int(received.split(b" ", 2)[1])
    answer = received.split(b"\r\n\r\n", 1)[1].decode("utf-8", "replace")
    if answer.startswith("{"):
        answer = json.loads(answer).get("error", answer)
    return status, answer, time.monotonic() - started


def _length(received: bytes) -> int:
    for line in received.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


@pytest.mark.parametrize("path", WEBHOOKS)
def test_a_declared_10_mb_body_is_refused_before_it_is_sent(channel_servers, path):
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\n{AUTH}Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"
    )
    status, answer, seconds = _exchange(channel_servers.rasa_url, head, b"{")
    assert status == 413 and limits.too_large_text() in answer
    assert seconds < 3  # answered without waiting for the 10 MB that never come


@pytest.mark.parametrize("path", WEBHOOKS)
def test_a_chunked_body_is_cut_off_at_the_limit(channel_servers, path):
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\n{AUTH}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"x" * 16384
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5))  # 80 KB, no final chunk
    status, answer, _ = _exchange(channel_servers.rasa_url, head, body)
    assert status == 413 and limits.too_large_text() in answer


def test_the_rest_channel_and_api_are_capped_by_sanic(channel_servers):
    head = "POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"
    status, _, seconds = _exchange(channel_servers.rasa_url, head, b"{")
    assert status == 413 and seconds < 3  # Sanic's default would wait for 100 MB
    ok = '{"sender": "limits-user", "message": "你好"}'.encode()
    head = f"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: {len(ok)}\r\nConnection: close\r\n\r\n"
    status, answer, _ = _exchange(channel_servers.rasa_url, head, ok, timeout=60)
    assert status == 200 and "limits-user" in answer
