"""One conversational turn: which unit, which matter, what answer.

The Rasa action only reads slots and the message, calls :func:`handle_turn` and writes back the
new state; every decision about units, matters, context and clarification is made here, in plain
Python. The package is split by job:

- ``state``: what the conversation remembers (typed) and its one mapping to and from Rasa slots;
- ``turn``: the message in, the asker's unit resolved once (:class:`UnitContext`), the outcome out;
- ``parse``: understanding a message (units, matters, choices, subjects of structural questions);
- ``power``: can / who / basis questions and unit statements;
- ``choices``: picking one of the options offered;
- ``fallback``: messages not understood;
- ``kinds``: kinds of question told apart by their words, whatever the intent (work orders, offices…);
- ``structural``: questions about the lists as a whole, rendered by ``bot.structure`` and ``bot.overview``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.dialogue import choices, kinds, parse, power, structural
from bot.dialogue.state import Listing, Pending, State
from bot.dialogue.turn import Outcome, Turn, UnitContext, resolve_units
from bot.kb.types import Knowledge
from bot.question_words import asks_who

__all__ = ["Listing", "Outcome", "Pending", "State", "Turn", "UnitContext", "handle_turn", "resolve_units"]


def handle_turn(knowledge: Knowledge, turn: Turn, state: State) -> Outcome:
    """Answer one user message, using and updating the state."""
    units = resolve_units(knowledge, turn, state)
    outcome = replace(_dispatch(knowledge, turn, state, units), units=units)
    introduced = parse.introduced_and_asked(knowledge, turn.text)
    if introduced is not None and outcome.remember_unit is None:
        outcome = replace(outcome, remember_unit=introduced[0].full_name)  # "我是X的，Y能…": X is the asker's
    return outcome


def _dispatch(knowledge: Knowledge, turn: Turn, state: State, units: UnitContext) -> Outcome:
    if choices.is_choice(turn, state):
        chosen = choices.answer_choice(knowledge, turn, state, units)
        if chosen is not None:
            return chosen
    if turn.intent == "ask_push_down" and not kinds.is_pushed_work(turn.text):
        turn = replace(turn, intent="ask_can")  # nobody hands the work down: a question about a power
    if _not_its_subject(knowledge, turn) and (
        turn.intent in _USELESS_WITHOUT_SUBJECT or parse.item_in(knowledge, turn.text, units.mention) is not None
    ):
        # A matter, and nothing of the question the intent names: who holds it, or whether the unit does.
        turn = replace(turn, intent="ask_who" if asks_who(turn.text) else "ask_can")
    if turn.intent in ("ask_who", "ask_can") and _asks_who_manages_an_agency(knowledge, turn, units):
        turn = replace(turn, intent="ask_agency")  # 派出所归街道管还是归分局管: the agency itself
    kind = kinds.kind_of(knowledge, turn, state, units)
    if kind is not None:
        return structural.answer_structural(knowledge, replace(turn, intent=kind), state, units)
    if turn.intent in structural.STRUCTURAL_INTENTS:
        return structural.answer_structural(knowledge, turn, state, units)
    return power.answer_question(knowledge, turn, state, units)


# Their replies say nothing of any matter: without their subject (two units to compare, an agency),
# the message is a power question even when no matter of the lists is named (网吧许可是镇里批吗).
_USELESS_WITHOUT_SUBJECT = ("ask_compare", "ask_agency")


_MANAGED_BY = re.compile(r"归.{0,8}管|谁管|管理关系|隶属|归属|领导")


def _asks_who_manages_an_agency(knowledge: Knowledge, turn: Turn, units: UnitContext) -> bool:
    """A stationed agency named, no matter of the lists, and who manages it asked."""
    return (
        _MANAGED_BY.search(turn.text) is not None
        and parse.find_agency(knowledge, turn.text) is not None
        and parse.item_in(knowledge, turn.text, units.mention) is None
    )


def _not_its_subject(knowledge: Knowledge, turn: Turn) -> bool:
    """A document, version, reform-fact, list, comparison or agency intent on a message with nothing
    of such a question."""
    if turn.intent == "ask_fact":
        return parse.match_fact(knowledge, turn.text) is None
    if turn.intent == "ask_compare" and not kinds.asks_to_compare(turn.text):
        # 多/少/也有 compare only two units named (好多流浪狗 is no comparison).
        return len(parse.units_in_parts(knowledge, turn.text)) < 2 or kinds.lacks_subject(turn.intent, turn.text)
    return kinds.lacks_subject(turn.intent, turn.text)
