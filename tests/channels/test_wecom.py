"""WeCom signatures, crypto and XML, against the official sample vectors; the API client against the fake."""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import time

import pytest

from bot.channels import wecom, wecom_crypto
from bot.channels.config import WeComSettings
from bot.channels.errors import MalformedMessage, ReceiverMismatch, SendFailed, SignatureInvalid
from bot.channels.inbox import RetryPolicy
from bot.channels.render import Outgoing
from tests.channels.conftest import AES_KEY, CORP_ID, TOKEN, wecom_post

# URL verification vector of WeCom's callback documentation and sample code.
VERIFY = {
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
}
# Message vector of the official sample code (DecryptMsg).
MESSAGE_SIG = "477715d11cdb4164915debcba66cb864d751f3e6"
MESSAGE_TS = "1409659813"
MESSAGE_NONCE = "1372623149"
MESSAGE_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3"
    "TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gs"
    "ijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUa"
    "x5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIG"
    "HBZZIs2pDBS8R07+qN+E7Q=="
)
SETTINGS = WeComSettings(CORP_ID, TOKEN, AES_KEY, "218", "test-secret", max_skew_s=0)


def test_official_url_verification_vector():
    assert wecom.signature(TOKEN, VERIFY["timestamp"], VERIFY["nonce"], VERIFY["echostr"]) == VERIFY["msg_signature"]
    assert wecom.verify_signature(
        TOKEN, VERIFY["timestamp"], VERIFY["nonce"], VERIFY["echostr"], VERIFY["msg_signature"], max_skew_s=0
    )
    assert wecom.decrypt(AES_KEY, VERIFY["echostr"], CORP_ID) == "1616140317555161061"


def test_official_message_vector():
    assert wecom.verify_signature(TOKEN, MESSAGE_TS, MESSAGE_NONCE, MESSAGE_ENCRYPT, MESSAGE_SIG, max_skew_s=0)
    fields = wecom.parse_xml(wecom.decrypt(AES_KEY, MESSAGE_ENCRYPT, CORP_ID))
    assert fields["FromUserName"] == "mycreate" and fields["Content"] == "hello"
    assert fields["MsgId"] == "4561255354251345929" and fields["AgentID"] == "218"


def test_the_channel_accepts_the_official_message_when_the_window_is_off():
    channel = wecom.WeComInput(SETTINGS)
    body = f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{MESSAGE_ENCRYPT}]]></Encrypt></xml>"
    args = {"msg_signature": MESSAGE_SIG, "timestamp": MESSAGE_TS, "nonce": MESSAGE_NONCE}
    message = channel.accept(args, body.encode())
    assert message is not None
    assert (message.user_id, message.text, message.msg_id) == ("mycreate", "hello", "4561255354251345929")
    assert channel.verify_url(VERIFY) == "1616140317555161061"


def test_the_2014_vectors_are_stale_with_the_default_window():
    assert not wecom.verify_signature(
        TOKEN, VERIFY["timestamp"], VERIFY["nonce"], VERIFY["echostr"], VERIFY["msg_signature"]
    )
    channel = wecom.WeComInput(WeComSettings(CORP_ID, TOKEN, AES_KEY, "218", "s"))  # default 300 s
    with pytest.raises(SignatureInvalid):
        channel.verify_url(VERIFY)


def test_window_accepts_recent_and_rejects_old_or_future_timestamps():
    now = 1_800_000_000
    for offset, ok in ((0, True), (-299, True), (299, True), (-301, False), (301, False)):
        ts = str(now + offset)
        sig = wecom.signature(TOKEN, ts, "n", "enc")
        assert wecom.verify_signature(TOKEN, ts, "n", "enc", sig, now=now, max_skew_s=300) is ok, offset
    old = str(now - 10**6)
    assert wecom.verify_signature(
        TOKEN, old, "n", "enc", wecom.signature(TOKEN, old, "n", "enc"), now=now, max_skew_s=0
    )


