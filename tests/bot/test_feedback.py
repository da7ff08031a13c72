"""Widget feedback: stored on the audit record it rates, in the operational database."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot import audit, db
from bot.feedback import FeedbackEntry, recent_feedback, record_feedback
from bot.ops.timestamps import UTC


def entry(**changes) -> FeedbackEntry:
    values = dict(
        sender="web-abcdef012345",
        question="江高镇能批宅基地吗",
        rating="up",
        verdict="yes",
        item_code="zhaijidi",
        unit="白云区江高镇",
        kb_version="v1",
    )
    values.update(changes)
    return FeedbackEntry(**values)


def test_rating_of_an_audited_answer_lands_on_its_record(fresh_ops):
    answered = audit.record(
        audit.Entry(
            sender="web-abcdef012345",
            text="江高镇能批宅基地吗",
            channel="rest",
            unit="白云区江高镇",
            matter="zhaijidi",
            verdict="yes",
            kb_version="v1",
        )
    )
    assert record_feedback(entry(rating="down", reason="  依据已修订 ")) == answered
    [rated] = recent_feedback()
    assert rated.id == answered and rated.entry == entry(rating="down", reason="依据已修订")
    assert rated.rated_at.tzinfo is UTC
    assert [n[3] for n in audit.report().negative] == ["依据已修订"]


def test_rating_an_unaudited_answer_keeps_it_and_a_second_rating_replaces_the_first(fresh_ops):
    first = record_feedback(entry())  # asked while the database was down: no audit record to rate
    time.sleep(0.01)
    other = record_feedback(entry(question="石牌街道能批宅基地吗", rating="down"))
    assert record_feedback(entry(rating="down", reason="  ")) == first  # the user changed their mind
    records = recent_feedback()
    assert [r.id for r in records] == [first, other]
    assert records[0].entry == entry(rating="down")  # blank reason stored as none
    assert audit.report().total == 2


def test_unknown_rating_rejected(fresh_ops):
    with pytest.raises(ValueError):
        record_feedback(entry(rating="meh"))
    assert recent_feedback() == []


def test_operational_data_has_its_own_database(fresh_ops, kb_url, tmp_path: Path):
    """A knowledge build holds the knowledge database's write lock for seconds; feedback does not wait."""
    kb_file = kb_url[len("sqlite:///") :]
    locker = sqlite3.connect(kb_file, timeout=0)
    try:
        locker.execute("BEGIN IMMEDIATE")  # what a running build holds
        started = time.monotonic()
        record_feedback(entry())
        assert audit.record(audit.Entry(sender="web-abcdef012345", text="另一个问题")) is not None
        assert time.monotonic() - started < 2
    finally:
        locker.rollback()
        locker.close()
    ops_tables = set(inspect(db.engine_for(fresh_ops)).get_table_names())
    assert {"audit_record", "user_unit", "channel_message"} <= ops_tables
    assert "answer_feedback" not in ops_tables
    assert not {"audit_record", "user_unit", "channel_message"} & set(inspect(db.engine_for(kb_url)).get_table_names())
