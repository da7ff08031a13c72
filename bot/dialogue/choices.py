"""Picking one of the options offered (units with the same name, close matters).

A pick is by number or ordinal ("第二个", "最后一个") or by repeating the option's name; it
answers the question that was waiting for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot import answer
from bot.dialogue.parse import looks_like_choice, option_number
from bot.dialogue.power import answer_power, ask_for_matter
from bot.dialogue.state import Pending, State
from bot.dialogue.turn import Outcome, Turn, UnitContext
from bot.kb.types import Knowledge
from bot.matching import match_matter
from bot.units import find_unit, resolve_unit

NO_CHOICE = "没有可选的选项，或没能对应到选项。请直接告诉我镇街名称和要问的事项。"


@dataclass(frozen=True)
class Choice:
    """The option picked: a unit's full name or an item code."""

    unit: str | None = None
    matter: str | None = None


def is_choice(turn: Turn, state: State) -> bool:
    """Whether the message should be read as picking an option."""
    return turn.intent == "choose_option" or (state.pending is not None and looks_like_choice(turn.text.strip()))


def answer_choice(knowledge: Knowledge, turn: Turn, state: State, units: UnitContext) -> Outcome | None:
    """The waiting question answered with the option picked; None when the message picks nothing
    and may still be a question of its own."""
    chosen = choose(knowledge, turn.text.strip(), state.pending)
    if chosen is not None and state.pending is not None:
        return _chosen(knowledge, chosen, state.pending, state, units)
    if turn.intent == "choose_option":
        return Outcome(answer.text_reply(NO_CHOICE), replace(state, pending=None), {"question": None})
    return None


def choose(knowledge: Knowledge, text: str, pending: Pending | None) -> Choice | None:
    """The option ``text`` picks by number, ordinal, or name; None when nothing fits."""
    if pending is None or not pending.options:
        return None
    options = pending.options
    number = option_number(text, len(options))
    if number is not None:
        return _pick(pending, options[number - 1])
    if pending.need == "unit":
        mention = resolve_unit(knowledge, text)
        if mention.unit is not None and mention.unit.full_name in options:
            return Choice(unit=mention.unit.full_name)
    else:
        for candidate in match_matter(knowledge, text).candidates:
            if candidate.item.code in options:
                return Choice(matter=candidate.item.code)
    return None


def _pick(pending: Pending, option: str) -> Choice:
    return Choice(unit=option) if pending.need == "unit" else Choice(matter=option)


def _chosen(knowledge: Knowledge, chosen: Choice, pending: Pending, state: State, units: UnitContext) -> Outcome:
    question = pending.question or "can"
    named = chosen.unit or pending.unit
    unit = find_unit(knowledge, named) if named else units.known
    item = knowledge.items.get(chosen.matter or pending.matter or "")
    cleared = replace(state, pending=None)
    if item is None:
        return ask_for_matter(question, unit, cleared)
    if unit is None:
        return Outcome(
            answer.clarify_unit([]),
            replace(cleared, pending=Pending("unit", question, matter=item.code), matter=item.code),
            {"question": question, "clarify": "unit"},
        )
    return answer_power(knowledge, question, unit, item)
