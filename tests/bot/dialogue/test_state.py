"""The state's one mapping to and from Rasa slots."""

from __future__ import annotations

import json
import logging

import pytest

from bot.dialogue import Listing, Pending, State

FULL = State(
    unit="天河区石牌街道",
    matter="zhandao_jingying",
    question="who",
    pending=Pending("unit", "can", matter="zhaijidi", options=("天河区新塘街道", "增城区新塘镇")),
    fallbacks=2,
    listing=Listing("天河区石牌街道", "行政处罚", 3),
)


def test_round_trip_keeps_everything():
    slots = FULL.to_slots()
    assert State.from_slots(slots) == FULL
    structural = State(pending=Pending("unit", structural="ask_list_powers", text="我们有哪些行政许可"))
    assert State.from_slots(structural.to_slots()) == structural
    assert State.from_slots(State().to_slots()) == State()


def test_slots_hold_plain_json_that_rasa_can_store():
    slots = FULL.to_slots()
    assert slots["fallbacks"] == 2.0 and slots["question"] == "who"
    assert json.loads(slots["pending"]) == {
        "need": "unit",
        "question": "can",
        "matter": "zhaijidi",
        "options": ["天河区新塘街道", "增城区新塘镇"],
    }
    assert json.loads(slots["listing"]) == {"unit": "天河区石牌街道", "power_type": "行政处罚", "page": 3}
    assert State().to_slots() == {
        "unit": None,
        "matter": None,
        "question": None,
        "pending": None,
        "fallbacks": 0.0,
        "listing": None,
    }


def test_slots_written_before_the_split_still_read():
    # The old dialogue wrote None-valued keys; conversations in the tracker store carry them.
    old = {
        "pending": '{"question": "can", "unit": null, "need": "matter"}',
        "fallbacks": 1.0,
        "listing": '{"unit": "白云区江高镇", "power_type": null, "page": 2}',
    }
    state = State.from_slots(old)
    assert state.pending == Pending("matter", "can")
    assert state.listing == Listing("白云区江高镇", None, 2) and state.fallbacks == 1


def test_a_misspelt_key_drops_the_pending_question_loudly(caplog):
    slots = {"unit": "白云区江高镇", "pending": '{"need": "unit", "qustion": "can", "matter": "zhaijidi"}'}
    with caplog.at_level(logging.WARNING, logger="bot.dialogue.state"):
        state = State.from_slots(slots)
    assert state == State(unit="白云区江高镇")
    assert "qustion" in caplog.text


@pytest.mark.parametrize(
    "pending",
    [
        "{not json",
        "[1, 2]",
        '"unit"',
        "{}",  # no need
        '{"need": "office"}',
        '{"need": "unit", "question": "why"}',
        '{"need": "unit", "options": "天河区石牌街道"}',
        '{"need": "unit", "options": [1, 2]}',
        '{"need": "matter", "unit": 42}',
    ],
)
def test_garbled_pending_slot_is_no_pending(pending):
    assert State.from_slots({"pending": pending, "matter": "dibao"}) == State(matter="dibao")


@pytest.mark.parametrize(
    "listing",
    [
        '{"unit": "天河区石牌街道", "page": "2"}',
        '{"unit": "天河区石牌街道", "page": 0}',
        '{"page": 2}',
        '{"unit": "天河区石牌街道", "page": 2, "pages": 5}',
        '{"unit": "天河区石牌街道", "page": true}',
    ],
)
def test_garbled_listing_slot_is_no_listing(listing):
    assert State.from_slots({"listing": listing}).listing is None


@pytest.mark.parametrize(
    "slots",
    [
        {"unit": 3, "matter": ["x"], "question": "maybe", "fallbacks": "x"},
        {"unit": "", "matter": "", "question": "", "fallbacks": None},
        {"fallbacks": -1.0},
        {"fallbacks": True},
        {"pending": 7, "listing": {"unit": None}},
        {"pending": {1: "unit", "need": "unit"}, "listing": {("unit",): 1}},
        {},
    ],
)
def test_any_other_bad_value_gives_an_empty_state(slots):
    assert State.from_slots(slots) == State()


def test_plain_values_are_kept():
    slots = {"unit": "白云区江高镇", "matter": "zhaijidi", "question": "basis", "fallbacks": 2.0}
    assert State.from_slots(slots) == State(unit="白云区江高镇", matter="zhaijidi", question="basis", fallbacks=2)
