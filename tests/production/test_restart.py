"""Conversations survive a restart: Rasa keeps them in its SQL tracker store (endpoints.yml).

Starts its own servers (not the session's ``stack``), twice, on one tracker-store file: the
restart is the point. One more Rasa boot, so this stays the only test of the module.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from bot import servers
from bot.client import payload_of
from tests.stack import rest_say

pytestmark = pytest.mark.skipif(not servers.MODEL.exists(), reason="需要训练好的模型 models/current.tar.gz")


def _start(kb_url: str, tracker_url: str, log_path: Path) -> servers.Servers:
    with open(log_path, "ab") as log:
        try:
            return servers.start(
                servers.free_port(),
                servers.free_port(),
                log=log,
                # A tail of 6 events: after the small talk below, the item and unit are older than
                # what is loaded, and must come back from the slot snapshot (bot/tracker_store.py).
                env={"KB_DATABASE_URL": kb_url, "TRACKER_STORE_URL": tracker_url, "TRACKER_TAIL_EVENTS": "6"},
                timeout=300,
            )
        except servers.ServerError:
            print(log_path.read_text(errors="replace")[-5000:])
            raise


def test_follow_up_after_a_restart_is_about_the_same_item_and_unit(kb_url: str, tmp_path: Path) -> None:
    tracker_file = tmp_path / "tracker.sqlite3"
    tracker_url = f"sqlite:///{tracker_file}"
    log_path = tmp_path / "servers.log"
    sender = f"restart-{uuid.uuid4().hex[:10]}"

    with _start(kb_url, tracker_url, log_path) as first:
        before = payload_of(rest_say(first.rasa_url, sender, "石牌街道能不能处罚占道经营"))
        for text in ("你好", "谢谢", "你好"):
            assert rest_say(first.rasa_url, sender, text)
    assert before is not None and before["type"] == "power_answer", before
    assert (before["item"]["code"], before["unit"]["name"]) == ("zhandao_jingying", "天河区石牌街道")

    # The conversation is on disk, not in the stopped process's memory.
    with sqlite3.connect(tracker_file) as db:
        stored = db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]
    assert stored > 0

    with _start(kb_url, tracker_url, log_path) as second:
        after = payload_of(rest_say(second.rasa_url, sender, "那法律依据呢"))
    assert after is not None and after["type"] == "power_answer", after
    assert after["question"] == "basis"
    assert (after["item"]["code"], after["unit"]["name"]) == ("zhandao_jingying", "天河区石牌街道")
    assert after["legal_basis"], after
