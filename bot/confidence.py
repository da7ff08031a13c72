"""How sure the matcher is of its best candidate, when the lexical rule alone does not answer.

The lexical rule (:func:`bot.semantic.confident`) answers when the item's own words are in the
question. Staff describe situations instead (有人半夜把垃圾倒在村口), and then the evidence is
spread over two signals that each say little alone: the lexical score (shared terms, situation
keywords) and the sentence-embedding similarity, whose values crowd together (0.88–0.94 for most
items) so that only its lead over the other items means something.

A small logistic model turns what both signals say about the best combined candidate into the
probability that it is the item meant: its lexical score and lead, the kind of lexical evidence,
its similarity and lead in standard deviations of that question's similarities, its embedding
rank, whether both signals put it first, the lead of the combined score, whether it is of
the other kind than the question asks for (a licence asked as a penalty), and whether the
character n-gram classifier (:mod:`bot.ngram`) puts it first and how likely it finds it — the
strongest sign: a best candidate that the embedding and the characters agree on is rarely wrong. The coefficients are
fitted on the development split and on rows generated from the knowledge base — matters it does
not hold, duties in other words (``python -m bot.evaluation calibrate``,
:mod:`bot.evaluation.confidence_fit`; the held-out split is never used) — and the answer
threshold is the lowest one that answers no more than 1% of any development group wrongly, by
cross-validated probabilities. Below it the close candidates are offered, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

FEATURES = (
    "lexical",  # lexical score of the best combined candidate
    "lexical_lead",  # … minus the best lexical score of any other item
    "alias",  # its lexical evidence is an alias written in the question
    "keywords",  # … situation keywords
    "terms",  # … shared terms
    "keyword_count",  # how many situation keywords (0 for other evidence)
    "similarity_z",  # its embedding similarity, in standard deviations above the mean item
    "similarity_lead_z",  # its similarity minus the best other item's, in standard deviations
    "similarity_rank",  # its rank by similarity alone (0 = first), capped at 20, / 20
    "lexical_first",  # the lexical ranking puts it first
    "similarity_first",  # the embedding puts it first
    "conflict",  # a licence asked about as a penalty, or the reverse
    "combined_lead",  # its combined score minus the second's
    "ngram_first",  # the character n-gram classifier (bot.ngram) puts it first
    "ngram_probability",  # … and the probability it gives it
)
# Fitted by `calibrate` (reports/baseline/calibration.json, "confidence").
COEFFICIENTS: tuple[float, ...] = (
    -2.9418,  # lexical
    -1.0666,  # lexical_lead
    2.2467,  # alias
    0.4581,  # keywords
    0.5011,  # terms
    1.4877,  # keyword_count
    -0.324,  # similarity_z
    0.5803,  # similarity_lead_z
    -0.6952,  # similarity_rank
    0.5239,  # lexical_first
    -0.1151,  # similarity_first
    -2.2718,  # conflict
    1.0441,  # combined_lead
    1.3944,  # ngram_first
    2.3577,  # ngram_probability
)
INTERCEPT = -1.0109
ANSWER_PROBABILITY = 0.65  # answer the best combined candidate at or above this
OPTIONS_PROBABILITY = 0.7  # offer the best three, not "unknown", at or above this (lexical evidence thin)


Lexical = tuple[str, float, str, str]  # item code, lexical score, kind of evidence, evidence


def features(
    code: str,
    lexical: Sequence[Lexical],
    similarity: Mapping[str, float],
    combined: Sequence[tuple[str, float]],
    conflict: bool,
    ngram: Mapping[str, float],
) -> np.ndarray:
    """The features of candidate ``code`` (the best combined one), in :data:`FEATURES` order.

    Args:
        code: the candidate's item code.
        lexical: the items with lexical evidence, best first.
        similarity: item code -> embedding similarity, for every item.
        combined: (item code, combined score), best first.
        conflict: the candidate is of the other kind than the question asks for.
        ngram: item code -> the character n-gram classifier's probability, for every item.
    """
    own = next((c for c in lexical if c[0] == code), None)
    score, kind, evidence = (own[1], own[2], own[3]) if own else (0.0, "", "")
    best_other = max((c[1] for c in lexical if c[0] != code), default=0.0)
    values = np.fromiter(similarity.values(), dtype=np.float64)
    mean = float(values.mean())
    spread = float(values.std()) or 1.0
    own_similarity = similarity.get(code, mean)
    other_similarity = max((s for k, s in similarity.items() if k != code), default=own_similarity)
    rank = int((values > own_similarity).sum())
    second = combined[1][1] if len(combined) > 1 else 0.0
    return np.array(
        [
            score,
            score - best_other,
            kind == "alias",
            kind == "keywords",
            kind == "terms",
            evidence.count("、") + 1 if kind == "keywords" else 0,
            (own_similarity - mean) / spread,
            (own_similarity - other_similarity) / spread,
            min(rank, 20) / 20,
            bool(lexical) and lexical[0][0] == code,
            rank == 0,
            conflict,
            combined[0][1] - second if combined else 0.0,
            bool(ngram) and max(ngram, key=ngram.__getitem__) == code,
            ngram.get(code, 0.0),
        ],
        dtype=np.float64,
    )


def probability(row: np.ndarray) -> float:
    """The fitted model's probability that the candidate is the item meant."""
    z = INTERCEPT + float(np.dot(COEFFICIENTS, row))
    return float(1.0 / (1.0 + np.exp(-z)))


def answered(row: np.ndarray) -> bool:
    return probability(row) >= ANSWER_PROBABILITY


def worth_options(row: np.ndarray) -> bool:
    """Likely enough to offer the best candidates, though the lexical evidence alone is too thin."""
    return probability(row) >= OPTIONS_PROBABILITY
