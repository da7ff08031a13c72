"""Questions about one power: can / who / basis, for a unit and a matter.

Decides which unit and which matter a question is about (from the message, the conversation and
the channel), asks for whichever is missing or ambiguous, and answers once both are known.
"""

from __future__ import annotations

from dataclasses import replace

from bot import answer, overview
from bot.dialogue import fallback, structural
from bot.dialogue.kinds import vague_power_type
from bot.dialogue.parse import (
    has_matter_words,
    is_elliptical_follow_up,
    is_self_introduction,
    speaks_of_own_unit,
    strip_spans,
)
from bot.dialogue.state import Pending, Question, State
from bot.dialogue.turn import QUESTION_OF_INTENT, Outcome, Turn, UnitContext, resolve_units
from bot.kb.types import UNIT_KIND_LABELS, ItemInfo, Knowledge, UnitInfo
from bot.matching import clean_question, match_matter
from bot.question_words import asks_basis, asks_only_whether, asks_only_who
from bot.verdict import decide

MAX_UNIT_OPTIONS = 30


def answer_question(knowledge: Knowledge, turn: Turn, state: State, units: UnitContext) -> Outcome:
    """A power question, a unit statement, or a message that only a fallback can answer."""
    text = turn.text.strip()
    mention = units.mention
    question = QUESTION_OF_INTENT.get(turn.intent)
    elliptical = is_elliptical_follow_up(text, knowledge)
    if state.question and elliptical:
        question = state.question  # "那X呢": the classifier's guess between can / who / basis is arbitrary

    # Matter: a button payload wins, then the text, then the conversation.
    residual = strip_spans(text, mention.spans)
    item: ItemInfo | None = knowledge.items.get(turn.entities.get("matter", "")) if turn.entities else None
    match = None
    # "那能罚款吗" after a matter: a power type and nothing else asks about that matter again.
    follow_up = state.matter is not None and vague_power_type(residual) is not None
    if item is None and not follow_up:
        match = match_matter(knowledge, residual)
        item = match.item
    ambiguous_matter = match is not None and match.ambiguous

    # A unit named beside words of a matter we do not hold (琶洲街道能发出租车营运证吗) is a
    # question to answer "未找到", not a unit statement; a self-introduction stays one.
    only_a_unit = not has_matter_words(_without_districts(knowledge, residual)) or is_self_introduction(text)
    if turn.intent == "inform_unit" and item is None and not ambiguous_matter and only_a_unit:
        return unit_statement(knowledge, turn, state, units)

    if question is None and item is None and not ambiguous_matter:
        # Low NLU confidence and no matter we know: a bare unit name is still
        # a unit statement; anything else gets a rephrase suggestion.
        if mention.units and only_a_unit:
            return unit_statement(knowledge, turn, state, units)
        if not mention.units:
            return fallback.not_understood(knowledge, text, state, units)

    if question is None:
        # inform_unit carrying a matter, or an unclassified message with a clear matter.
        question = (state.pending.question if state.pending else None) or "can"
    # The words outrank the classifier when they ask one thing only: 这个归谁罚？ asks nothing of
    # whether, 街道有这个服务吗？ nothing of who.
    if question == "can" and asks_only_who(text):
        question = "who"
    elif question == "who" and asks_only_whether(text):
        question = "can"
    if question == "can" and asks_basis(text) and not elliptical:
        question = "basis"  # 能处理吗，依据是啥: the basis answer says whether the unit can, too

    if mention.ambiguous:
        options = tuple(u.full_name for u in mention.units)
        pending = Pending("unit", question, matter=item.code if item else None, options=options)
        return Outcome(
            answer.clarify_unit(list(options), "您说的镇街有重名，请问是哪一个？"),
            replace(state, pending=pending),
            {"question": question, "clarify": "unit"},
        )

    unit = units.unit
    if item is None and match is not None and match.ambiguous:
        candidates = [c.item for c in match.candidates]
        pending = Pending("matter", question, unit=_name(unit), options=tuple(i.code for i in candidates))
        return Outcome(
            answer.clarify_matter(question, candidates),
            replace(state, pending=pending, unit=_name(unit) or state.unit),
            {"question": question, "clarify": "matter"},
        )

    if item is None:
        if has_matter_words(residual):
            return _unknown(knowledge, question, unit, residual, state)
        item = knowledge.items.get(state.matter or "")
        if item is None:
            return ask_for_matter(question, unit, state)
    if unit is None and (question == "basis" or (question == "who" and not speaks_of_own_unit(text))):
        # "我们镇…归谁处理" wants the answer for the asker's unit: that one asks for the unit.
        return _basis_overview(knowledge, question, item, state)
    if unit is None:
        district = mention.district
        nearby = [u.full_name for u in knowledge.units if u.district == district] if district else []
        return Outcome(
            answer.clarify_unit(nearby[:MAX_UNIT_OPTIONS]),
            replace(state, pending=Pending("unit", question, matter=item.code), matter=item.code, question=question),
            {"question": question, "matter": item.code, "clarify": "unit"},
        )
    return answer_power(knowledge, question, unit, item)


