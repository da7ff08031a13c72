"""Voice webhook helpers: the asr object and the optional bearer token."""

from __future__ import annotations

from bot.channels.config import VoiceSettings
from bot.channels.voice import asr_metadata, authorized


def test_asr_is_bounded_and_checked():
    assert asr_metadata({"nbest": ["甲", "乙", 3, None, {"x": 1}], "confidence": 0.8}) == {
        "nbest": ["甲", "乙", "3"],
        "confidence": 0.8,
    }
    assert asr_metadata({"nbest": ["x"] * 9, "confidence": 7})["nbest"] == ["x"] * 5
    assert "confidence" not in asr_metadata({"confidence": True})
    assert asr_metadata("nope") is None


def test_token():
    assert authorized("", None)
    assert authorized("s3cret", "Bearer s3cret")
    assert not authorized("s3cret", "Bearer wrong")
    assert not authorized("s3cret", None)


def test_settings():
    assert VoiceSettings.load(env={}) == VoiceSettings("", 0.0)
    assert VoiceSettings.load(env={"VOICE_TOKEN": "t", "VOICE_MIN_CONFIDENCE": "0.4"}) == VoiceSettings("t", 0.4)
    assert VoiceSettings.load(env={"VOICE_MIN_CONFIDENCE": "high"}).min_confidence == 0.0
