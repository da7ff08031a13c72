"""Action tests from tracker fixtures: the events and messages the action returns."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionAnswerPower, ActionForgetUnit, ActionSmalltalk
from bot import service
from bot.dialogue import State
from bot.errors import KnowledgeUnavailable
from bot.kb.provider import KnowledgeProvider


def tracker(text, intent, slots=None, entities=None, metadata=None):
    return Tracker(
        sender_id="tester",
        slots=slots or {},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": entities or [],
            "metadata": metadata or {},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture()
def provider(monkeypatch, kb_url):
    p = KnowledgeProvider(kb_url)
    monkeypatch.setenv("KB_DATABASE_URL", kb_url)
    monkeypatch.setattr(service, "default_provider", lambda: p)
    return p


def slot_events(t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerPower().run(dispatcher, t, {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def run(t):
    """The bot's messages and the slots after the turn (the action sets only those that changed)."""
    messages, set_to = slot_events(t)
    return messages, {**State().to_slots(), **t.slots, **set_to}


def test_only_the_slots_a_turn_changes_are_set(provider):
    # Each slot event is stored and reloaded with the conversation: an unchanged slot adds none.
    _, after = run(tracker("天河区石牌街道能不能处罚占道经营", "ask_can"))
    _, set_to = slot_events(tracker("那法律依据呢", "ask_basis", slots=after))
    assert set_to == {"question": "basis"}


def test_answer_messages_and_slots(provider):
    messages, slots = run(tracker("天河区石牌街道能不能处罚占道经营", "ask_can"))
    assert messages[0]["text"].startswith("可以")
    custom = messages[1]["custom"]
    assert custom["verdict"] == "yes" and custom["handled_by"] == "综合行政执法办公室"
    assert slots == {
        "unit": "天河区石牌街道",
        "matter": "zhandao_jingying",
        "question": "can",
        "pending": None,
        "fallbacks": 0.0,
        "listing": None,
    }


def test_follow_up_reads_the_slots(provider):
    slots = {"unit": "白云区江高镇", "matter": "zhaijidi", "question": "can", "pending": None}
    messages, new_slots = run(tracker("那法律依据呢", "ask_basis", slots=slots))
    assert messages[1]["custom"]["legal_basis"][0]["article"] == "第六十二条"
    assert new_slots["question"] == "basis"


def test_pending_slot_round_trips(provider):
    messages, slots = run(tracker("我们能不能处罚占道经营", "ask_can"))
    assert messages[1]["custom"]["need"] == "unit"
    pending = json.loads(slots["pending"])
    assert pending["matter"] == "zhandao_jingying"
    messages, slots = run(tracker("石牌", "inform_unit", slots=slots))
    assert messages[1]["custom"]["verdict"] == "yes" and slots["pending"] is None


def test_metadata_unit_is_used(provider):
    messages, _ = run(tracker("我们能审批宅基地吗", "ask_can", metadata={"unit": "白云区江高镇"}))
    assert messages[1]["custom"]["unit"]["name"] == "白云区江高镇"


def test_nlu_entities_are_not_taken_as_codes(provider):
    entities = [{"entity": "matter", "value": "油烟", "extractor": "RegexEntityExtractor"}]
    messages, _ = run(tracker("增城区荔城街道能处罚油烟超标吗", "ask_can", entities=entities))
    assert messages[1]["custom"]["item"]["code"] == "canyin_youyan"


def test_buttons_carry_payloads(provider):
    messages, _ = run(tracker("新塘能不能批宅基地", "ask_can"))
    assert [b["title"] for b in messages[0]["buttons"]] == ["天河区新塘街道", "增城区新塘镇"]


def test_database_down_gives_a_clear_message_and_keeps_slots(monkeypatch):
    class Down:
        def get(self):
            raise KnowledgeUnavailable("down")

    monkeypatch.setattr(service, "default_provider", lambda: Down())
    messages, slots = run(tracker("石牌街道能不能处罚占道经营", "ask_can", slots={"unit": "天河区石牌街道"}))
    assert "暂时不可用" in messages[0]["text"]
    assert slots == {**State().to_slots(), "unit": "天河区石牌街道"}


def test_unreachable_database_url_is_reported_as_unavailable(monkeypatch, tmp_path):
    p = KnowledgeProvider(f"sqlite:///{tmp_path}/missing/nothing.sqlite3")
    monkeypatch.setattr(service, "default_provider", lambda: p)
    messages, _ = run(tracker("石牌街道能不能处罚占道经营", "ask_can"))
    assert "暂时不可用" in messages[0]["text"]


def test_a_garbled_pending_slot_does_not_break_the_turn(provider):
    slots = {"unit": "天河区石牌街道", "pending": '{"need": "unit", "matter": "zhandao_jingying", "qustion": "can"'}
    messages, new_slots = run(tracker("那法律依据呢", "ask_basis", slots=slots))
    custom = messages[-1]["custom"]
    assert (custom["type"], custom["need"], custom["options"]) == ("clarify", "matter", [])
    assert new_slots["unit"] == "天河区石牌街道" and json.loads(new_slots["pending"]) == {
        "need": "matter",
        "question": "basis",
        "unit": "天河区石牌街道",
    }


def test_forgetting_the_unit_clears_it_and_the_waiting_question(provider):
    slots = {
        "unit": "白云区江高镇",
        "matter": "zhaijidi",
        "question": "can",
        "pending": '{"need": "matter", "question": "who"}',
        "fallbacks": 0.0,
    }
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionForgetUnit().run(dispatcher, tracker("忘记我的镇街", "forget_unit", slots=slots), {}))
    set_to = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert set_to["unit"] is None and set_to["pending"] is None and "matter" not in set_to  # kept
    assert dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("你好", "greet"),
        ("谢谢", "thanks"),
        ("再见", "goodbye"),
        ("怎么用", "help"),
        ("你是谁", "chitchat"),
        ("讲个笑话", "out_of_scope"),
    ],
)
def test_small_talk_sets_the_kind_its_reply_is_chosen_by(text, kind):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSmalltalk().run(dispatcher, tracker(text, "smalltalk"), {}))
    assert [(e["name"], e["value"]) for e in events if e["event"] == "slot"] == [("smalltalk", kind)]
    assert dispatcher.messages == []  # utter_smalltalk says it


def test_the_service_call_leaves_the_event_loop_free(provider, monkeypatch):
    # While one conversation waits for the database, the action server keeps serving the others.
    release = threading.Event()
    answer_turn = service.answer_turn

    def slow_answer_turn(*args):
        assert release.wait(5), "the event loop was blocked while the service ran"
        return answer_turn(*args)

    monkeypatch.setattr(service, "answer_turn", slow_answer_turn)

    async def two_things_at_once():
        dispatcher = CollectingDispatcher()
        action = asyncio.create_task(
            ActionAnswerPower().run(dispatcher, tracker("江高镇能不能审批宅基地", "ask_can"), {})
        )
        await asyncio.sleep(0.05)
        release.set()  # runs only if the loop is free while the action waits
        await action
        return dispatcher.messages

    messages = asyncio.run(two_things_at_once())
    assert messages[1]["custom"]["verdict"] == "yes"


def test_the_time_rasa_received_the_message_is_taken_from_its_user_event():
    from actions.actions import _context

    t = tracker("石牌街道能不能处罚占道经营", "ask_can")
    t.events = [{"event": "user", "timestamp": 1700000000.5}, {"event": "action", "timestamp": 1700000001.0}]
    assert _context(t).received_at == 1700000000.5
    t.events = []
    assert _context(t).received_at is None
