"""Usage figures over audit records: Beijing days, outcomes, ratings, latency."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import usage
from bot.ops import db
from bot.ops.models import AuditRecord
from bot.ops.timestamps import UTC


def add(url: str, when: dt.datetime, verdict: str | None, **values: object) -> None:
    with db.session_scope(url) as session:
        session.add(AuditRecord(created_at=when, sender="s", text="问题", verdict=verdict, **values))


@pytest.mark.parametrize("in_sql", [True, False])
def test_days_are_beijing_days_and_outcomes_are_counted(fresh_ops, monkeypatch, in_sql):
    if not in_sql:  # the fallback for databases other than SQLite and PostgreSQL
        monkeypatch.setattr(usage, "_beijing_day", lambda dialect: None)
    # 2026-03-01 23:30 UTC is 2026-03-02 07:30 in Beijing; 15:59 UTC is still 23:59 of 03-01
    add(
        fresh_ops,
        dt.datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
        "yes",
        latency_ms=500,
        rating="up",
        unit="天河区石牌街道",
    )
    add(fresh_ops, dt.datetime(2026, 3, 1, 15, 59, tzinfo=UTC), "unknown", latency_ms=100, channel="wecom")
    add(fresh_ops, dt.datetime(2026, 3, 1, 16, 1, tzinfo=UTC), "clarify", latency_ms=300, rating="down")
    add(fresh_ops, dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC), "fallback", matter=None)
    add(fresh_ops, dt.datetime(2026, 3, 5, 1, 0, tzinfo=UTC), "no")  # outside the period
    u = usage.usage(dt.date(2026, 3, 1), dt.date(2026, 3, 2), url=fresh_ops)
    assert u.total == 4
    assert dict(u.per_day) == {
        dt.date(2026, 3, 1): {"answered": 0, "unknown": 1, "clarified": 0, "other": 0},
        dt.date(2026, 3, 2): {"answered": 1, "unknown": 0, "clarified": 1, "other": 1},
    }
    assert u.outcomes == {"answered": 1, "unknown": 1, "clarified": 1, "other": 1}
    assert (u.rated_up, u.rated_down, u.rated) == (1, 1, 2)
    assert (u.median_latency_ms, u.p90_latency_ms) == (300.0, 500.0)
    assert u.per_unit[0] == ("", 3) and ("天河区石牌街道", 1) in u.per_unit


def test_a_period_is_the_last_days_up_to_today():
    assert usage.period(7, dt.date(2026, 3, 10)) == (dt.date(2026, 3, 4), dt.date(2026, 3, 10))
    assert usage.period(10_000, dt.date(2026, 3, 10))[0] == dt.date(2026, 3, 10) - dt.timedelta(days=365)
