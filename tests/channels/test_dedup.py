"""Message ids are remembered in the operational database, so a restart does not answer twice."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from bot.channels import dedup
from bot.config import KNOWLEDGE_DIR
from bot.kb.build import build
from bot.ops import db


def test_first_sighting_then_duplicate_across_a_restart(fresh_ops):
    msg = uuid.uuid4().hex
    assert dedup.claim("wecom", msg, "zhangsan")
    assert not dedup.claim("wecom", msg, "zhangsan")
    assert dedup.claim("dingtalk", msg, "zhangsan")  # ids are per channel

    db.forget_state()  # a new process: engines and the migrated-databases memo start afresh
    assert not dedup.claim("wecom", msg)
    assert dedup.status_of("wecom", msg) == (dedup.RECEIVED, "")
    dedup.record("wecom", msg, dedup.FAILED, "HTTP 502")
    assert dedup.status_of("wecom", msg) == (dedup.FAILED, "HTTP 502")
    assert dedup.status_of("wecom", "never") is None


def test_a_knowledge_rebuild_neither_touches_nor_blocks_the_message_ids(fresh_ops, tmp_path):
    kb_url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    msg = uuid.uuid4().hex
    assert dedup.claim("wecom", msg)
    build(KNOWLEDGE_DIR, kb_url, force=True)
    locker = sqlite3.connect(tmp_path / "kb.sqlite3", timeout=0)
    locker.execute("BEGIN IMMEDIATE")  # a build in progress holds this lock for seconds
    try:
        assert dedup.claim("wecom", uuid.uuid4().hex)
        assert not dedup.claim("wecom", msg)
    finally:
        locker.rollback()
        locker.close()


def test_a_locked_database_is_reported_not_taken_for_a_duplicate(fresh_ops):
    dedup.claim("wecom", "first")  # the schema exists
    locker = sqlite3.connect(fresh_ops[len("sqlite:///") :], timeout=0)
    locker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(dedup.DedupUnavailable, match="OperationalError"):
            dedup.claim("wecom", "second")
        dedup.record("wecom", "first", dedup.REPLIED)  # logged, never raised
    finally:
        locker.rollback()
        locker.close()
    assert dedup.claim("wecom", "second")
