"""Fit the matcher's confidence model (:mod:`bot.confidence`) and choose its answer threshold.

Training rows are the features of the best combined candidate of every question the lexical rule
does not answer, labelled by whether that candidate is the item meant. They come from two sources:

* the development split of the evaluation set (never the held-out split);
* the knowledge base itself, so that the model also learns from matters nobody has asked about:
  every item's name core and first aliases asked with that item left out of the index (a matter
  the base does not hold: whatever comes first is wrong, which teaches the model what "nearly
  fits" looks like), and the post duties that name one item and the cases told of each item
  (``situations.csv``), each with its own passage masked out of the embedding index (it is then a
  description in other words).

The knowledge-base rows weigh ``KB_WEIGHT`` times the development rows in total. The threshold is
chosen on cross-validated probabilities of the development rows (each predicted by a model not
fitted on it), so that it is not chosen on the very rows the model has learnt: the lowest one at
which no development group answers more than ``MAX_WRONG`` of its questions wrongly. Where the
lexical evidence is too thin to offer options by itself, options are still offered from the
lowest probability at which no more than ``OPTIONS_UNKNOWN_SHARE`` of the development questions
about a matter the base does not hold would see them instead of "unknown" (three items offered
for a matter outside the list mislead, though the asker can still answer "都不是"); below it the
asker is told "unknown".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

from bot import confidence
from bot.evaluation.cases import Case
from bot.kb.embeddings import embed_query, passages
from bot.kb.types import Knowledge
from bot.matching import Candidate, MatterIndex, names_another_licence
from bot.question_words import clean_question, name_core

KB_WEIGHT = 2.0  # chosen on the development split among 0.5, 1, 2, 4, 8
C = 3.0  # inverse regularisation strength
FOLDS = 10
ALIASES_PER_ITEM = 4
PROBABILITIES = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
OPTION_PROBABILITIES = (0.3, 0.4, 0.5, 0.6, 0.7)
OPTIONS_UNKNOWN_SHARE = 0.1  # of the development questions about matters the base does not hold
Row = tuple[Case, str, str | None]


def _row(
    index: MatterIndex, question: str, ranked: list[Candidate], similarity: dict[str, float], ngram: dict[str, float]
) -> tuple[np.ndarray | None, str | None]:
    combined, row = index.scored(question, ranked, similarity, ngram)
    if not combined:
        return None, None
    return row, combined[0].item.code


def knowledge_rows(index: MatterIndex, knowledge: Knowledge) -> tuple[list[np.ndarray], list[bool]]:
    """Rows generated from the knowledge base (see the module docstring)."""
    semantic = index.semantic
    if semantic is None:
        return [], []
    texts = np.array([text for _, text in passages(knowledge)], dtype=object)

    def similarity(question: str, leave_out: str | None, mask: str | None) -> dict[str, float]:
        sims = semantic.matrix @ embed_query(clean_question(question))
        if mask is not None:
            sims = np.where(texts == mask, -1.0, sims)
        best = np.full(len(semantic.codes), -1.0, dtype=np.float32)
        np.maximum.at(best, semantic.rows, sims)
        return {code: float(best[i]) for i, code in enumerate(semantic.codes) if code != leave_out}

    def ngram(question: str, leave_out: str | None, mask: str | None) -> dict[str, float]:
        if index.ngram is None:
            return {}
        return index.ngram.probabilities(clean_question(question), mask=mask, leave_out=leave_out)

    rows: list[np.ndarray] = []
    labels: list[bool] = []
    told = [(duty.text, duty.items[0]) for post in knowledge.posts for duty in post.duties if len(duty.items) == 1]
    told += [(text, item.code) for item in knowledge.items.values() for text in item.situations]
    for text, code in told:
        if code not in knowledge.items:
            continue
        ranked = index.lexical_rank(text)
        if index.named(text) or index.sure(text, ranked):
            continue
        row, top = _row(index, text, ranked, similarity(text, None, text), ngram(text, None, text))
        if row is not None:
            rows.append(row)
            labels.append(top == code)
    for item in knowledge.items.values():
        for question in dict.fromkeys([name_core(item.name), *item.aliases[:ALIASES_PER_ITEM]]):
            if len(question) < 2:
                continue
            ranked = [c for c in index.lexical_rank(question) if c.item.code != item.code]
            if index.sure(question, ranked):
                continue
            row, _ = _row(
                index, question, ranked, similarity(question, item.code, None), ngram(question, item.code, None)
            )
            if row is not None:
                rows.append(row)
                labels.append(False)
    return rows, labels


def fit(index: MatterIndex, knowledge: Knowledge, dev: list[Row], max_wrong: float) -> dict[str, Any]:
    """Fit the model, set it in :mod:`bot.confidence`, and return what was chosen."""
    from sklearn.linear_model import LogisticRegression  # calibration only: not needed to serve
    from sklearn.model_selection import StratifiedKFold

    saved = confidence.ANSWER_PROBABILITY
    confidence.ANSWER_PROBABILITY = 1.01
    wrong: dict[str, Counter[str]] = defaultdict(Counter)  # the lexical rule's own outcomes
    residual: list[tuple[str, np.ndarray, bool]] = []  # (group, features, right)
    never: set[int] = set()  # residual rows the matcher does not answer whatever the model says
    not_held: list[int] = []  # residual rows about a matter the base does not hold
    for case, question, gold in dev:
        match = index.match(question)
        wrong[case.group]["n"] += 1
        wrong[case.group]["wrong"] += match.item is not None and match.item.code != gold
        ranked = index.lexical_rank(question)
        if not index.named(question) and not index.sure(question, ranked):
            combined, row = index.combined(question, ranked)
            if row is not None:
                if gold is None:
                    not_held.append(len(residual))
                if names_another_licence(combined[0].item, question, index.licences):
                    never.add(len(residual))
                residual.append((case.group, row, combined[0].item.code == gold))
    confidence.ANSWER_PROBABILITY = saved
    x = np.array([r for _, r, _ in residual])
    y = np.array([right for _, _, right in residual])
    kb_x, kb_y = knowledge_rows(index, knowledge)

    def model(rows: np.ndarray, labels: np.ndarray) -> Any:
        weights = np.ones(len(labels))
        if kb_x:
            rows, labels = np.vstack([rows, kb_x]), np.concatenate([labels, kb_y])
            weights = np.concatenate([weights, np.full(len(kb_y), KB_WEIGHT * len(weights) / len(kb_y))])
        return LogisticRegression(C=C, max_iter=5000).fit(rows, labels, sample_weight=weights)

    held = np.zeros(len(y))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(x, y):
        held[test] = model(x[train], y[train]).predict_proba(x[test])[:, 1]
    threshold = 1.01
    for candidate in PROBABILITIES:
        extra: Counter[str] = Counter(
            g
            for i, ((g, _, right), p) in enumerate(zip(residual, held, strict=True))
            if p >= candidate and not right and i not in never
        )
        if all(c["wrong"] + extra[g] <= max_wrong * c["n"] for g, c in wrong.items()):
            threshold = candidate
            break
    # Options instead of "unknown" from the lowest probability at which few questions about a matter
    # the base does not hold would see them.
    allowed = OPTIONS_UNKNOWN_SHARE * wrong["unknown"]["n"]
    options = next((p for p in OPTION_PROBABILITIES if sum(held[i] >= p for i in not_held) <= allowed), 1.01)
    fitted = model(x, y)
    confidence.COEFFICIENTS = tuple(round(float(c), 4) for c in fitted.coef_[0])
    confidence.INTERCEPT = round(float(fitted.intercept_[0]), 4)
    confidence.ANSWER_PROBABILITY = threshold
    confidence.OPTIONS_PROBABILITY = options
    return {
        "COEFFICIENTS": dict(zip(confidence.FEATURES, confidence.COEFFICIENTS, strict=True)),
        "INTERCEPT": confidence.INTERCEPT,
        "ANSWER_PROBABILITY": threshold,
        "OPTIONS_PROBABILITY": options,
        "fitted_on": {"dev": len(y), "knowledge_base": len(kb_y), "knowledge_base_right": int(sum(kb_y))},
    }
