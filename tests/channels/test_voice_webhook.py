"""Voice end to end: a transcript in, the bot's messages plus speech text out."""

from __future__ import annotations

import io
import json
import re
import uuid

from bot.channels import voice_client
from bot.client import payload_of
from tests.channels.conftest import VOICE_TOKEN


def post(servers, body, token: str | None = VOICE_TOKEN):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return servers.request("POST", "/webhooks/voice/webhook", json.dumps(body).encode(), headers)


def ask(servers, body):
    status, raw = post(servers, body)
    assert status == 200, raw
    return json.loads(raw)


def test_transcript_gets_messages_and_speech_with_the_verdict_first(channel_servers):
    caller = uuid.uuid4().hex[:8]
    sender = f"voice:{caller}"  # the channel files its callers under its own prefix
    asr = {"nbest": ["天河区石牌街道能不能处罚占道经营", "天河区石牌街道能不能处罚站到经营"], "confidence": 0.91}
    reply = ask(channel_servers, {"sender": caller, "message": asr["nbest"][0], "asr": asr})
    assert payload_of(reply)["verdict"] == "yes"
    speech = reply[-1]
    assert set(speech) == {"recipient_id", "speech"} and speech["recipient_id"] == sender
    text = speech["speech"]
    assert text.startswith("可以。") and "综合行政执法办公室" in text
    assert not re.search(r"[《》【】*]", text)
    assert len(text.split("。")[1]) <= 60
    heard = channel_servers.tracker_user_events(sender)
    assert heard[-1]["metadata"]["asr"] == asr


def test_empty_message_falls_back_to_the_best_alternative(channel_servers):
    reply = ask(channel_servers, {"sender": "v2", "message": "", "asr": {"nbest": ["白云区江高镇可以审批宅基地吗"]}})
    assert payload_of(reply)["verdict"] == "yes" and reply[-1]["speech"].startswith("可以。")


def test_nothing_heard_or_too_long_is_said_clearly(channel_servers):
    reply = ask(channel_servers, {"sender": "v3", "message": ""})
    assert reply[-1]["speech"] == "抱歉，我没听清，请再说一遍您的问题。"
    reply = ask(channel_servers, {"sender": "v3", "message": "占道经营" * 1024})
    assert "太长" in reply[-1]["speech"]
    assert (
        channel_servers.request(
            "POST", "/webhooks/voice/webhook", b"[1, 2", {"Authorization": f"Bearer {VOICE_TOKEN}"}
        )[0]
        == 400
    )


def test_example_client_reads_transcripts_from_stdin(channel_servers, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("天河区沙河街道能处罚饭店油烟超标吗\n\n"))
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)
    monkeypatch.setenv("VOICE_TOKEN", VOICE_TOKEN)
    assert voice_client.main(["--url", channel_servers.rasa_url, "missing.wav"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("不可以。") and "没有可用的离线语音识别" in out.err