def test_wrong_signature_token_or_garbage_is_rejected():
    ts, nonce, enc = VERIFY["timestamp"], VERIFY["nonce"], VERIFY["echostr"]
    good = VERIFY["msg_signature"]
    assert not wecom.verify_signature(TOKEN, ts, nonce, enc, "0" * 40, max_skew_s=0)
    assert not wecom.verify_signature("other", ts, nonce, enc, good, max_skew_s=0)
    assert not wecom.verify_signature(TOKEN, ts, nonce, enc + "x", good, max_skew_s=0)
    assert not wecom.verify_signature(TOKEN, "not-a-number", nonce, enc, good)
    assert not wecom.verify_signature(TOKEN, ts, nonce, enc, "", max_skew_s=0)
    assert not wecom.verify_signature(TOKEN, ts, nonce, enc, "签名", max_skew_s=0)


def test_encrypt_decrypt_round_trip_with_chinese_and_block_edges():
    for text in ("", "a", "天河区石牌街道能不能处罚占道经营", "x" * 11, "y" * 12, "字" * 2000):
        assert wecom.decrypt(AES_KEY, wecom.encrypt(AES_KEY, text, CORP_ID), CORP_ID) == text


def test_padding_is_pkcs7_to_32_bytes():
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = wecom_crypto.aes_key_bytes(AES_KEY)
    for length, pad in ((26, 32), (27, 31), (25, 1)):  # 16 + 4 + text + 18-byte CorpID
        data = base64.b64decode(wecom.encrypt(AES_KEY, "x" * length, CORP_ID))
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        assert len(plain) % 32 == 0 and plain[-pad:] == bytes([pad]) * pad, length


def test_wrong_corp_id_is_refused():
    ciphertext = wecom.encrypt(AES_KEY, "hello", "wx0000000000000000")
    with pytest.raises(ReceiverMismatch):
        wecom.decrypt(AES_KEY, ciphertext, CORP_ID)


@pytest.mark.parametrize(
    ("ciphertext", "reason"),
    [("", "not a whole number"), ("not base64 !!", "not base64"), ("QUJD", "not a whole number")],
)
def test_ciphertext_that_is_not_base64_blocks_is_refused_before_decrypting(ciphertext, reason):
    with pytest.raises(MalformedMessage, match=reason):
        wecom.decrypt(AES_KEY, ciphertext, CORP_ID)


def _plain(text: bytes, receive_id: bytes = CORP_ID.encode(), length: int | None = None) -> bytes:
    """A plaintext as WeCom lays it out, not yet padded."""
    return os.urandom(16) + struct.pack(">I", len(text) if length is None else length) + text + receive_id


def _padded(plain: bytes) -> bytes:
    pad = 32 - len(plain) % 32
    return plain + bytes([pad]) * pad


