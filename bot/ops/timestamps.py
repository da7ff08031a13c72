"""One timestamp convention: stored in UTC, always handed out timezone-aware in UTC,
shown to people in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator

UTC = dt.timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def shown(moment: dt.datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment as people here read it: Beijing time (Asia/Shanghai)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: its time zone is unknown")
    return moment.astimezone(SHANGHAI).strftime(fmt)


class UTCDateTime(TypeDecorator):
    """A column of aware datetimes, stored as naive UTC (SQLite keeps no offset).

    Naive datetimes are refused: they were the source of the local/UTC mix-up.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"an aware datetime is required, got {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
