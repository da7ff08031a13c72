"""Feedback storage: its own table beside the knowledge base, untouched by a rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import KNOWLEDGE_DIR
from bot.feedback import FeedbackEntry, record_feedback, recent_feedback
from bot.kb.build import build


def entry(**changes) -> FeedbackEntry:
    values = dict(sender="web-abcdef012345", question="江高镇能批宅基地吗", rating="up", verdict="yes",
                  item_code="zhaijidi", unit="白云区江高镇", kb_version="v1")
    values.update(changes)
    return FeedbackEntry(**values)


def test_recorded_newest_first(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'fb.sqlite3'}"
    assert recent_feedback(url) == []  # the table is created on first use
    first = record_feedback(entry(), url)
    second = record_feedback(entry(rating="down", reason="  "), url)
    records = recent_feedback(url)
    assert [r.id for r in records] == [second, first]
    assert records[0].entry.rating == "down" and records[0].entry.reason is None
    assert records[1].entry == entry()


def test_unknown_rating_rejected(tmp_path: Path):
    with pytest.raises(ValueError):
        record_feedback(entry(rating="meh"), f"sqlite:///{tmp_path / 'fb.sqlite3'}")


def test_knowledge_rebuild_keeps_feedback(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    build(KNOWLEDGE_DIR, url)
    record_feedback(entry(reason="依据已修订"), url)
    build(KNOWLEDGE_DIR, url)
    assert [r.entry.reason for r in recent_feedback(url)] == ["依据已修订"]
