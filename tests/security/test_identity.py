"""Who is asking: conversation ids namespaced per channel (bot.identity)."""

from __future__ import annotations

import pytest

from bot import identity
from bot.identity import IdentityError, bearer_matches, channel_of, rest_sender, sender_id


def test_a_channel_files_its_callers_under_its_own_prefix():
    assert sender_id("voice", "desk-3") == "voice:desk-3"
    assert sender_id("voice", "voice:desk-3") == "voice:desk-3"  # the recipient_id sent back
    assert sender_id("web", "Ab12_cd-34") == "web:Ab12_cd-34"


@pytest.mark.parametrize("given", ["wecom:zhangsan", "dingtalk:manager1", "web:abc", "voice:wecom:zhangsan", "x:y"])
def test_another_channels_user_cannot_be_named(given: str):
    with pytest.raises(IdentityError, match="其他通道"):
        sender_id("voice", given)


@pytest.mark.parametrize("given", ["有空格 的id", "a" * 65, "a/b", 42])
def test_malformed_ids_are_refused(given: object):
    with pytest.raises(IdentityError):
        sender_id("voice", given)


def test_anonymous_callers_never_share_a_conversation():
    first, second = sender_id("voice", None), sender_id("voice", "")
    assert first.startswith("voice:anon-") and second.startswith("voice:anon-") and first != second
    assert rest_sender(None) != rest_sender(None)


def test_rest_keeps_plain_ids_and_refuses_every_channel_prefix():
    assert rest_sender("u1") == "u1"
    assert rest_sender("cli-1a2b3c4d") == "cli-1a2b3c4d"
    for given in ("wecom:zhangsan", "dingtalk:0123", "voice:desk-3", "web:abcdefgh"):
        with pytest.raises(IdentityError, match="REST"):
            rest_sender(given)


def test_only_the_widgets_server_may_relay_web_ids():
    assert rest_sender("web:abcdefgh", relayed_by_web=True) == "web:abcdefgh"
    with pytest.raises(IdentityError):
        rest_sender("wecom:zhangsan", relayed_by_web=True)  # the relay speaks for web users only


def test_channel_of():
    assert [channel_of(s) for s in ("wecom:a", "dingtalk:b", "voice:c", "web:d", "u1", "odd:e")] == [
        identity.WECOM,
        identity.DINGTALK,
        identity.VOICE,
        identity.WEB,
        identity.REST,
        identity.REST,
    ]


def test_bearer_matches():
    assert bearer_matches("s3cret", "Bearer s3cret")
    assert not bearer_matches("s3cret", "Bearer s3cre")
    assert not bearer_matches("s3cret", None)
    assert not bearer_matches("", "Bearer ")  # an unset secret never lets anyone in
