"""The audit spool: nothing is lost while the database fails, for real (a locked SQLite file)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot import audit, users
from bot.ops import db


@contextmanager
def locked(url: str) -> Iterator[None]:
    """Another process holds the write lock: every insert and commit fails with 'database is locked'."""
    locker = sqlite3.connect(url[len("sqlite:///") :], timeout=0)
    locker.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        locker.rollback()
        locker.close()


def spooled(tmp_path: Path) -> list[dict]:
    path = tmp_path / "audit-spool.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def texts() -> list[str]:
    return [r["text"] for r in sorted(audit.export_rows(), key=lambda r: r["created_at"])]


def test_records_wait_in_the_spool_while_the_database_is_locked_and_drain_after(fresh_ops, tmp_path):
    assert audit.record(audit.Entry(sender="dave", text="锁定前")) is not None
    with locked(fresh_ops):
        assert audit.record(audit.Entry(sender="dave", text="锁定时一")) is None
        # The second failure must not lose the first spooled record (it used to be deleted before the commit).
        assert audit.record(audit.Entry(sender="dave", text="锁定时二")) is None
        assert audit.drain_spool() == 0  # the replay's commit fails too ...
        assert [r["text"] for r in spooled(tmp_path)] == ["锁定时一", "锁定时二"]  # ... and the spool is intact
    assert audit.record(audit.Entry(sender="dave", text="恢复后")) is not None
    assert texts() == ["锁定前", "锁定时一", "锁定时二", "恢复后"]  # in the order they were asked
    assert spooled(tmp_path) == []


def test_a_replay_after_a_crash_between_commit_and_truncation_writes_nothing_twice(fresh_ops, tmp_path):
    users.unit_of("x")  # the schema exists
    with locked(fresh_ops):
        audit.record(audit.Entry(sender="dave", text="只写一次"))
    spool_file = tmp_path / "audit-spool.jsonl"
    content = spool_file.read_bytes()
    assert audit.drain_spool() == 1
    spool_file.write_bytes(content)  # the process died before it could empty the spool
    audit.drain_spool()
    assert texts() == ["只写一次"] and spooled(tmp_path) == []


def test_an_unreadable_line_is_set_aside_and_the_rest_is_written(fresh_ops, tmp_path):
    users.unit_of("x")
    with locked(fresh_ops):
        audit.record(audit.Entry(sender="dave", text="第一条"))
        audit.record(audit.Entry(sender="dave", text="第二条"))
    spool_file = tmp_path / "audit-spool.jsonl"
    good_1, good_2 = spool_file.read_text(encoding="utf-8").splitlines()
    broken = ['{"sender": "dave", "text": "被截断', json.dumps({"sender": "dave", "created_at": "昨天"})]
    spool_file.write_text("\n".join([good_1, broken[0], broken[1], good_2]) + "\n", encoding="utf-8")
    assert audit.drain_spool() == 2
    assert texts() == ["第一条", "第二条"]
    assert (tmp_path / "audit-spool.rejected.jsonl").read_text(encoding="utf-8").splitlines() == broken
    assert spooled(tmp_path) == []


def test_the_spool_is_capped(fresh_ops, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("OPS_SPOOL_MAX_BYTES", "1000")
    users.unit_of("x")
    with locked(fresh_ops), caplog.at_level(logging.ERROR):
        for n in range(20):
            assert audit.record(audit.Entry(sender="dave", text=f"问题{n}", channel="wecom")) is None
    assert (tmp_path / "audit-spool.jsonl").stat().st_size <= 1000
    kept = [r["text"] for r in spooled(tmp_path)]
    assert 0 < len(kept) < 20 and kept == [f"问题{n}" for n in range(len(kept))]  # the oldest are kept
    assert "is full" in caplog.text
    audit.record(audit.Entry(sender="dave", text="恢复后"))
    assert texts() == [*kept, "恢复后"]


def test_a_restarted_process_replays_the_spool_on_first_use(fresh_ops, tmp_path):
    users.unit_of("x")
    with locked(fresh_ops):
        audit.record(audit.Entry(sender="dave", text="重启前"))
    db.forget_state()  # a new process, whose first database use is not an audit write
    assert users.unit_of("dave") is None
    assert texts() == ["重启前"] and spooled(tmp_path) == []


def test_an_unreachable_database_spools_too(fresh_ops, tmp_path, monkeypatch):
    monkeypatch.setenv("OPS_DATABASE_URL", "sqlite:////proc/no-such-dir/ops.sqlite3")
    assert audit.record(audit.Entry(sender="dave", text="无法连接时")) is None
    assert [r["text"] for r in spooled(tmp_path)] == ["无法连接时"]
