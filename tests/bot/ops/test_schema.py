"""The operational schema comes from the Alembic migrations, from empty, once."""

from __future__ import annotations

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot import audit, db, users
from bot.ops import db as ops_db
from bot.ops import schema
from bot.ops.__main__ import main
from bot.ops.models import Base


def tables(url: str) -> set[str]:
    with sqlite3.connect(url[len("sqlite:///"):]) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_first_use_migrates_an_empty_database_and_a_second_run_changes_nothing(fresh_ops):
    assert schema.current(fresh_ops) is None
    users.remember("wecom:zhangsan", "天河区石牌街道", "chat")
    assert schema.current(fresh_ops) == schema.head() == "0001"
    assert tables(fresh_ops) == {"alembic_version", "user_unit", "audit_record", "channel_message"}

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
    assert "最新版本：0001" in capsys.readouterr().out
    assert main(["migrate"]) == 0 and main(["status"]) == 0
    assert "当前版本：0001；代码中的最新版本：0001" in capsys.readouterr().out


def test_an_unusable_database_is_reported_in_chinese(fresh_ops, monkeypatch, capsys):
    monkeypatch.setenv("OPS_DATABASE_URL", "sqlite:////proc/no-such-dir/ops.sqlite3")
    assert main(["migrate"]) == 1
    assert "业务数据库不可用" in capsys.readouterr().err
    assert audit.record(audit.Entry(sender="a", text="问题")) is None  # spooled, not raised
