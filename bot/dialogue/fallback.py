"""Messages not understood: rephrase, then likely matters to pick from, then a person to ask."""

from __future__ import annotations

from dataclasses import replace

from bot import answer
from bot.dialogue.state import State
from bot.dialogue.turn import Outcome, UnitContext
from bot.kb.types import Knowledge
from bot.matching import likely_matters

REPHRASE = (
    "抱歉，我没有理解您的意思。请换个说法，写明镇街和事项，例如“天河区石牌街道能不能处罚占道经营？”。"
    "输入“帮助”可查看示例。"
)


def not_understood(knowledge: Knowledge, text: str, state: State, units: UnitContext) -> Outcome:
    """One more message not understood; the third in a row hands over to the unit's contact."""
    count = state.fallbacks + 1
    new_state = replace(state, fallbacks=count, pending=None)
    understood = {"question": None, "verdict": "fallback"}
    if count == 1:
        return Outcome(answer.text_reply(REPHRASE), new_state, understood)
    if count == 2:
        return Outcome(answer.fallback_options(likely_matters(knowledge, text)[:3]), new_state, understood)
    return Outcome(answer.handoff(knowledge, units.known), replace(new_state, fallbacks=0), understood)
