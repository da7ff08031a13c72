"""The matcher's learned signal: sentence-embedding similarity of a question to each item.

Each item's score is the best cosine similarity between the question (``query: ``) and the
item's passages (``passage: ``; :mod:`bot.kb.embeddings`). :func:`combine` adds it to the
lexical score with the weight and floor chosen on the development split of the evaluation
set (``python -m bot.evaluation calibrate``; held-out questions are never used), so a
matter described in other words still finds its item; whether the combined best is answered
is decided by the confidence model (:mod:`bot.confidence`, see :mod:`bot.matching`).

Set ``MATCHER_EMBEDDINGS=0`` to run on the lexical signal alone (e.g. where the model
cannot load); the thresholds then fall back to the lexical ones.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np

from bot.kb.embeddings import embed_query, passage_vectors
from bot.kb.types import Knowledge

log = logging.getLogger(__name__)

# Calibrated on the development split (reports/baseline/calibration.json); see module docstring.
WEIGHT = 6.0  # combined = lexical + WEIGHT * max(0, similarity - FLOOR)
FLOOR = 0.8
NGRAM_WEIGHT = 0.6  # … + NGRAM_WEIGHT * the character n-gram classifier's probability (bot.ngram)
SHORTLIST = 8
ANSWER = 0.8  # answer when the best lexical score reaches this (per kind of evidence)…
ANSWER_BY_KIND = {"alias": 0.8, "terms": 0.5, "keywords": 0.8}
MARGIN = 0.15  # …and leads the second by this much
CLARIFY = 0.4  # below: unknown; between: the close candidates (with the learned signal) are offered
OPTION_SPAN = 0.25  # candidates this close to the best are offered


def enabled() -> bool:
    return os.environ.get("MATCHER_EMBEDDINGS", "1") != "0"


@dataclass
class SemanticIndex:
    codes: tuple[str, ...]  # item code of each column of the item scores
    rows: np.ndarray  # item column of each passage row
    matrix: np.ndarray  # passage vectors

    @classmethod
    def build(cls, knowledge: Knowledge) -> SemanticIndex | None:
        if not enabled():
            return None
        try:
            vectors = passage_vectors(knowledge)
        except (ImportError, OSError, RuntimeError) as exc:  # no model: lexical signal only
            log.warning("sentence embeddings unavailable, matching lexically: %s", exc)
            return None
        codes = tuple(knowledge.items)
        column = {code: i for i, code in enumerate(codes)}
        rows = np.array([column[c] for c in vectors.codes], dtype=np.int64)
        return cls(codes, rows, vectors.matrix)

    def similarities(self, question: str) -> dict[str, float]:
        """Each item's best passage similarity to ``question``."""
        sims = self.matrix @ embed_query(question)
        best = np.full(len(self.codes), -1.0, dtype=np.float32)
        np.maximum.at(best, self.rows, sims)
        return {code: float(best[i]) for i, code in enumerate(self.codes)}


def confident(kind: str, best: float, second: float) -> bool:
    """Whether the lexical best, found by ``kind`` of evidence, is answered outright."""
    threshold = ANSWER_BY_KIND.get(kind, ANSWER)
    return best >= threshold - 1e-9 and best - second >= MARGIN - 1e-9


def boost(similarity: float) -> float:
    return WEIGHT * max(0.0, similarity - FLOOR)


def shortlist(similarities: dict[str, float]) -> list[str]:
    return sorted(similarities, key=lambda c: -similarities[c])[:SHORTLIST]
