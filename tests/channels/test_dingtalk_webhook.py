"""DingTalk end to end: signed callbacks into the real servers, replies into a fake sessionWebhook."""

from __future__ import annotations

import time
import uuid

from bot.channels import dedup, dingtalk
from tests.channels.conftest import HTTP_TIMEOUT_S, UNIT_USER, dingtalk_post, wait_for

QUESTION = "天河区石牌街道能不能处罚占道经营"
FOLLOW_UP = "白云区江高镇可以审批宅基地吗"


def post(servers, headers, body):
    return servers.request("POST", "/webhooks/dingtalk/webhook", body, headers)


def staff():
    return f"dt-{uuid.uuid4().hex[:10]}"


def test_mention_question_gets_a_markdown_card(channel_servers, platform):
    who = staff()
    headers, body, session = dingtalk_post(platform.url, f"@权责助手 {QUESTION}", who, group=True)
    assert post(channel_servers, headers, body)[0] == 200
    sent = wait_for(lambda: platform.to_session(session))
    assert sent[0]["msgtype"] == "markdown" and sent[0]["at"] == {"atUserIds": [who]}
    text = sent[0]["markdown"]["text"]
    assert text.startswith("**结论：可以**  \n") and "综合行政执法办公室" in text
    assert sent[0]["markdown"]["title"].startswith("结论：可以")
    assert channel_servers.tracker_texts("dingtalk:" + who) == [QUESTION]


def test_the_directory_supplies_the_unit(channel_servers, platform):
    headers, body, session = dingtalk_post(platform.url, "我们能审批宅基地吗", UNIT_USER)
    post(channel_servers, headers, body)
    text = wait_for(lambda: platform.to_session(session))[0]["markdown"]["text"]
    assert text.startswith("**结论：可以**") and "白云区江高镇" in text


def test_bad_or_stale_sign_is_refused_and_nothing_is_processed(channel_servers, platform):
    who = staff()
    headers, body, session = dingtalk_post(platform.url, QUESTION, who)
    forged = {**headers, "sign": dingtalk.sign("not the secret", headers["timestamp"])}
    assert post(channel_servers, forged, body)[0] == 403
    stale_headers, stale_body, _ = dingtalk_post(
        platform.url, QUESTION, who, timestamp_ms=int(time.time() * 1000) - 2 * 3600 * 1000
    )
    assert post(channel_servers, stale_headers, stale_body)[0] == 403
    assert channel_servers.tracker_texts("dingtalk:" + who) == [] and platform.to_session(session) == []


def test_a_callback_for_another_robot_is_refused(channel_servers, platform):
    who = staff()
    headers, body, session = dingtalk_post(platform.url, QUESTION, who, robot_code="another-robot")
    before = len(channel_servers.log())
    status, answer = post(channel_servers, headers, body)
    assert (status, answer) == (403, b'{"error":"ReceiverMismatch"}')
    wait_for(lambda: "robotCode is not DINGTALK_APP_KEY" in channel_servers.log()[before:], timeout=5)
    assert channel_servers.tracker_texts("dingtalk:" + who) == [] and platform.to_session(session) == []


def test_duplicate_msg_id_is_answered_once(channel_servers, platform):
    who, msg_id = staff(), f"msg{uuid.uuid4().hex}"
    headers, body, session = dingtalk_post(platform.url, QUESTION, who, msg_id=msg_id)
    assert post(channel_servers, headers, body)[0] == 200
    assert post(channel_servers, headers, body)[0] == 200  # a replay while the first is in flight
    wait_for(lambda: dedup.status_of("dingtalk", msg_id) == (dedup.REPLIED, ""))
    assert post(channel_servers, headers, body)[0] == 200  # and after it was answered
    # A later question of the same user is answered after anything the replays could have started
    # (Rasa takes one user's messages in order): once its reply is in, a second one would be too.
    follow_headers, follow_body, follow_session = dingtalk_post(platform.url, FOLLOW_UP, who)
    post(channel_servers, follow_headers, follow_body)
    wait_for(lambda: platform.to_session(follow_session))
    time.sleep(1.0)
    assert len(platform.to_session(session)) == 1
    assert channel_servers.tracker_texts("dingtalk:" + who) == [QUESTION, FOLLOW_UP]


def test_expired_session_webhook_sends_nothing_and_is_logged(channel_servers, platform):
    who, msg_id = staff(), f"msg{uuid.uuid4().hex}"
    expired = int(time.time() * 1000) - 1000
    headers, body, session = dingtalk_post(platform.url, QUESTION, who, msg_id=msg_id, expires_ms=expired)
    assert post(channel_servers, headers, body)[0] == 200
    wait_for(lambda: f"dingtalk: message {msg_id} arrived with an expired sessionWebhook" in channel_servers.log())
    assert platform.to_session(session) == [] and channel_servers.tracker_texts("dingtalk:" + who) == []


def test_reply_survives_two_failures_and_an_outage_is_logged(channel_servers, platform):
    who = staff()
    platform.fail_next = 2
    headers, body, session = dingtalk_post(platform.url, QUESTION, who)
    post(channel_servers, headers, body)
    assert "综合行政执法办公室" in wait_for(lambda: platform.to_session(session))[0]["markdown"]["text"]

    platform.reset()
    platform.fail_always = True
    msg_id = f"msg{uuid.uuid4().hex}"
    headers, body, session = dingtalk_post(platform.url, QUESTION, who, msg_id=msg_id)
    post(channel_servers, headers, body)
    wait_for(lambda: (dedup.status_of("dingtalk", msg_id) or ("",))[0] == dedup.FAILED)
    assert f"reply to message {msg_id} for {who} NOT delivered" in channel_servers.log()
    assert channel_servers.request("GET", "/status")[0] == 200


def test_a_12_kb_message_gets_a_clear_answer(channel_servers, platform):
    who = staff()
    headers, body, session = dingtalk_post(platform.url, "占道经营" * 1024, who)
    assert post(channel_servers, headers, body)[0] == 200
    assert "太长" in wait_for(lambda: platform.to_session(session))[0]["text"]["content"]


def test_a_hanging_session_webhook_is_retried_then_recorded_as_failed(channel_servers, platform):
    who, msg_id = staff(), f"msg{uuid.uuid4().hex}"
    platform.hang_s = HTTP_TIMEOUT_S + 1  # longer than the channel waits for one call
    headers, body, session = dingtalk_post(platform.url, QUESTION, who, msg_id=msg_id)
    post(channel_servers, headers, body)
    wait_for(
        lambda: (dedup.status_of("dingtalk", msg_id) or ("",))[0] == dedup.FAILED,
        timeout=60,
    )
    _, detail = dedup.status_of("dingtalk", msg_id)
    assert "3 attempts failed, last: TimeoutError" in detail
    assert platform.hangs == 3 and platform.to_session(session) == []
    time.sleep(HTTP_TIMEOUT_S)  # the hung requests end before the next test
