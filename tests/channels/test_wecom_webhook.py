"""WeCom end to end: signed, encrypted callbacks into the real servers, replies into the fake WeCom API."""

from __future__ import annotations

import os
import struct
import time
import uuid

from bot.channels import dedup, wecom, wecom_crypto
from tests.channels.conftest import AES_KEY, CORP_ID, HTTP_TIMEOUT_S, TOKEN, UNIT_USER, wait_for, wecom_post

QUESTION = "天河区石牌街道能不能处罚占道经营"
FOLLOW_UP = "白云区江高镇可以审批宅基地吗"


def post(servers, query, body):
    return servers.request("POST", f"/webhooks/wecom/webhook?{query}", body, {"Content-Type": "text/xml"})


def contents(messages):
    return [m[m["msgtype"]]["content"] for m in messages]


def user():
    return f"wc-{uuid.uuid4().hex[:10]}"


def test_url_verification_echoes_the_decrypted_echostr(channel_servers):
    ts, nonce = str(int(time.time())), "12345"
    echostr = wecom.encrypt(AES_KEY, "8899001122", CORP_ID)
    sig = wecom.signature(TOKEN, ts, nonce, echostr)
    from urllib.parse import quote

    query = f"msg_signature={sig}&timestamp={ts}&nonce={nonce}&echostr={quote(echostr)}"
    assert channel_servers.request("GET", f"/webhooks/wecom/webhook?{query}") == (200, b"8899001122")
    bad = f"msg_signature={'0' * 40}&timestamp={ts}&nonce={nonce}&echostr={quote(echostr)}"
    assert channel_servers.request("GET", f"/webhooks/wecom/webhook?{bad}")[0] == 403


def test_question_is_answered_with_a_card_to_the_user(channel_servers, platform):
    who = user()
    status, body = post(channel_servers, *wecom_post(QUESTION, who))
    assert (status, body) == (200, b"")
    sent = wait_for(lambda: platform.to_user(who))
    assert sent[0]["msgtype"] == "markdown" and sent[0]["agentid"] == 1000002
    card = contents(sent)[0]
    assert card.startswith("**结论：可以**") and "综合行政执法办公室" in card and "城市道路管理条例" in card


def test_the_directory_supplies_the_unit(channel_servers, platform):
    post(channel_servers, *wecom_post("我们能不能处罚占道经营", UNIT_USER))
    card = contents(wait_for(lambda: platform.to_user(UNIT_USER)))[0]
    assert card.startswith("**结论：可以**") and "天河区石牌街道" in card


def test_the_same_msg_id_twice_is_answered_once(channel_servers, platform):
    who, msg_id = user(), str(uuid.uuid4().int >> 64)
    first = wecom_post(QUESTION, who, msg_id=msg_id)
    again = wecom_post(QUESTION, who, msg_id=msg_id)  # WeCom's retry: new nonce, same MsgId
    assert post(channel_servers, *first)[0] == 200
    assert post(channel_servers, *again)[0] == 200  # while the first is in flight
    wait_for(lambda: dedup.status_of("wecom", msg_id) == (dedup.REPLIED, ""))
    assert post(channel_servers, *wecom_post(QUESTION, who, msg_id=msg_id))[0] == 200  # after it was answered
    # A later question of the same user is answered after anything the retries could have started
    # (Rasa takes one user's messages in order): once its reply is in, a second one would be too.
    post(channel_servers, *wecom_post(FOLLOW_UP, who))
    wait_for(lambda: len(platform.to_user(who)) >= 2 and "公共服务办公室" in contents(platform.to_user(who))[-1])
    time.sleep(1.0)
    assert channel_servers.tracker_texts("wecom:" + who) == [QUESTION, FOLLOW_UP]
    assert len(platform.to_user(who)) == 2


def rejected(servers, query, body, expected_status, reason):
    """Post, and check the status and that the server logged this very rejection."""
    before = len(servers.log())
    status, answer = post(servers, query, body)
    assert status == expected_status, (status, answer)
    wait_for(lambda: "wecom: rejected POST" in servers.log()[before:], timeout=5)
    logged = servers.log()[before:]
    assert reason in logged, logged
    return answer


