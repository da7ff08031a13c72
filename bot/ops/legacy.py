"""One-time copy of operational data that older versions kept in the knowledge database.

Before ``bot/ops`` the user directory and the audit log lived beside the
knowledge tables, with times in the server's local zone. ``python -m bot.ops
import-legacy`` copies them over once: units that are not set yet, audit records
(with their ratings) not copied before. The old tables are left as they were;
``answer_feedback`` and ``channel_message`` are not copied (ratings were already
mirrored onto the audit records; message ids only matter for minutes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select, text

from bot.kb.store import get_engine
from bot.kb.store import session_scope as kb_session
from bot.ops import db
from bot.ops.models import AuditRecord, UserUnit

_AUDIT_COLUMNS = (
    "sender",
    "channel",
    "text",
    "intent",
    "confidence",
    "unit",
    "matter",
    "question",
    "verdict",
    "kb_version",
    "rating",
    "reason",
)


@dataclass(frozen=True)
class Copied:
    user_units: int
    audit_records: int


def _aware(value: Any) -> dt.datetime | None:
    """A naive local time of this server as an aware datetime (SQLite hands back strings)."""
    if value is None:
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment.astimezone() if moment.tzinfo is None else moment


def import_legacy(kb_url: str | None = None, url: str | None = None) -> Copied:
    """Copy the old tables of the knowledge database; running it again copies nothing twice.

    Raises:
        OpsUnavailable: when the operational database cannot be written.
        KnowledgeUnavailable: when the knowledge database cannot be read.
    """
    present = set(inspect(get_engine(kb_url)).get_table_names())
    units: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    with kb_session(kb_url) as old:
        if "user_unit" in present:
            units = [dict(r._mapping) for r in old.execute(text("SELECT * FROM user_unit"))]
        if "audit_record" in present:
            records = [dict(r._mapping) for r in old.execute(text("SELECT * FROM audit_record ORDER BY id"))]
    copied_units = copied_records = 0
    with db.session_scope(url) as session:
        known = set(session.execute(select(UserUnit.sender)).scalars())
        for row in units:
            if row["sender"] not in known:
                session.add(
                    UserUnit(
                        sender=row["sender"],
                        unit=row["unit"],
                        source=row["source"],
                        updated_at=_aware(row["updated_at"]),
                    )
                )
                copied_units += 1
        copied_before = select(AuditRecord.import_id).where(AuditRecord.import_id.like("kb-%"))
        done = set(session.execute(copied_before).scalars())
        for row in records:
            if f"kb-{row['id']}" in done:
                continue
            session.add(
                AuditRecord(
                    import_id=f"kb-{row['id']}",
                    created_at=_aware(row["created_at"]),
                    rated_at=_aware(row.get("rated_at")),
                    **{c: row.get(c) for c in _AUDIT_COLUMNS},
                )
            )
            copied_records += 1
    return Copied(copied_units, copied_records)