def answer_power(knowledge: Knowledge, question: Question, unit: UnitInfo, item: ItemInfo) -> Outcome:
    """The verdict on ``item`` for ``unit``; the conversation now is about both."""
    verdict = decide(knowledge, unit, item)
    return Outcome(
        answer.power_answer(question, verdict, knowledge),
        State(unit=unit.full_name, matter=item.code, question=question),
        {"question": question, "unit": unit.full_name, "matter": item.code, "verdict": verdict.verdict},
    )


def _basis_overview(knowledge: Knowledge, question: Question, item: ItemInfo, state: State) -> Outcome:
    """The law and the level holding the power do not depend on the unit: answered now; naming the
    unit next answers the question for it."""
    return Outcome(
        overview.legal_basis_overview(knowledge, item, question),
        replace(state, pending=Pending("unit", question, matter=item.code), matter=item.code, question=question),
        {"question": question, "matter": item.code, "verdict": "overview"},
    )


def ask_for_matter(question: Question, unit: UnitInfo | None, state: State) -> Outcome:
    """Ask which matter; the question (and the unit, if known) waits for it."""
    return Outcome(
        answer.clarify_matter(question, []),
        replace(state, pending=Pending("matter", question, unit=_name(unit)), unit=_name(unit) or state.unit),
        {"question": question, "clarify": "matter"},
    )


def _without_districts(knowledge: Knowledge, text: str) -> str:
    """The text without district names (天河区的新塘街道 names only a unit)."""
    for district in knowledge.districts:
        text = text.replace(district, " ").replace(district[:-1], " ")
    return text


def unit_statement(knowledge: Knowledge, turn: Turn, state: State, units: UnitContext) -> Outcome:
    """The user names a unit: it answers a waiting question, repeats the last one, or is noted."""
    mention = units.mention
    if mention.ambiguous:
        options = tuple(u.full_name for u in mention.units)
        clarifying = replace(state.pending or Pending("unit"), need="unit", options=options)
        return Outcome(
            answer.clarify_unit(list(options), "您说的镇街有重名，请问是哪一个？"),
            replace(state, pending=clarifying),
            {"clarify": "unit"},
        )
    unit = mention.unit
    if unit is None:
        return Outcome(
            answer.clarify_unit([], "没能识别出镇街名称，请写全称，例如“天河区石牌街道”或“白云区江高镇”。"),
            state,
            {"clarify": "unit"},
        )
    pending = state.pending
    if pending is not None and pending.need == "unit" and pending.structural in structural.STRUCTURAL_INTENTS:
        # The structural question asked before the unit was known, answered now for this unit.
        asked = replace(turn, intent=pending.structural, text=pending.text)
        cleared = replace(state, pending=None, unit=unit.full_name)
        return structural.answer_structural(knowledge, asked, cleared, resolve_units(knowledge, asked, cleared))
    if pending is not None and pending.need == "unit" and pending.question:
        waiting = knowledge.items.get(pending.matter or "")
        if waiting is not None:
            return answer_power(knowledge, pending.question, unit, waiting)
    is_intro = is_self_introduction(turn.text.strip())
    last_item = knowledge.items.get(state.matter or "")
    if not is_intro and last_item is not None and state.question:
        # "那沙河街道呢？" — the last question, asked again for another unit.
        return answer_power(knowledge, state.question, unit, last_item)
    text_out = (
        f"好的，已记下：{unit.full_name}（{UNIT_KIND_LABELS[unit.kind]}）。"
        f"您可以直接问我，例如“我们能不能处罚占道经营？”“宅基地审批归哪个办公室？”“依据哪条法律？”"
    )
    return Outcome(
        answer.text_reply(text_out),
        replace(state, unit=unit.full_name, pending=None),
        {"unit": unit.full_name},
        remember_unit=unit.full_name if is_intro else None,
    )


def _unknown(knowledge: Knowledge, question: Question, unit: UnitInfo | None, residual: str, state: State) -> Outcome:
    asked = clean_question(residual) or residual
    return Outcome(
        answer.unknown_matter(question, unit, knowledge, asked[:40]),
        replace(state, unit=_name(unit) or state.unit, question=question, pending=None),
        {"question": question, "unit": _name(unit), "matter": None, "verdict": "unknown"},
    )


def _name(unit: UnitInfo | None) -> str | None:
    return unit.full_name if unit is not None else None
