"""Message ids are remembered in the database, so a restart does not answer twice."""

from __future__ import annotations

import uuid

from sqlalchemy import inspect

from bot.channels import dedup
from bot.config import KNOWLEDGE_DIR
from bot.kb.build import build
from bot.kb.store import dispose_all, get_engine


def test_first_sighting_then_duplicate_across_a_restart(tmp_path):
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    msg = uuid.uuid4().hex
    assert dedup.claim("wecom", msg, "zhangsan", url=url)
    assert not dedup.claim("wecom", msg, "zhangsan", url=url)
    assert dedup.claim("dingtalk", msg, "zhangsan", url=url)  # ids are per channel

    dispose_all()  # a new process: engines and the created-tables memo start afresh
    dedup._ready.clear()
    assert not dedup.claim("wecom", msg, url=url)
    assert dedup.status_of("wecom", msg, url=url) == (dedup.RECEIVED, "")
    dedup.record("wecom", msg, dedup.FAILED, "HTTP 502", url=url)
    assert dedup.status_of("wecom", msg, url=url) == (dedup.FAILED, "HTTP 502")
    assert dedup.status_of("wecom", "never", url=url) is None


def test_a_knowledge_rebuild_keeps_the_message_ids(tmp_path):
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    msg = uuid.uuid4().hex
    assert dedup.claim("wecom", msg, url=url)
    build(KNOWLEDGE_DIR, url, force=True)
    assert {"channel_message", "kb_version"} <= set(inspect(get_engine(url)).get_table_names())
    assert not dedup.claim("wecom", msg, url=url)
