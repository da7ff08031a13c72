"""The operational schema comes from the Alembic migrations, from empty, once."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot import audit, db, users
from bot.config import PROJECT_ROOT
from bot.ops import db as ops_db
from bot.ops import schema
from bot.ops.__main__ import main
from bot.ops.models import Base
from bot.ops.timestamps import UTC


def tables(url: str) -> set[str]:
    with sqlite3.connect(url[len("sqlite:///") :]) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_first_use_migrates_an_empty_database_and_a_second_run_changes_nothing(fresh_ops):
    assert schema.current(fresh_ops) is None
    users.remember("wecom:zhangsan", "天河区石牌街道", "chat")
    assert schema.current(fresh_ops) == schema.head() == "0002"
    assert tables(fresh_ops) == {
        "alembic_version",
        "user_unit",
        "audit_record",
        "channel_message",
        "admin_account",
        "admin_session",
        "admin_change",
    }

    ops_db.forget_state()  # a restart: migrating again is a no-op and keeps the data
    schema.upgrade(fresh_ops)
    ops_db.ensure(fresh_ops)
    assert users.unit_of("wecom:zhangsan") == "天河区石牌街道"


def test_the_models_match_the_migrations(fresh_ops):
    """A model changed without a migration (python -m bot.ops revision) fails here."""
    ops_db.ensure(fresh_ops)
    with db.engine_for(fresh_ops).connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_migrate_and_status_commands(fresh_ops, capsys):
    assert main(["status"]) == 0
    assert "（未建表）" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert "最新版本：0002" in capsys.readouterr().out
    assert main(["migrate"]) == 0 and main(["status"]) == 0
    assert "当前版本：0002；代码中的最新版本：0002" in capsys.readouterr().out


def test_an_unusable_database_is_reported_in_chinese(fresh_ops, monkeypatch, capsys):
    monkeypatch.setenv("OPS_DATABASE_URL", "sqlite:////proc/no-such-dir/ops.sqlite3")
    assert main(["migrate"]) == 1
    assert "业务数据库不可用" in capsys.readouterr().err
    assert audit.record(audit.Entry(sender="a", text="问题")) is None  # spooled, not raised


def test_data_of_older_versions_is_copied_once(fresh_ops, tmp_path, monkeypatch, capsys):
    kb_file = tmp_path / "old-kb.sqlite3"
    monkeypatch.setenv("KB_DATABASE_URL", f"sqlite:///{kb_file}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "Asia/Shanghai")  # the old code wrote the server's local time
        time.tzset()
        with sqlite3.connect(kb_file) as old:
            old.execute(
                "CREATE TABLE user_unit (sender VARCHAR PRIMARY KEY, unit VARCHAR, source VARCHAR, updated_at DATETIME)"
            )
            old.execute(
                "INSERT INTO user_unit VALUES ('wecom:zhangsan', '天河区石牌街道', 'admin',"
                " '2026-01-01 08:00:00.000000')"
            )
            old.execute(
                "CREATE TABLE audit_record (id INTEGER PRIMARY KEY, created_at DATETIME, sender VARCHAR,"
                " channel VARCHAR, text TEXT, intent VARCHAR, confidence FLOAT, unit VARCHAR, matter VARCHAR,"
                " question VARCHAR, verdict VARCHAR, kb_version VARCHAR, rating VARCHAR, reason TEXT,"
                " rated_at DATETIME)"
            )
            old.execute(
                "INSERT INTO audit_record VALUES (7, '2026-01-01 09:30:00.000000', 'wecom:zhangsan', 'wecom',"
                " '能批宅基地吗', 'ask_can', 0.9, '天河区石牌街道', 'zhaijidi', 'can', 'no', 'v1', 'down',"
                " '清单已调整', '2026-01-01 09:31:00.000000')"
            )
        users.remember("dingtalk:li", "白云区江高镇", "chat")  # data written since the upgrade stays
        assert main(["import-legacy"]) == 0
        assert "用户镇街 1 条，审计记录 1 条" in capsys.readouterr().out
        assert main(["import-legacy"]) == 0
        assert "用户镇街 0 条，审计记录 0 条" in capsys.readouterr().out
    time.tzset()
    assert users.all_users()[1] == (
        "wecom:zhangsan",
        "天河区石牌街道",
        "admin",
        dt.datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
    )
    [row] = audit.export_rows()
    assert (row["created_at"], row["rated_at"]) == (
        dt.datetime(2026, 1, 1, 1, 30, tzinfo=UTC),
        dt.datetime(2026, 1, 1, 1, 31, tzinfo=UTC),
    )
    assert (row["text"], row["verdict"], row["rating"], row["reason"]) == ("能批宅基地吗", "no", "down", "清单已调整")


def test_processes_starting_together_migrate_once(fresh_ops):
    """Rasa, the action server and the widget may all find the database empty at the same moment."""
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.ops", "migrate"],
            cwd=PROJECT_ROOT,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in started]
    assert [p.returncode for p in started] == [0, 0, 0], outputs
    assert schema.current(fresh_ops) == "0002"
