"""The asker's unit, resolved once per turn."""

from __future__ import annotations

from bot.dialogue import State, Turn, handle_turn, resolve_units


def units(knowledge, text="我们能审批宅基地吗", state_unit=None, metadata=None, directory=None, entities=None):
    turn = Turn("ask_can", text, entities or {}, metadata, directory)
    return resolve_units(knowledge, turn, State(unit=state_unit))


def test_the_message_outranks_the_conversation_the_channel_and_the_directory(knowledge):
    every = dict(state_unit="天河区五山街道", metadata="增城区荔城街道", directory="白云区江高镇")
    named = units(knowledge, "石牌街道能审批宅基地吗", **every)
    assert (named.unit.full_name, named.source) == ("天河区石牌街道", "message")
    assert named.known.full_name == "天河区五山街道"
    assert units(knowledge, **every).source == "conversation"
    assert units(knowledge, metadata="增城区荔城街道", directory="白云区江高镇").source == "metadata"
    only = units(knowledge, directory="白云区江高镇")
    assert (only.unit.full_name, only.source) == ("白云区江高镇", "directory")
    assert units(knowledge).unit is None and units(knowledge).source is None


def test_names_that_match_no_unit_are_skipped(knowledge):
    ctx = units(knowledge, state_unit="不存在街道", metadata="  ", directory="增城区荔城街道")
    assert ctx.conversation is None and ctx.metadata is None
    assert (ctx.unit.full_name, ctx.source) == ("增城区荔城街道", "directory")


def test_a_button_payload_names_the_unit(knowledge):
    ctx = units(knowledge, "/ask_can", entities={"unit": "越秀区北京街道"}, state_unit="天河区五山街道")
    assert (ctx.unit.full_name, ctx.source) == ("越秀区北京街道", "message")


def test_several_units_named_leave_the_turn_unit_to_the_context(knowledge):
    ctx = units(knowledge, "新塘能不能批宅基地", state_unit="天河区五山街道")
    assert ctx.mention.ambiguous and ctx.unit.full_name == "天河区五山街道"


def test_the_outcome_carries_the_resolved_units(knowledge):
    out = handle_turn(knowledge, Turn("ask_can", "我们能审批宅基地吗", {}, "白云区江高镇"), State())
    assert out.units.metadata.full_name == "白云区江高镇" and out.units.source == "metadata"
    assert out.reply.messages[1].custom["unit"]["name"] == "白云区江高镇"
