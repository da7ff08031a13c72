"""Timestamps: stored in UTC whatever the server's zone, handed out aware, shown in Beijing time."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

import pytest

from bot import audit, users
from bot.ops.timestamps import SHANGHAI, UTC, UTCDateTime, shown


@pytest.fixture()
def new_york():
    """A server whose local zone is neither UTC nor Beijing: local time must not leak in."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "America/New_York")
        time.tzset()
        yield
    time.tzset()


def test_stored_in_utc_and_returned_aware(fresh_ops, new_york):
    before = dt.datetime.now(UTC)
    users.remember("dingtalk:li", "白云区江高镇", "metadata")
    audit.record(audit.Entry(sender="dingtalk:li", text="问题"))
    [(_, _, _, updated)] = users.all_users()
    [row] = audit.export_rows()
    for moment in (updated, row["created_at"]):
        assert moment.tzinfo is UTC and before <= moment <= dt.datetime.now(UTC)
    with sqlite3.connect(fresh_ops[len("sqlite:///") :]) as conn:
        [(raw,)] = conn.execute("SELECT created_at FROM audit_record").fetchall()
    assert abs(dt.datetime.fromisoformat(raw) - before.replace(tzinfo=None)) < dt.timedelta(minutes=1)


def test_shown_in_beijing_time():
    moment = dt.datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    assert shown(moment) == "2026-01-01 00:30"
    assert shown(moment.astimezone(SHANGHAI), "%H:%M:%S") == "00:30:00"
    with pytest.raises(ValueError):
        shown(dt.datetime(2025, 12, 31, 16, 30))


def test_other_zones_are_converted_and_naive_values_refused():
    column = UTCDateTime()
    beijing = dt.datetime(2026, 1, 1, 8, 0, tzinfo=SHANGHAI)
    assert column.process_bind_param(beijing, None) == dt.datetime(2026, 1, 1, 0, 0)
    assert column.process_result_value(dt.datetime(2026, 1, 1, 0, 0), None) == beijing
    with pytest.raises(ValueError, match="aware"):
        column.process_bind_param(dt.datetime(2026, 1, 1), None)
