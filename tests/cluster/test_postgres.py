"""The knowledge base and the operational data on a real PostgreSQL (``KB_DATABASE_URL``,
``OPS_DATABASE_URL``): built, imported into, queried and purged as on SQLite, with the same answers."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from bot import audit, users
from bot.channels import dedup
from bot.config import KNOWLEDGE_DIR
from bot.errors import ImportRejected
from bot.kb.build import build
from bot.kb.importer import import_list
from bot.kb.provider import KnowledgeProvider
from bot.ops import retention, schema
from bot.units import find_unit
from bot.verdict import decide

pytestmark = pytest.mark.cluster

SAMPLES = KNOWLEDGE_DIR / "samples"


def test_knowledge_built_into_postgres_answers_as_on_sqlite(pg_database, kb_url: str) -> None:
    url = pg_database("kb_same")
    first = build(KNOWLEDGE_DIR, url)
    assert build(KNOWLEDGE_DIR, url).version == first.version  # unchanged sources: kept, not rebuilt
    on_pg = KnowledgeProvider(url, check_every_s=0).get()
    on_sqlite = KnowledgeProvider(kb_url, check_every_s=0).get()
    assert on_pg.units == on_sqlite.units
    assert on_pg.items == on_sqlite.items
    assert on_pg.districts == on_sqlite.districts and on_pg.posts == on_sqlite.posts
    verdicts = [
        (unit.name, code, decide(on_pg, unit, item).verdict, decide(on_pg, unit, item).handled_by)
        for unit in on_pg.units
        for code, item in on_pg.items.items()
    ]
    assert verdicts == [
        (unit.name, code, decide(on_sqlite, unit, item).verdict, decide(on_sqlite, unit, item).handled_by)
        for unit in on_sqlite.units
        for code, item in on_sqlite.items.items()
    ]


def test_an_official_list_imports_into_postgres_and_a_broken_one_changes_nothing(
    pg_database, knowledge_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_BUILD_DIR", str(tmp_path / "build"))  # the import lock's file
    url = pg_database("kb_import")
    build(knowledge_copy, url)
    town = import_list(
        SAMPLES / "下放事项目录_镇.xlsx", knowledge_copy, url, unit_kind="town", document="DEMO-XF-2020", progress=False
    )
    assert (len(town.of_kind("added")), len(town.of_kind("changed"))) == (10, 2)
    k = KnowledgeProvider(url, check_every_s=0).get()
    assert k.version == town.version
    jianggao = find_unit(k, "白云区江高镇")
    assert jianggao is not None
    verdict = decide(k, jianggao, k.items["paishui"])
    assert (verdict.verdict, verdict.handled_by) == ("yes", "综合行政执法办公室")

    with pytest.raises(ImportRejected):
        import_list(SAMPLES / "下放事项目录_错误示例.csv", knowledge_copy, url, unit_kind="town", progress=False)
    assert KnowledgeProvider(url, check_every_s=0).get().version == town.version


def test_operational_data_on_postgres(pg_database) -> None:
    url = pg_database("ops")
    # Users' units, the audit trail and ratings, channel message ids: migrated on first use.
    assert users.remember("wecom:zhang", "天河区石牌街道", "chat", url=url)
    assert users.unit_of("wecom:zhang", url=url) == "天河区石牌街道"
    record_id = audit.record(
        audit.Entry("wecom:zhang", "能不能处罚占道经营", unit="天河区石牌街道", verdict="yes"), url=url
    )
    assert record_id is not None
    assert audit.rate("wecom:zhang", "down", "答非所问", url=url) == record_id
    report = audit.report(url=url)
    assert report.total == 1 and report.negative[0][0] == "能不能处罚占道经营"
    assert dedup.claim("wecom", "msg-1", "zhang", url=url)
    assert not dedup.claim("wecom", "msg-1", "zhang", url=url)  # a platform's retry is answered once

    # A year and a day later, everything is past its retention period.
    purged = retention.purge(url, now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=366))
    assert (purged.audit_records, purged.user_units) == (1, 1)
    assert users.unit_of("wecom:zhang", url=url) is None


def _start_on(url: str, go: Any) -> str:
    """What one starting server does with a new database: migrate the operational schema, open
    the conversation store and the knowledge history. Returns "ok" or the error."""
    go.wait(60)  # every process starts at the same moment, as replicas do
    try:
        from rasa.shared.core.domain import Domain

        from bot.kb.version_store import ensure_history
        from bot.ops import schema
        from bot.tracker_store import TailSQLTrackerStore

        schema.upgrade(url)
        TailSQLTrackerStore(domain=Domain.empty(), host=url)
        ensure_history(create_engine(url, future=True))
        return "ok"
    except Exception as exc:  # noqa: BLE001 — reported to the test, which names it
        return repr(exc)[:300]


def test_servers_starting_together_on_a_new_postgres_database_all_come_up(pg_database) -> None:
    # Two replicas, two action servers and the widget create their tables at once: PostgreSQL
    # refuses the second CREATE TABLE of a name, and the server that got the refusal exited.
    context = multiprocessing.get_context("spawn")
    for attempt in range(3):
        url = pg_database(f"start{attempt}")
        with context.Manager() as manager:
            go = manager.Event()
            with context.Pool(4) as pool:
                started = pool.starmap_async(_start_on, [(url, go)] * 4)
                time.sleep(3)  # the processes have imported and wait for the signal
                go.set()
                outcomes = started.get(timeout=180)
        assert outcomes == ["ok"] * 4, outcomes
        assert schema.current(url) == schema.head()
