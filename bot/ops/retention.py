"""Operational data expires: audit records and saved units after a retention period
(``OPS_AUDIT_RETENTION_DAYS``, ``OPS_UNIT_RETENTION_DAYS``; 0 keeps them for good),
platform message ids after :data:`MESSAGE_KEEP_DAYS`.

A saved unit counts from the sender's last question still in the audit log, so
the unit of someone who keeps asking never expires. Units set by an
administrator do not expire; ``python -m bot.users clear`` removes them.
Runs once per process on first use of the database and by ``python -m bot.ops purge``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete, select

from bot.config import ops_settings
from bot.errors import OpsUnavailable
from bot.ops import db
from bot.ops.models import AdminSession, AuditRecord, ChannelMessage, UserUnit
from bot.ops.timestamps import utcnow

# Platforms retry within minutes; a month covers any restart or replay.
MESSAGE_KEEP_DAYS = 30

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    audit_records: int
    user_units: int
    channel_messages: int


def purge(url: str | None = None, now: dt.datetime | None = None) -> Purged:
    """Delete what is past its retention period.

    Raises:
        OpsUnavailable: when the database cannot be written.
    """
    settings = ops_settings()
    now = now or utcnow()
    audit_records = user_units = 0
    with db.session_scope(url) as session:
        if settings.audit_retention_days > 0:
            cutoff = now - dt.timedelta(days=settings.audit_retention_days)
            audit_records = session.execute(delete(AuditRecord).where(AuditRecord.created_at < cutoff)).rowcount
        if settings.unit_retention_days > 0:
            cutoff = now - dt.timedelta(days=settings.unit_retention_days)
            active = select(AuditRecord.sender).where(AuditRecord.created_at >= cutoff)
            user_units = session.execute(
                delete(UserUnit)
                .where(UserUnit.source != "admin", UserUnit.updated_at < cutoff, UserUnit.sender.not_in(active))
                .execution_options(synchronize_session=False)
            ).rowcount
        cutoff = now - dt.timedelta(days=MESSAGE_KEEP_DAYS)
        channel_messages = session.execute(delete(ChannelMessage).where(ChannelMessage.received_at < cutoff)).rowcount
        session.execute(delete(AdminSession).where(AdminSession.expires_at < now))  # console sign-ins that ended
    return Purged(audit_records, user_units, channel_messages)


def purge_quietly(url: str) -> None:
    """:func:`purge` as first-use housekeeping: a failure is logged, never raised."""
    try:
        purged = purge(url)
    except OpsUnavailable:
        logger.warning("retention purge skipped: operational database unavailable", exc_info=True)
        return
    if any((purged.audit_records, purged.user_units, purged.channel_messages)):
        logger.info("retention purge: %s", purged)


db.on_first_use(purge_quietly)
