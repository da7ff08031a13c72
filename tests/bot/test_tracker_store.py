"""The tail-loading tracker store: a long conversation is loaded short, with every slot as it stands."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.config import PROJECT_ROOT
from bot.tracker_store import TailSQLTrackerStore, retention_days


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(PROJECT_ROOT / "domain.yml")


def _store(domain: Domain, path: Path, tail: int = 12) -> TailSQLTrackerStore:
    return TailSQLTrackerStore(domain=domain, host=f"sqlite:///{path}", tail_events=tail)


def _turn(text: str, slots: dict[str, object] | None = None) -> list:
    return [
        UserUttered(text, {"name": "ask_can", "confidence": 1.0}),
        ActionExecuted("action_answer_power"),
        BotUttered(text=f"答：{text}"),
        *[SlotSet(k, v) for k, v in (slots or {}).items()],
        ActionExecuted("action_listen"),
    ]


def _count(path: Path, sender: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0])


def test_a_long_conversation_is_loaded_short_with_its_slots(domain: Domain, tmp_path: Path) -> None:
    path = tmp_path / "tracker.sqlite3"
    store = _store(domain, path)
    tracker = store.init_tracker("long")
    for event in [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]:
        tracker.update(event)
    for event in _turn("石牌街道能不能处罚占道经营", {"unit": "天河区石牌街道", "matter": "zhandao_jingying"}):
        tracker.update(event)
    for i in range(20):  # turns that set no slot: the unit and matter are far behind the tail
        for event in _turn(f"第{i}问"):
            tracker.update(event)
    asyncio.run(store.save(tracker))
    stored = _count(path, "long")

    loaded = asyncio.run(store.retrieve("long"))
    assert loaded is not None
    # The tail (the last 12 events, from a user message on), not the whole session.
    assert sum(isinstance(e, UserUttered) for e in loaded.events) == 3
    assert loaded.get_slot("unit") == "天河区石牌街道" and loaded.get_slot("matter") == "zhandao_jingying"
    assert loaded.latest_message is not None and loaded.latest_message.text == "第19问"

    # A new turn adds exactly its own events: nothing made up by the loading is stored.
    for event in _turn("那法律依据呢", {"question": "basis"}):
        loaded.update(event)
    asyncio.run(store.save(loaded))
    assert _count(path, "long") == stored + 5
    again = asyncio.run(store.retrieve("long"))
    assert again is not None
    assert (again.get_slot("unit"), again.get_slot("question")) == ("天河区石牌街道", "basis")
    full = asyncio.run(store.retrieve_full_tracker("long"))
    assert full is not None and len(full.events) == stored + 5


@pytest.mark.parametrize("tail", [12, 30])  # loaded as a tail with the snapshot, or whole
def test_the_slot_snapshot_is_written_only_when_the_slots_change(domain: Domain, tmp_path: Path, tail: int) -> None:
    path = tmp_path / "tracker.sqlite3"
    store = _store(domain, path, tail)
    with sqlite3.connect(path) as db:  # counts the store's writes of snapshots
        db.executescript(
            "CREATE TABLE writes (n INTEGER); INSERT INTO writes VALUES (0);"
            "CREATE TRIGGER w1 AFTER INSERT ON bot_tracker_snapshots BEGIN UPDATE writes SET n = n + 1; END;"
            "CREATE TRIGGER w2 AFTER UPDATE ON bot_tracker_snapshots BEGIN UPDATE writes SET n = n + 1; END;"
        )

    def writes() -> int:
        with sqlite3.connect(path) as db:
            return int(db.execute("SELECT n FROM writes").fetchone()[0])

    tracker = store.init_tracker("snap")
    for i in range(4):
        for event in _turn(f"第{i}问", {"unit": "天河区石牌街道"} if i == 0 else None):
            tracker.update(event)
    asyncio.run(store.save(tracker))
    assert writes() == 1
    for text, slots, expected in (("第五问", None, 1), ("第六问", {"unit": "白云区江高镇"}, 2), ("第七问", None, 2)):
        loaded = asyncio.run(store.retrieve("snap"))
        assert loaded is not None
        for event in _turn(text, slots):
            loaded.update(event)
        asyncio.run(store.save(loaded))
        assert writes() == expected
    again = asyncio.run(store.retrieve("snap"))
    assert again is not None and again.get_slot("unit") == "白云区江高镇"


def test_a_short_conversation_is_loaded_whole(domain: Domain, tmp_path: Path) -> None:
    store = _store(domain, tmp_path / "tracker.sqlite3", tail=100)
    tracker = store.init_tracker("short")
    for event in _turn("你好", {"unit": "天河区石牌街道"}):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    loaded = asyncio.run(store.retrieve("short"))
    assert loaded is not None and [e.as_dict() for e in loaded.events] == [e.as_dict() for e in tracker.events]


def test_an_answer_is_stored_with_its_citations_not_the_quoted_articles(domain: Domain, tmp_path: Path) -> None:
    path = tmp_path / "tracker.sqlite3"
    store = _store(domain, path)
    article = "第一百条 " + "占用城市道路经营的，由城市管理部门责令改正。" * 100
    payload = {
        "type": "power_answer",
        "verdict": "yes",
        "legal_basis": [
            {"law": "城市道路管理条例", "article": "第二十七条", "text": article, "law_version": "2019-03-24"}
        ],
    }
    tracker = store.init_tracker("answer")
    tracker.update(UserUttered("石牌街道能不能处罚占道经营", {"name": "ask_can", "confidence": 1.0}))
    tracker.update(BotUttered(text="可以。", data={"custom": payload}))
    asyncio.run(store.save(tracker))
    with sqlite3.connect(path) as db:
        size = db.execute("SELECT max(length(data)) FROM events WHERE sender_id = 'answer'").fetchone()[0]
    assert size < 1000 < len(article)
    loaded = asyncio.run(store.retrieve("answer"))
    assert loaded is not None
    [bot] = [e for e in loaded.events if isinstance(e, BotUttered)]
    assert bot.text == "可以。"
    assert bot.data["custom"]["legal_basis"] == [dict(payload["legal_basis"][0], text=None)]


def test_old_events_are_pruned_when_a_new_session_starts(
    domain: Domain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "30")
    path = tmp_path / "tracker.sqlite3"
    store = _store(domain, path)
    old = time.time() - 40 * 86400
    tracker = store.init_tracker("pruned")
    for event in _turn("去年的问题"):
        event.timestamp = old
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert _count(path, "pruned") == 4

    tracker = asyncio.run(store.retrieve("pruned"))
    assert tracker is not None
    for event in [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert _count(path, "pruned") == 3  # only the new session's events are left


def test_retention_setting() -> None:
    assert retention_days({}) == 180
    assert retention_days({"TRACKER_RETENTION_DAYS": "0"}) == 0
    assert retention_days({"TRACKER_RETENTION_DAYS": "七天"}) == 180
