"""Ask as any unit and see why: the answer card plus the unit resolved, the candidate items
with their scores and the rule that gave the verdict (the verdict engine's trace).

The answer comes from the same dialogue code the action server runs, over the knowledge in
force, in a fresh conversation; nothing is audited, so trying never shows up in the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.dialogue import State, Turn, handle_turn
from bot.dialogue.parse import strip_spans
from bot.kb.types import Knowledge
from bot.matching import matter_index
from bot.semantic import CLARIFY

INTENTS = ("ask_can", "ask_who", "ask_basis")
SOURCE_LABELS = {"message": "问题中提到", "metadata": "所选镇街", "conversation": "对话中", "directory": "用户目录"}
MAX_CANDIDATES = 8


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    score: float
    signal: str  # name / alias / terms / keywords
    evidence: str
    chosen: bool


@dataclass(frozen=True)
class Trial:
    question: str
    intent: str
    messages: tuple[dict[str, Any], ...]  # the reply as the channels get it (text, buttons, custom payload)
    unit: str | None  # the unit the answer is about
    unit_source: str | None  # 问题中提到 / 所选镇街 …
    candidates: tuple[Candidate, ...]
    trace: tuple[str, ...]  # the verdict engine's steps; empty when no verdict was given
    understood: dict[str, Any]
    kb_version: str

    @property
    def payload(self) -> dict[str, Any] | None:
        """The answer card's payload (power_answer or clarify), if any."""
        return next((m["custom"] for m in self.messages if m.get("custom")), None)


def try_question(knowledge: Knowledge, text: str, unit: str | None = None, intent: str = "ask_can") -> Trial:
    """Answer ``text`` as asked by someone of ``unit`` (loose names allowed) in a new conversation.

    Args:
        intent: what the NLU took the question for (the console asks the running model);
            ask_can when unknown.
    """
    turn = Turn(intent=intent or "ask_can", text=text, entities={}, metadata_unit=unit or None)
    outcome = handle_turn(knowledge, turn, State())
    units = outcome.units
    residual = strip_spans(text, units.mention.spans) if units else text
    chosen = outcome.understood.get("matter")
    ranked = matter_index(knowledge).rank(residual)
    candidates = tuple(
        Candidate(c.item.code, c.item.name, round(c.score, 3), c.kind, c.evidence, c.item.code == chosen)
        for c in ranked[:MAX_CANDIDATES]
        if c.score >= CLARIFY / 2 or c.item.code == chosen
    )
    messages = tuple(m.to_dict() for m in outcome.reply.messages)
    payload = next((m["custom"] for m in messages if m.get("custom")), None) or {}
    resolved = units.unit if units else None
    return Trial(
        question=text,
        intent=turn.intent,
        messages=messages,
        unit=outcome.understood.get("unit") or (resolved.full_name if resolved else None),
        unit_source=SOURCE_LABELS.get(units.source or "") if units else None,
        candidates=candidates,
        trace=tuple(payload.get("trace") or ()),
        understood=dict(outcome.understood),
        kb_version=knowledge.version,
    )
