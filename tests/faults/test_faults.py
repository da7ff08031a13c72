"""Fault injection against the real servers: what a user sees when a part fails, and that it recovers.

Run alone with ``make faults`` (also part of ``make test``). The tests run in
order on one set of servers, each leaving them healthy for the next.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from typing import Any

import pytest

from bot import audit
from bot.channels.inbox import BOT_FAILED
from tests.channels.conftest import wait_for, wecom_post
from tests.faults.conftest import Stack, answered, say, texts

QUESTION = "天河区石牌街道能不能处罚占道经营"
OFFICE = "综合行政执法办公室"  # in every right answer to QUESTION
OUTAGE_S = 10


def user(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def dumps(messages: list[dict[str, Any]]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def wecom(stack: Stack, text: str, who: str) -> int:
    query, body = wecom_post(text, who)
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/wecom/webhook?{query}", data=body, headers={"Content-Type": "text/xml"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def wecom_texts(platform, who: str) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(m[m["msgtype"]]["content"] for m in platform.to_user(who))


@pytest.fixture()
def audit_texts(stack: Stack, monkeypatch):  # type: ignore[no-untyped-def]
    """The questions in the audit log, read through its public API wherever its table lives."""
    monkeypatch.setenv("KB_DATABASE_URL", f"sqlite:///{stack.db_dir / 'kb.sqlite3'}")
    monkeypatch.setenv("KB_BUILD_DIR", str(stack.db_dir))

    ops_url = f"sqlite:///{stack.db_dir / 'ops.sqlite3'}"

    def read() -> list[str]:
        return [str(row["text"]) for row in audit.export_rows(ops_url)]

    return read


def test_action_server_killed_mid_conversation(stack: Stack, platform):  # type: ignore[no-untyped-def]
    sender, who = user("fault-a"), user("wc-a")
    assert OFFICE in dumps(say(stack.rasa_url, sender, QUESTION))
    with stack.down("action"):
        reply = say(stack.rasa_url, sender, QUESTION)
        assert texts(reply) == BOT_FAILED  # not silence: the user is told, in Chinese
        assert wecom(stack, QUESTION, who) == 200
        assert wait_for(lambda: wecom_texts(platform, who), timeout=30) == BOT_FAILED
    assert OFFICE in dumps(answered(stack.rasa_url, sender, QUESTION))  # the next message works
    assert wecom(stack, QUESTION, who) == 200
    wait_for(lambda: OFFICE in wecom_texts(platform, who), timeout=60)


def test_database_locked_answers_go_on_and_no_record_is_lost(stack: Stack, audit_texts):  # type: ignore[no-untyped-def]
    sender = user("fault-b1")
    asked = []
    with stack.locked():
        locked_at = time.monotonic()
        for number in (1, 2):
            question = f"{QUESTION}？（锁定期间 {number}）"
            assert OFFICE in dumps(say(stack.rasa_url, sender, question))  # the knowledge is still readable
            asked.append(question)
            if time.monotonic() - locked_at > OUTAGE_S / 2:
                break
        assert not set(asked) & set(audit_texts())  # nothing could be written ...
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - locked_at)))
    asked.append(f"{QUESTION}？（恢复后）")
    assert OFFICE in dumps(say(stack.rasa_url, sender, asked[-1]))
    # ... and once the database is back, the spooled records are in it: none lost, none twice
    wait_for(lambda: set(asked) <= set(audit_texts()), timeout=30)
    recorded = audit_texts()
    assert [recorded.count(question) for question in asked] == [1] * len(asked)


def test_database_gone_answers_say_so_and_recover(stack: Stack, platform, audit_texts):  # type: ignore[no-untyped-def]
    sender, who = user("fault-b2"), user("wc-b2")
    before = len(audit_texts())
    with stack.gone():
        gone_at = time.monotonic()
        time.sleep(2.5)  # the knowledge kept in memory is re-checked against the database every 2 s
        reply = texts(say(stack.rasa_url, sender, QUESTION))
        assert "暂时不可用" in reply or OFFICE in reply, reply  # says so, unless it could still answer
        assert wecom(stack, QUESTION, who) == 200  # duplicates cannot be checked: answered anyway
        wait_for(lambda: wecom_texts(platform, who), timeout=30)
        assert "暂时不可用" in wecom_texts(platform, who) or OFFICE in wecom_texts(platform, who)
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - gone_at)))
    assert OFFICE in dumps(say(stack.rasa_url, sender, QUESTION))
    wait_for(lambda: len(audit_texts()) > before, timeout=30)  # records are written again


def test_rasa_restarted_mid_load(stack: Stack, platform):  # type: ignore[no-untyped-def]
    results: dict[int, tuple[str, Any, float]] = {}

    def ask(number: int) -> None:
        started = time.monotonic()
        try:
            outcome: tuple[str, Any] = ("answer", say(stack.rasa_url, user(f"load{number}"), QUESTION, timeout=120))
        except Exception as exc:  # refused, reset, 5xx: an error is a fine outcome, hanging is not
            outcome = ("error", repr(exc))
        results[number] = (*outcome, time.monotonic() - started)

    threads = [threading.Thread(target=ask, args=(n,), daemon=True) for n in range(6)]
    for thread in threads:
        thread.start()
    wecom_users = [user("wc-c") for _ in range(4)]
    for who in wecom_users:
        assert wecom(stack, QUESTION, who) == 200  # accepted: the platform will not send it again
    log_before = len(stack.log_text())
    stopped_after = stack.restart("rasa")  # SIGTERM while those are in flight, then started again

    for thread in threads:
        thread.join(timeout=150)
    assert not any(t.is_alive() for t in threads), "a request in flight hung"
    assert sorted(results) == list(range(6))
    for kind, value, _seconds in results.values():
        assert kind == "error" or OFFICE in dumps(value), value
    # The messages WeCom handed over were answered before Rasa stopped, not dropped.
    assert "answers in flight before stopping" in stack.log_text()[log_before:]
    for who in wecom_users:
        assert OFFICE in wecom_texts(platform, who), who
    assert stopped_after < 40

    assert OFFICE in dumps(answered(stack.rasa_url, user("fault-c"), QUESTION))  # answers resume
    who = user("wc-c")
    assert wecom(stack, QUESTION, who) == 200
    wait_for(lambda: OFFICE in wecom_texts(platform, who), timeout=60)
