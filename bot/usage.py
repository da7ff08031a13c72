"""What the console's 使用情况 page shows: questions per day, unit and channel, outcomes,
top matters, ratings and latency, over the audit records of a period (Beijing dates).

One pass over the period's records (at most :data:`MAX_DAYS` days); the Beijing date
(UTC+8, no daylight saving) is computed by SQLite or PostgreSQL, elsewhere in Python.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text

from bot.ops import db
from bot.ops.models import AuditRecord
from bot.ops.timestamps import SHANGHAI

MAX_DAYS = 366
OUTCOMES = ("answered", "unknown", "clarified", "other")
OUTCOME_NAMES = {"answered": "已回答", "unknown": "未找到", "clarified": "反问澄清", "other": "未理解/其他"}
CHANNEL_NAMES = {"web": "网页", "rest": "REST", "wecom": "企业微信", "dingtalk": "钉钉", "voice": "语音", None: "未知"}


def outcome_of(verdict: str | None) -> str:
    """The kind of outcome of an audit record's verdict."""
    if verdict in ("yes", "no", "assist"):
        return "answered"
    if verdict == "unknown":
        return "unknown"
    if verdict == "clarify":
        return "clarified"
    return "other"  # fallback (not understood), unavailable, or a structural answer without a verdict


@dataclass(frozen=True)
class Usage:
    first: dt.date  # Beijing dates, inclusive
    last: dt.date
    total: int
    per_day: list[tuple[dt.date, dict[str, int]]]  # every day of the period, outcome -> count
    outcomes: dict[str, int]
    per_unit: list[tuple[str, int]]  # most first; "" for questions without a unit
    per_channel: list[tuple[str, int]]
    top_matters: list[tuple[str, int]]  # item code, count
    rated_up: int
    rated_down: int
    median_latency_ms: float | None
    p90_latency_ms: float | None

    @property
    def rated(self) -> int:
        return self.rated_up + self.rated_down


def period(days: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last ``days`` Beijing days up to today."""
    days = max(1, min(days, MAX_DAYS))
    last = today or dt.datetime.now(SHANGHAI).date()
    return last - dt.timedelta(days=days - 1), last


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(first, dt.time(), SHANGHAI)
    return start, dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), SHANGHAI)


def records(first: dt.date, last: dt.date, url: str | None = None) -> list[AuditRecord]:
    """The audit records of the period, oldest first (detached rows, read-only)."""
    start, end = _bounds(first, last)
    with db.session_scope(url) as session:
        query = (
            select(AuditRecord)
            .where(AuditRecord.created_at >= start, AuditRecord.created_at < end)
            .order_by(AuditRecord.id)
        )
        rows = list(session.execute(query).scalars())
        session.expunge_all()
        return rows


def _beijing_day(dialect: str) -> Any:
    """A SQL expression of a record's Beijing date (UTC+8, no daylight saving), or None."""
    if dialect == "sqlite":
        return func.date(AuditRecord.created_at, "+8 hours")
    if dialect == "postgresql":
        return func.date(AuditRecord.created_at + text("interval '8 hours'"))
    return None


def usage(first: dt.date, last: dt.date, limit: int = 15, url: str | None = None) -> Usage:
    """The figures of a period: one pass over its records, the Beijing date computed by the database."""
    start, end = _bounds(first, last)
    days = {first + dt.timedelta(days=n): dict.fromkeys(OUTCOMES, 0) for n in range((last - first).days + 1)}
    with db.session_scope(url) as session:
        day = _beijing_day(session.get_bind().dialect.name)
        query = select(
            AuditRecord.created_at if day is None else day,
            AuditRecord.verdict,
            AuditRecord.unit,
            AuditRecord.channel,
            AuditRecord.matter,
            AuditRecord.rating,
            AuditRecord.latency_ms,
        ).where(AuditRecord.created_at >= start, AuditRecord.created_at < end)
        rows = session.execute(query).all()
    outcomes: Counter[str] = Counter()
    units: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    matters: Counter[str] = Counter()
    ratings: Counter[str | None] = Counter()
    latencies = []
    per_day: Counter[tuple[str, str]] = Counter()
    for when, verdict, unit, channel, matter, rating, latency in rows:
        outcome = outcome_of(verdict)
        per_day[(str(when)[:10] if day is not None else when.astimezone(SHANGHAI).date().isoformat(), outcome)] += 1
        units[unit or ""] += 1
        channels[channel or ""] += 1
        if matter:
            matters[matter] += 1
        ratings[rating] += 1
        if latency is not None:
            latencies.append(latency)
    for (date, outcome), n in per_day.items():
        outcomes[outcome] += n
        figures = days.get(dt.date.fromisoformat(date))
        if figures is not None:
            figures[outcome] += n
    latencies.sort()
    return Usage(
        first=first,
        last=last,
        total=len(rows),
        per_day=sorted(days.items()),
        outcomes={o: outcomes[o] for o in OUTCOMES},
        per_unit=units.most_common(limit),
        per_channel=channels.most_common(),
        top_matters=matters.most_common(limit),
        rated_up=ratings["up"],
        rated_down=ratings["down"],
        median_latency_ms=float(statistics.median(latencies)) if latencies else None,
        p90_latency_ms=float(latencies[min(len(latencies) - 1, int(len(latencies) * 0.9))]) if latencies else None,
    )
