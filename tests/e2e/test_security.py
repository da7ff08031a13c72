"""Rasa's HTTP API is locked behind its token; the REST channel still answers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot.client import payload_of


def call(method: str, url: str, body: object = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


CONTROL = [
    ("GET", "/conversations/{sender}/tracker", None),
    ("GET", "/conversations/{sender}/story", None),
    ("PUT", "/conversations/{sender}/tracker/events", []),
    ("POST", "/conversations/{sender}/tracker/events", {"event": "slot", "name": "unit", "value": "白云区江高镇"}),
    ("PUT", "/model", {"model_file": "/tmp/evil.tar.gz"}),
    ("DELETE", "/model", None),
    ("POST", "/model/train", {}),
    ("POST", "/model/parse", {"text": "你好"}),
    ("GET", "/status", None),
    ("GET", "/domain", None),
]


@pytest.mark.parametrize("suffix", ["", "?token=wrong"], ids=["no-token", "wrong-token"])
def test_the_http_api_refuses_requests_without_the_token(chat, running_servers, suffix):
    first = payload_of(chat.say("石牌街道能不能处罚占道经营"))
    assert first["verdict"] == "yes"  # the REST channel answers without any token
    for method, path, body in CONTROL:
        status, raw = call(method, running_servers.rasa_url + path.format(sender=chat.sender) + suffix, body)
        assert status == 401, (method, path, raw[:200])
    # nothing was changed: the conversation and the model are as they were
    status, raw = call(
        "GET", f"{running_servers.rasa_url}/conversations/{chat.sender}/tracker?token={running_servers.rasa_token}"
    )
    assert status == 200
    tracker = json.loads(raw)
    assert tracker["slots"]["unit"] == "天河区石牌街道"
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["石牌街道能不能处罚占道经营"]
    assert payload_of(chat.say("那法律依据呢"))["item"]["code"] == first["item"]["code"]


def test_no_cors_for_browsers(running_servers):
    request = urllib.request.Request(
        running_servers.rasa_url + "/webhooks/rest/webhook",
        method="OPTIONS",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            headers = response.headers
    except urllib.error.HTTPError as exc:
        headers = exc.headers
    assert "Access-Control-Allow-Origin" not in headers
