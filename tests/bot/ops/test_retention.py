"""Audit records, saved units and message ids expire after their retention period."""

from __future__ import annotations

import datetime as dt

from bot import audit, users
from bot.channels import dedup
from bot.ops import db
from bot.ops.__main__ import main
from bot.ops.models import AuditRecord, ChannelMessage, UserUnit
from bot.ops.retention import purge
from bot.ops.timestamps import utcnow

NOW = utcnow()


def days_ago(n: int) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


def seed() -> None:
    with db.session_scope() as session:
        session.add_all(
            [
                AuditRecord(created_at=days_ago(400), sender="old", text="一年多前的问题"),
                AuditRecord(created_at=days_ago(10), sender="active", text="最近的问题"),
                UserUnit(sender="old", unit="天河区石牌街道", source="chat", updated_at=days_ago(400)),
                UserUnit(sender="active", unit="白云区江高镇", source="chat", updated_at=days_ago(400)),
                UserUnit(sender="fresh", unit="天河区五山街道", source="metadata", updated_at=days_ago(3)),
                UserUnit(sender="boss", unit="天河区沙河街道", source="admin", updated_at=days_ago(900)),
                ChannelMessage(
                    channel="wecom", msg_id="old", status="replied", received_at=days_ago(31), updated_at=days_ago(31)
                ),
                ChannelMessage(
                    channel="wecom", msg_id="new", status="replied", received_at=days_ago(1), updated_at=days_ago(1)
                ),
            ]
        )


def test_what_is_past_retention_goes_and_the_rest_stays(fresh_ops):
    seed()
    purged = purge(now=NOW)
    assert (purged.audit_records, purged.user_units, purged.channel_messages) == (1, 1, 1)
    assert [r["text"] for r in audit.export_rows()] == ["最近的问题"]
    # "active" keeps asking, "fresh" was set lately, "boss" was set by an administrator.
    assert [u[0] for u in users.all_users()] == ["active", "boss", "fresh"]
    assert dedup.status_of("wecom", "old") is None and dedup.status_of("wecom", "new") == ("replied", "")


def test_retention_is_configurable_and_zero_keeps_everything(fresh_ops, monkeypatch):
    seed()
    monkeypatch.setenv("OPS_AUDIT_RETENTION_DAYS", "0")
    monkeypatch.setenv("OPS_UNIT_RETENTION_DAYS", "0")
    assert purge(now=NOW).audit_records == 0 and len(users.all_users()) == 4
    monkeypatch.setenv("OPS_AUDIT_RETENTION_DAYS", "7")
    monkeypatch.setenv("OPS_UNIT_RETENTION_DAYS", "7")
    purged = purge(now=NOW)
    assert purged.audit_records == 2 and [u[0] for u in users.all_users()] == ["boss", "fresh"]


def test_purged_on_first_use_and_by_command(fresh_ops, capsys):
    seed()
    db.forget_state()  # a new process purges when it first uses the database
    assert users.unit_of("old") is None and users.unit_of("active") == "白云区江高镇"
    assert [r["text"] for r in audit.export_rows()] == ["最近的问题"]
    assert main(["purge"]) == 0
    assert "审计记录 0 条，用户镇街 0 条，平台消息 0 条" in capsys.readouterr().out