# Ciphertexts of the right key, valid base64 and whole blocks: decryption succeeds and only the
# checks on the plaintext can refuse them, each for its own reason (the webhook answers all alike).
PADDING_ORACLE_PROBES = {
    "pad byte 0": (b"x" * 63 + b"\x00", "bad padding"),
    "pad byte above 32": (b"y" * 63 + b"\x21", "bad padding"),
    "pad bytes disagree": (b"z" * 60 + b"\x01\x04\x04\x04", "bad padding"),
    "nothing but padding": (bytes([32]) * 32, "plaintext too short"),
    "length field past the end": (_padded(_plain(b"hello", length=5000)), "length field beyond"),
    "not UTF-8": (_padded(_plain(b"\xff\xfe\xfd")), "not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(PADDING_ORACLE_PROBES))
def test_corrupt_plaintexts_reach_the_padding_and_length_checks(case):
    plain, reason = PADDING_ORACLE_PROBES[case]
    ciphertext = wecom_crypto.encrypt_raw(AES_KEY, plain)
    assert len(base64.b64decode(ciphertext)) % 16 == 0  # passes the checks before decryption
    with pytest.raises(MalformedMessage, match=reason):
        wecom.decrypt(AES_KEY, ciphertext, CORP_ID)


def test_a_well_padded_message_for_another_receiver_is_a_mismatch_not_malformed():
    ciphertext = wecom_crypto.encrypt_raw(AES_KEY, _padded(_plain(b"hello", receive_id=b"wx0000000000000000")))
    with pytest.raises(ReceiverMismatch):
        wecom.decrypt(AES_KEY, ciphertext, CORP_ID)
    assert wecom.decrypt(AES_KEY, wecom_crypto.encrypt_raw(AES_KEY, _padded(_plain(b"hello"))), CORP_ID) == "hello"


def test_bad_aes_key_is_refused():
    with pytest.raises(MalformedMessage):
        wecom.encrypt("short", "x", CORP_ID)


def test_xml_with_doctype_or_entities_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        "<xml><Encrypt>&lol2;</Encrypt></xml>"
    )
    external = '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Encrypt>&x;</Encrypt></xml>'
    for body in (bomb, external, "<xml><Encrypt>", "", "not xml"):
        with pytest.raises(MalformedMessage):
            wecom.parse_xml(body)
    assert wecom.parse_xml("<xml><A><![CDATA[ 你好 ]]></A><B>1</B></xml>") == {"A": "你好", "B": "1"}


def test_accept_rejects_tampering_and_reads_fresh_messages():
    channel = wecom.WeComInput(WeComSettings(CORP_ID, TOKEN, AES_KEY, "218", "s"))
    query, body = wecom_post("天河区石牌街道能不能处罚占道经营", "zhangsan", msg_id="42")
    args = dict(part.split("=", 1) for part in query.split("&"))
    message = channel.accept(args, body)
    assert message is not None and (message.user_id, message.msg_id) == ("zhangsan", "42")
    assert message.text == "天河区石牌街道能不能处罚占道经营" and message.channel == "wecom"

    with pytest.raises(SignatureInvalid):
        channel.accept({**args, "msg_signature": "0" * 40}, body)
    with pytest.raises(SignatureInvalid):
        channel.accept({**args, "nonce": "1"}, body)
    stale_query, stale_body = wecom_post("hi", "zhangsan", timestamp=int(time.time()) - 301)
    with pytest.raises(SignatureInvalid):
        channel.accept(dict(p.split("=", 1) for p in stale_query.split("&")), stale_body)
    other_query, other_body = wecom_post("hi", "zhangsan", receive_id="wx0000000000000000")
    with pytest.raises(ReceiverMismatch):
        channel.accept(dict(p.split("=", 1) for p in other_query.split("&")), other_body)


def test_directory_unit_goes_into_metadata(monkeypatch):
    monkeypatch.setenv("WECOM_USER_UNITS", '{"zhangsan": "天河区石牌街道"}')
    channel = wecom.WeComInput(WeComSettings(CORP_ID, TOKEN, AES_KEY, "218", "s"))
    query, body = wecom_post("我们能不能处罚占道经营", "zhangsan")
    message = channel.accept(dict(p.split("=", 1) for p in query.split("&")), body)
    assert message is not None and message.metadata["unit"] == "天河区石牌街道"
    query, body = wecom_post("我们能不能处罚占道经营", "lisi")
    message = channel.accept(dict(p.split("=", 1) for p in query.split("&")), body)
    assert message is not None and "unit" not in message.metadata


def test_non_text_messages_get_a_notice_and_events_are_ignored():
    channel = wecom.WeComInput(WeComSettings(CORP_ID, TOKEN, AES_KEY, "218", "s"))
    query, body = wecom_post("", "zhangsan", msg_type="image")
    message = channel.accept(dict(p.split("=", 1) for p in query.split("&")), body)
    assert message is not None and message.text_only_notice
    query, body = wecom_post("", "zhangsan", msg_type="event")
    assert channel.accept(dict(p.split("=", 1) for p in query.split("&")), body) is None


def test_settings_name_what_is_missing():
    assert WeComSettings.load(env={}).missing == [
        "WECOM_CORP_ID",
        "WECOM_TOKEN",
        "WECOM_AES_KEY",
        "WECOM_AGENT_ID",
        "WECOM_SECRET",
    ]
    settings = WeComSettings.load({"token": "from-credentials"}, env={"WECOM_TOKEN": "env", "WECOM_MAX_SKEW_S": "0"})
    assert settings.token == "from-credentials" and settings.max_skew_s == 0
    assert settings.api_base == "https://qyapi.weixin.qq.com"


# ---- the API client against the fake platform ---------------------------------------------------


def _api(platform, attempts=3, timeout_s=10.0):
    settings = WeComSettings(
        CORP_ID, TOKEN, AES_KEY, "1000002", "test-secret", api_base=platform.url, http_timeout_s=timeout_s
    )
    return wecom.WeComApi(settings, RetryPolicy(attempts=attempts, base_delay_s=0.01))


def test_api_caches_the_token_and_refreshes_it_when_expired(platform):
    async def go():
        api = _api(platform)
        try:
            calls = platform.token_calls
            await api.send("u-token", Outgoing("text", "一"))
            await api.send("u-token", Outgoing("text", "二"))
            assert platform.token_calls == calls + 1
            platform.expire_token_next = 1
            await api.send("u-token", Outgoing("text", "三"))
            assert platform.token_calls == calls + 2
        finally:
            await api.close()

    asyncio.run(go())
    sent = platform.to_user("u-token")
    assert [m["text"]["content"] for m in sent] == ["一", "二", "三"]
    assert sent[0]["agentid"] == 1000002 and sent[0]["msgtype"] == "text"
    assert sent[0]["_token"] == sent[1]["_token"] != sent[2]["_token"]


def test_api_splits_long_text_at_2048_bytes(platform):
    text = "\n".join(f"第{i}行：" + "权责清单" * 30 for i in range(40))

    async def go():
        api = _api(platform)
        try:
            await api.send("u-split", Outgoing("markdown", text))
        finally:
            await api.close()

    asyncio.run(go())
    pieces = [m["markdown"]["content"] for m in platform.to_user("u-split")]
    assert len(pieces) > 1 and all(len(p.encode()) <= 2048 for p in pieces)
    assert "\n".join(pieces) == text


def test_api_retries_then_gives_up(platform):
    async def go(user):
        api = _api(platform)
        try:
            await api.send(user, Outgoing("text", "重试"))
        finally:
            await api.close()

    platform.fail_next = 2
    asyncio.run(go("u-retry"))
    assert platform.failures == 2 and len(platform.to_user("u-retry")) == 1
    platform.fail_always = True
    with pytest.raises(SendFailed):
        asyncio.run(go("u-down"))
    assert platform.to_user("u-down") == []


def test_a_hanging_platform_times_out_is_retried_then_fails(platform):
    """On Python 3.10 aiohttp's timeout is asyncio.TimeoutError, not the built-in TimeoutError."""

    async def go():
        api = _api(platform, attempts=3, timeout_s=0.3)
        await api.access_token()  # the token endpoint answers; only sending hangs
        platform.hang_s = 1.0
        try:
            await api.send("u-hang", Outgoing("text", "超时"))
        finally:
            await api.close()

    started = time.monotonic()
    with pytest.raises(SendFailed, match="3 attempts failed, last: TimeoutError"):
        asyncio.run(go())
    assert platform.hangs == 3 and platform.to_user("u-hang") == []
    assert time.monotonic() - started < 2.5  # each attempt gave up after 0.3 s, not after the platform's 1 s
    time.sleep(1.0)  # let the hung requests end before the fake platform is stopped


def test_http_timeout_is_configurable():
    assert WeComSettings.load(env={}).http_timeout_s == 10.0
    assert WeComSettings.load(env={"WECOM_HTTP_TIMEOUT_S": "2.5"}).http_timeout_s == 2.5
    assert WeComSettings.load(env={"WECOM_HTTP_TIMEOUT_S": "-1"}).http_timeout_s == 10.0
