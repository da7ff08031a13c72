"""Which platform messages were already taken, durable across restarts.

WeCom and DingTalk deliver a message again when they do not get an answer in
time (WeCom after 5 s, three times), and a restart must not answer twice. One
row per (channel, message id) in the operational database
(:class:`bot.ops.models.ChannelMessage`); rows expire after
:data:`bot.ops.retention.MESSAGE_KEEP_DAYS`.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.errors import OpsUnavailable
from bot.ops import db
from bot.ops.models import ChannelMessage
from bot.ops.retention import MESSAGE_KEEP_DAYS
from bot.ops.timestamps import utcnow

logger = logging.getLogger(__name__)

KEEP_DAYS = MESSAGE_KEEP_DAYS

# statuses a message goes through
RECEIVED = "received"
REPLIED = "replied"
FAILED = "failed"  # the reply could not be delivered; detail says why


class DedupUnavailable(RuntimeError):
    """The database cannot record or check a message id."""


def claim(channel: str, msg_id: str, user_id: str = "", url: str | None = None) -> bool:
    """Record a message id; True when it was not seen before.

    Raises:
        DedupUnavailable: when the database cannot be written.
    """
    now = utcnow()
    try:
        with db.session_scope(url) as session:
            session.add(
                ChannelMessage(
                    channel=channel,
                    msg_id=msg_id[:128],
                    user_id=user_id[:128],
                    status=RECEIVED,
                    detail="",
                    received_at=now,
                    updated_at=now,
                )
            )
    except OpsUnavailable as exc:
        if isinstance(exc.__cause__, IntegrityError):
            return False
        raise DedupUnavailable(f"{exc.__cause__.__class__.__name__}: {exc.__cause__}") from exc
    return True


def record(channel: str, msg_id: str, status: str, detail: str = "", url: str | None = None) -> None:
    """Note what became of a message (replied, failed and why). Never raises."""
    try:
        with db.session_scope(url) as session:
            row = session.execute(
                select(ChannelMessage).where(ChannelMessage.channel == channel, ChannelMessage.msg_id == msg_id[:128])
            ).scalar_one_or_none()
            if row is not None:
                row.status, row.detail, row.updated_at = status, detail[:255], utcnow()
    except OpsUnavailable:
        logger.exception("could not record status %s of %s message %s", status, channel, msg_id)


def status_of(channel: str, msg_id: str, url: str | None = None) -> tuple[str, str] | None:
    """(status, detail) of a message, or None when it was never taken.

    Raises:
        OpsUnavailable: when the database cannot be read.
    """
    with db.session_scope(url) as session:
        row = session.execute(
            select(ChannelMessage.status, ChannelMessage.detail).where(
                ChannelMessage.channel == channel, ChannelMessage.msg_id == msg_id[:128]
            )
        ).first()
        return (row[0], row[1]) if row else None
