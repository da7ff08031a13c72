"""A Rasa NLU component that normalises every message before tokenisation.

It runs for every channel: typed text loses fillers and repetitions; voice
transcripts also get homophones corrected, and when the channel sends
``metadata.asr = {"nbest": [...], "confidence": x}`` the first hypothesis that
names a known unit or matter is used.

The vocabulary is the file ``python -m bot.kb lexicon`` generates from the
knowledge base (``vocabulary_path``, default ``build/asr/vocabulary.txt``); it is
read when the component is created, so a new one needs a restart.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.normalize import Vocabulary, choose_hypothesis, normalize

logger = logging.getLogger(__name__)

ORIGINAL_TEXT = "original_text"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ASRNormalizer(GraphComponent):
    """Put first in the pipeline (before the tokenizer)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"vocabulary_path": "build/asr/vocabulary.txt"}

    def __init__(self, config: dict[str, Any]) -> None:
        path = Path(config.get("vocabulary_path") or "")
        try:
            self.vocabulary: Vocabulary | None = Vocabulary.from_file(path)
        except OSError:
            logger.warning(
                "ASR normaliser: vocabulary %s not found (run `python -m bot.kb lexicon`); homophone correction is off",
                path,
            )
            self.vocabulary = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ASRNormalizer:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if not text:
                continue
            cleaned = normalize(text, self.vocabulary)
            if cleaned == text:
                continue
            entities = _moved_entities(text, cleaned, example.get("entities") or [])
            if entities is None:
                continue  # an annotated span did not survive: keep the example as written
            example.set(TEXT, cleaned)
            if entities:
                example.set("entities", entities)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or text.startswith("/"):
                continue  # button payloads such as /ask_can{"matter": "..."} stay as they are
            cleaned = self._best_text(text, message.get("metadata"))
            if cleaned and cleaned != text:
                message.set(ORIGINAL_TEXT, text, add_to_output=True)
                message.set(TEXT, cleaned, add_to_output=True)
        return messages

    def _best_text(self, text: str, metadata: Any) -> str:
        # Metadata comes from callers: anything that is not {"asr": {"nbest": [str, ...]}} is ignored.
        asr = metadata.get("asr") if isinstance(metadata, dict) else None
        nbest = asr.get("nbest") if isinstance(asr, dict) else None
        if isinstance(nbest, list) and nbest and self.vocabulary is not None:
            hypotheses = [text, *[h for h in nbest if isinstance(h, str)]]
            return choose_hypothesis(hypotheses[:10], self.vocabulary, self._parses)
        return normalize(text, self.vocabulary)

    def _parses(self, text: str) -> bool:
        vocabulary = self.vocabulary
        if vocabulary is None:
            return True
        return any(stem in text for stem in vocabulary.unit_stems) or any(
            term in text for term in vocabulary.by_pinyin.values() if len(term) >= 2 and term not in ("街道", "行政")
        )


def _moved_entities(old: str, new: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Re-anchor annotated spans in the normalised text, or None if one is lost."""
    moved, cursor = [], 0
    for entity in sorted(entities, key=lambda e: e.get("start", 0)):
        span = old[entity["start"] : entity["end"]]
        start = new.find(span, cursor)
        if start < 0:
            return None
        moved.append({**entity, "start": start, "end": start + len(span)})
        cursor = start + len(span)
    return moved
