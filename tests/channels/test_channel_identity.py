"""Who is asking, end to end: voice and REST callers cannot act as another channel's user.

Against the real Rasa and action servers (the channel_servers fixture). The
victim is a WeCom user whose unit an admin set; the attacker calls the voice
webhook or the REST channel claiming to be them.
"""

from __future__ import annotations

import io
import json
import uuid

import pytest

from bot import users
from bot.channels import voice_client
from tests.channels.conftest import VOICE_SENDER_PER_MIN
from tests.channels.test_voice_webhook import ask, post

QUESTION = "我们能审批宅基地吗"


@pytest.fixture()
def victim(channel_servers) -> str:
    sender = f"wecom:victim-{uuid.uuid4().hex[:8]}"
    users.remember(sender, "天河区石牌街道", "admin")
    return sender


def rest(servers, body: dict) -> tuple[int, dict | list]:
    status, raw = servers.request(
        "POST", "/webhooks/rest/webhook", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    return status, json.loads(raw)


def test_voice_caller_cannot_speak_as_a_wecom_user(channel_servers, victim: str):
    status, raw = post(channel_servers, {"sender": victim, "message": QUESTION, "metadata": {"unit": "白云区江高镇"}})
    assert status == 403 and "其他通道" in json.loads(raw)["error"]
    assert channel_servers.tracker_user_events(victim) == []
    assert users.unit_of(victim) == "天河区石牌街道"


def test_rest_caller_cannot_speak_as_a_wecom_user_nor_claim_its_channel(channel_servers, victim: str):
    status, body = rest(channel_servers, {"sender": victim, "message": QUESTION, "metadata": {"unit": "白云区江高镇"}})
    assert status == 403 and "REST" in body["error"]
    assert channel_servers.tracker_user_events(victim) == []
    assert users.unit_of(victim) == "天河区石牌街道"
    # nor a web: id (only the widget's server, holding Rasa's token, may relay those)
    assert rest(channel_servers, {"sender": "web:0123456789abcdef", "message": QUESTION})[0] == 403
    # a plain REST id works, and says it came over REST whatever the caller claims
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    status, _ = rest(channel_servers, {"sender": sender, "message": "你好", "input_channel": "wecom"})
    assert status == 200
    [heard] = channel_servers.tracker_user_events(sender)
    assert heard["input_channel"] == "rest"


def test_voice_metadata_carries_only_the_unit(channel_servers):
    caller = uuid.uuid4().hex[:8]
    ask(
        channel_servers,
        {
            "sender": caller,
            "message": "你好",
            "metadata": {"unit": "白云区江高镇", "channel": "wecom", "sender": "wecom:x"},
        },
    )
    [heard] = channel_servers.tracker_user_events(f"voice:{caller}")
    assert heard["metadata"]["unit"] == "白云区江高镇"
    assert "channel" not in heard["metadata"] and "sender" not in heard["metadata"]  # Rasa adds model_id etc.


def test_anonymous_voice_callers_each_get_their_own_conversation(channel_servers):
    first = ask(channel_servers, {"message": "你好"})[-1]["recipient_id"]
    second = ask(channel_servers, {"message": "你好"})[-1]["recipient_id"]
    assert first.startswith("voice:anon-") and second.startswith("voice:anon-") and first != second
    # a caller continues its conversation by sending back the id it was given
    assert ask(channel_servers, {"sender": first, "message": "谢谢"})[-1]["recipient_id"] == first
    assert [e["text"] for e in channel_servers.tracker_user_events(first)] == ["你好", "谢谢"]
    assert [e["text"] for e in channel_servers.tracker_user_events(second)] == ["你好"]


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["no-token", "wrong-token"])
def test_voice_without_the_token_is_401_and_never_reaches_the_bot(channel_servers, token):
    caller = uuid.uuid4().hex[:8]
    status, raw = post(channel_servers, {"sender": caller, "message": QUESTION}, token=token)
    assert status == 401 and json.loads(raw) == {"error": "unauthorized"}
    assert channel_servers.tracker_user_events(f"voice:{caller}") == []


def test_the_example_client_says_what_is_wrong_with_its_token(channel_servers, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(QUESTION + "\n"))
    monkeypatch.setenv("VOICE_TOKEN", "wrong-token")
    assert voice_client.main(["--url", channel_servers.rasa_url]) == 1
    err = capsys.readouterr().err
    assert "HTTP 401" in err and "VOICE_TOKEN" in err


def test_a_voice_caller_asking_too_often_gets_429_in_chinese(channel_servers):
    caller = uuid.uuid4().hex[:8]
    # empty transcripts are answered by the channel itself: the limit is what is measured
    for _ in range(VOICE_SENDER_PER_MIN):
        assert post(channel_servers, {"sender": caller, "message": ""})[0] == 200
    status, raw = post(channel_servers, {"sender": caller, "message": ""})
    assert status == 429 and json.loads(raw)["error"].startswith("请求太频繁")
    assert post(channel_servers, {"sender": uuid.uuid4().hex[:8], "message": ""})[0] == 200  # others go on
