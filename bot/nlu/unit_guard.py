"""A Rasa NLU component: small talk never names a town or street of the lists.

The classifier sometimes takes a short power question about a matter the lists do not hold
("北京街道能办理护照吗") for small talk, and the asker is told it is out of scope instead of
"未找到" with whom to ask. A message classified as small talk that names a unit (the lookup
tables' ``unit`` entity) is a power question when it asks something (能, 吗, 归, 批, 谁…), and a
statement of the asker's unit otherwise ("龙归街道，谢谢"). Put it after the entity extractors
and before the FallbackClassifier.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

SMALLTALK = "smalltalk"
_ASKS = re.compile(r"能|可以|可否|是否|吗|么|归|管|批|罚|办|负责|谁|哪")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SmalltalkNamingAUnit(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SmalltalkNamingAUnit:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != SMALLTALK or not _units(message):
                continue
            name = "ask_can" if _ASKS.search(_without_units(message)) else "inform_unit"
            message.set(INTENT, {**intent, INTENT_NAME_KEY: name}, add_to_output=True)
            ranking = message.get(INTENT_RANKING_KEY) or []
            if ranking:
                top = {**ranking[0], INTENT_NAME_KEY: name}
                rest = [r for r in ranking[1:] if r.get(INTENT_NAME_KEY) != name]
                message.set(INTENT_RANKING_KEY, [top, *rest], add_to_output=True)
        return messages


def _without_units(message: Message) -> str:
    """The text with the unit names blanked out (龙归街道 asks nothing)."""
    text = message.get(TEXT) or ""
    for entity in sorted(_units(message), key=lambda e: e.get("start", 0), reverse=True):
        text = text[: entity.get("start", 0)] + " " + text[entity.get("end", 0) :]
    return text


def _units(message: Message) -> list[dict[str, Any]]:
    return [entity for entity in message.get(ENTITIES) or [] if entity.get(ENTITY_ATTRIBUTE_TYPE) == "unit"]
