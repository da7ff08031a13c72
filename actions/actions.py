"""Rasa SDK actions: read slots and the message, call ``bot``, render, return events.

``bot.service`` reads and writes the database synchronously; each call runs in a worker thread so
that one slow query does not hold up every other conversation on the action server's event loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import service
from bot.answer import Reply
from bot.dialogue import State, Turn
from bot.dialogue.state import changed_slots
from bot.errors import KnowledgeError
from bot.nlu.polarity import rating_of
from bot.nlu.smalltalk import kind_of

logger = logging.getLogger(__name__)

UNAVAILABLE = "知识库暂时不可用，无法查询权责清单，请稍后再试。如情况紧急，请联系所在区的区委编办。"


def _render(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    for msg in reply.messages:
        dispatcher.utter_message(text=msg.text, buttons=[dict(b) for b in msg.buttons] or None, json_message=msg.custom)


def _context(tracker: Tracker) -> service.Context:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return service.Context(
        sender=tracker.sender_id,
        channel=tracker.get_latest_input_channel(),
        confidence=intent.get("confidence"),
        received_at=_received_at(tracker),
    )


def _received_at(tracker: Tracker) -> float | None:
    """When Rasa received the message (its user event's Unix time): the start of the answer's latency."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            stamp = event.get("timestamp")
            return float(stamp) if isinstance(stamp, (int, float)) else None
    return None


class ActionAnswerPower(Action):
    def name(self) -> str:
        return "action_answer_power"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        turn = Turn(
            intent=(message.get("intent") or {}).get("name") or "nlu_fallback",
            text=message.get("text") or "",
            entities=_payload_entities(message.get("entities") or []),
            metadata_unit=_metadata_unit(message.get("metadata")),
        )
        state = State.from_slots(tracker.current_slot_values())
        try:
            outcome = await asyncio.to_thread(service.answer_turn, turn, state, _context(tracker))
        except KnowledgeError:
            logger.exception("knowledge base unavailable")
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        _render(dispatcher, outcome.reply)
        logger.info("answered %s", outcome.understood)
        return _slot_events(outcome.state, tracker)


class ActionForgetUnit(Action):
    def name(self) -> str:
        return "action_forget_unit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        _render(dispatcher, await asyncio.to_thread(service.forget_unit, tracker.sender_id))
        return _slot_events(replace(State.from_slots(tracker.current_slot_values()), unit=None, pending=None), tracker)


class ActionFeedback(Action):
    def name(self) -> str:
        return "action_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        message = tracker.latest_message or {}
        rating = rating_of(message.get("text"))
        _render(dispatcher, await asyncio.to_thread(service.feedback, tracker.sender_id, rating, message.get("text")))
        return []


class ActionSmalltalk(Action):
    """One small-talk intent; the words choose the greeting, thanks, farewell, help or introduction:
    the kind goes into the slot ``smalltalk``, and the rule's utter_smalltalk says that variation."""

    def name(self) -> str:
        return "action_smalltalk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        return [SlotSet("smalltalk", kind_of((tracker.latest_message or {}).get("text")))]


def _slot_events(state: State, tracker: Tracker) -> list[dict[str, Any]]:
    """SlotSet events for the slots this turn changed only: each event is stored and replayed."""
    return [SlotSet(name, value) for name, value in changed_slots(state, tracker.current_slot_values()).items()]


def _payload_entities(entities: list[dict[str, Any]]) -> dict[str, str]:
    """Entities set by a button payload (/ask_can{"matter": "code"}), not by NLU.

    NLU-extracted spans are partial guesses; bot/ resolves units and matters
    from the whole text instead. Rasa 3.6 marks a button payload's entities as
    extracted by its RegexMessageHandler.
    """
    return {
        e["entity"]: str(e["value"])
        for e in entities
        if e.get("entity") in ("unit", "matter")
        and e.get("extractor") in (None, "RegexMessageHandler")
        and e.get("value")
    }


def _metadata_unit(metadata: Any) -> str | None:
    if isinstance(metadata, dict):
        unit = metadata.get("unit")
        if isinstance(unit, str) and unit.strip():
            return unit.strip()[:40]
    return None