def test_bad_signature_wrong_corp_and_stale_requests_are_refused_and_not_processed(channel_servers, platform):
    who = user()
    query, body = wecom_post(QUESTION, who)
    forged = query.replace(query.split("&")[0], "msg_signature=" + "0" * 40)
    signature_reason = "bad msg_signature or timestamp outside the window"
    rejected(channel_servers, forged, body, 403, signature_reason)
    rejected(channel_servers, *wecom_post(QUESTION, who, token="other-token"), 403, signature_reason)
    rejected(channel_servers, *wecom_post(QUESTION, who, timestamp=int(time.time()) - 3600), 403, signature_reason)
    other_corp = wecom_post(QUESTION, who, receive_id="wx0000000000000000")
    rejected(channel_servers, *other_corp, 403, "message is for another CorpID")
    rejected(channel_servers, query, b"<xml><Encrypt>", 400, "XML refused: ParseError")
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>'
    rejected(channel_servers, query, bomb, 400, "XML refused: DTDForbidden")
    assert channel_servers.tracker_texts("wecom:" + who) == []
    assert platform.to_user(who) == []


def signed(ciphertext: str) -> tuple[str, bytes]:
    """A correctly signed callback around any ciphertext."""
    ts, nonce = str(int(time.time())), "424242"
    sig = wecom.signature(TOKEN, ts, nonce, ciphertext)
    body = f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{ciphertext}]]></Encrypt></xml>"
    return f"msg_signature={sig}&timestamp={ts}&nonce={nonce}", body.encode()


def test_corrupt_ciphertexts_reach_the_padding_checks_and_all_look_alike(channel_servers, platform):
    head = os.urandom(16) + struct.pack(">I", 5) + b"hello" + CORP_ID.encode()
    probes = {
        "bad padding": head + b"\x00" * (64 - len(head)),  # pad byte 0
        "plaintext too short": bytes([32]) * 32,
        "length field beyond the plaintext": os.urandom(16) + struct.pack(">I", 9999) + bytes([12]) * 12,
    }
    answers = set()
    for reason, plain in probes.items():
        answers.add(rejected(channel_servers, *signed(wecom_crypto.encrypt_raw(AES_KEY, plain)), 400, reason))
    assert answers == {b"MalformedMessage"}  # no padding oracle: the caller cannot tell them apart


def test_a_12_kb_message_gets_a_clear_answer(channel_servers, platform):
    who = user()
    text = "请问" + "占道经营" * 1024  # 12 KB of UTF-8
    assert len(text.encode()) > 12 * 1024
    assert post(channel_servers, *wecom_post(text, who))[0] == 200
    reply = contents(wait_for(lambda: platform.to_user(who)))[0]
    assert "太长" in reply and str(len(text)) in reply
    assert channel_servers.tracker_texts("wecom:" + who) == []
    huge = wecom_post("字" * 30_000, who)
    status, answer = post(channel_servers, *huge)
    assert status == 413 and "请求内容过大" in answer.decode()


def test_the_reply_arrives_after_two_failed_sends(channel_servers, platform):
    who = user()
    platform.fail_next = 2
    post(channel_servers, *wecom_post(QUESTION, who))
    card = contents(wait_for(lambda: platform.to_user(who)))[0]
    assert "综合行政执法办公室" in card and platform.failures == 2


def test_an_outage_is_logged_recorded_and_the_server_stays_healthy(channel_servers, platform):
    who, msg_id = user(), str(uuid.uuid4().int >> 64)
    platform.fail_always = True
    post(channel_servers, *wecom_post(QUESTION, who, msg_id=msg_id))
    failed = wait_for(lambda: (dedup.status_of("wecom", msg_id) or ("",))[0] == dedup.FAILED)
    assert failed and platform.to_user(who) == [] and platform.failures >= 3
    assert f"reply to message {msg_id} for {who} NOT delivered" in channel_servers.log()

    platform.reset()
    assert channel_servers.request("GET", "/status")[0] == 200
    post(channel_servers, *wecom_post("白云区江高镇可以审批宅基地吗", who))
    assert "公共服务办公室" in contents(wait_for(lambda: platform.to_user(who)))[0]


def test_a_hanging_wecom_api_is_retried_then_recorded_as_failed(channel_servers, platform):
    who, msg_id = user(), str(uuid.uuid4().int >> 64)
    platform.hang_s = HTTP_TIMEOUT_S + 1  # longer than the channel waits for one call
    post(channel_servers, *wecom_post(QUESTION, who, msg_id=msg_id))
    wait_for(
        lambda: (dedup.status_of("wecom", msg_id) or ("",))[0] == dedup.FAILED,
        timeout=60,
    )
    _, detail = dedup.status_of("wecom", msg_id)
    assert "3 attempts failed, last: TimeoutError" in detail
    assert platform.hangs == 3 and platform.to_user(who) == []
    assert f"reply to message {msg_id} for {who} NOT delivered" in channel_servers.log()
    time.sleep(HTTP_TIMEOUT_S)  # the hung requests end before the next test
