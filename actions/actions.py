"""Rasa SDK actions: read slots and the message, call ``bot``, render, return events."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue import State, Turn, handle_turn
from bot.errors import KnowledgeError
from bot.kb.provider import default_provider

logger = logging.getLogger(__name__)

UNAVAILABLE = "知识库暂时不可用，无法查询权责清单，请稍后再试。如情况紧急，请联系所在区的区委编办。"


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
            outcome = handle_turn(default_provider().get(), turn, state)
        except KnowledgeError:
            logger.exception("knowledge base unavailable")
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        for msg in outcome.reply.messages:
            dispatcher.utter_message(
                text=msg.text, buttons=[dict(b) for b in msg.buttons] or None, json_message=msg.custom
            )
        logger.info("answered %s", outcome.understood)
        return [SlotSet(name, value) for name, value in outcome.state.to_slots().items()]


def _payload_entities(entities: list[dict[str, Any]]) -> dict[str, str]:
    """Entities set by a button payload (/ask_can{"matter": "code"}), not by NLU.

    NLU-extracted spans are partial guesses; bot/ resolves units and matters
    from the whole text instead.
    """
    return {
        e["entity"]: str(e["value"])
        for e in entities
        if e.get("entity") in ("unit", "matter") and not e.get("extractor") and e.get("value")
    }


def _metadata_unit(metadata: Any) -> str | None:
    if isinstance(metadata, dict):
        unit = metadata.get("unit")
        if isinstance(unit, str) and unit.strip():
            return unit.strip()[:40]
    return None
