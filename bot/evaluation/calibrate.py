"""Choose the learned signal's weight and the answer / clarify / unknown thresholds on the
development split (``python -m bot.evaluation calibrate``), never on the held-out one.

For every single-turn question of the evaluation set whose expected answer names an item
(or is ``unknown``), the matcher's decision is simulated without the servers: answered
right, answered wrong, options offered, or unknown. The chosen setting answers the most
development questions right while no group answers more than ``MAX_WRONG`` of its
questions wrongly by the lexical score alone. Then, for each weight of the learned signal in the
combined score, the confidence model (:mod:`bot.confidence`) that answers the best combined
candidate when the lexical rule does not is fitted, with the lowest answer threshold that keeps
every development group within ``MAX_WRONG``; the weight helping the most development
questions (answered right, or options holding the item meant) is kept. The result is written to
``reports/calibration.json`` with the figures of both splits, and copied by hand into
:mod:`bot.semantic` and :mod:`bot.confidence`.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bot import confidence, semantic
from bot.evaluation import confidence_fit
from bot.evaluation.cases import Case, exact_name_cases, load_cases
from bot.evaluation.qa import without_unit
from bot.kb.types import Knowledge
from bot.matching import MatterIndex, MatterMatch

MAX_WRONG = 0.01
WEIGHTS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)
NGRAM_WEIGHTS = (0.0, 0.3, 0.6)
FLOORS = (0.80, 0.83, 0.85, 0.87)
ANSWERS = tuple(round(0.5 + 0.05 * i, 2) for i in range(21))
MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)
CLARIFIES = (0.4, 0.45)
ALIAS_ANSWERS = (0.8, 0.85, 0.9, 0.95, 1.0, 9.0)  # alias scores: 0.8 (two characters) … 1.0
KEYWORD_ANSWERS = (0.75, 0.8, 0.85, 0.9, 9.0)
KEYS = ("ANSWER_BY_KIND", "MARGIN", "CLARIFY", "WEIGHT", "NGRAM_WEIGHT", "FLOOR")
CONFIDENCE_KEYS = ("COEFFICIENTS", "INTERCEPT", "ANSWER_PROBABILITY", "OPTIONS_PROBABILITY")
Row = tuple[Case, str, str | None]


def questions(knowledge: Knowledge) -> list[Row]:
    """(case, question without the unit, expected item code or None for unknown)."""
    out = []
    for case in load_cases() + exact_name_cases(knowledge):
        expect = case.expect
        if not case.single_turn:
            continue
        if expect.get("type") == "power_answer" and expect.get("item"):
            out.append((case, without_unit(knowledge, case.question), expect["item"]))
        elif case.group == "unknown":
            out.append((case, without_unit(knowledge, case.question), None))
    return out


def outcome(match: MatterMatch, gold: str | None) -> str:
    if match.item is not None:
        return "right" if match.item.code == gold else "wrong"
    if match.unknown:
        return "right" if gold is None else "unknown"
    return "clarified+" if gold in {c.item.code for c in match.candidates} else "clarified"


def evaluate(index: MatterIndex, rows: list[Row]) -> dict[str, Counter[str]]:
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for case, question, gold in rows:
        groups[case.group][outcome(index.match(question), gold)] += 1
    return groups


def _weight_and_confidence(index: MatterIndex, knowledge: Knowledge, dev: list[Row]) -> dict[str, Any]:
    """WEIGHT, NGRAM_WEIGHT, FLOOR and the confidence model: for each pair of weights of the learned
    signals in the combined score (which decides the candidate the model judges), the floor that
    puts the item meant first most often among the development questions the lexical rule leaves,
    then the model fitted for them. The pair that helps the most development questions wins —
    answered right, or offered options holding the item meant — and among equals the one that puts
    that item first most often."""
    left = []
    for _, question, gold in dev:
        ranked = index.lexical_rank(question)
        if gold is not None and not index.named(question) and not index.sure(question, ranked):
            left.append((question, ranked, index.similarities(question), gold))
    best: tuple[tuple[int, int], dict[str, Any]] | None = None
    for weight, ngram_weight in itertools.product(WEIGHTS, NGRAM_WEIGHTS):
        semantic.WEIGHT, semantic.NGRAM_WEIGHT = weight, ngram_weight
        firsts = {}
        for floor in FLOORS:
            semantic.FLOOR = floor
            firsts[floor] = sum(
                bool(c) and c[0].item.code == g for c, g in ((index.with_semantic(q, r, s), g) for q, r, s, g in left)
            )
        semantic.FLOOR = max(FLOORS, key=lambda f: (firsts[f], -f))
        fitted = confidence_fit.fit(index, knowledge, dev, MAX_WRONG)
        outcomes = evaluate(index, dev).values()
        helped = (sum(c["right"] + c["clarified+"] for c in outcomes), firsts[semantic.FLOOR])
        if best is None or helped > best[0]:
            best = (
                helped,
                {"WEIGHT": weight, "NGRAM_WEIGHT": ngram_weight, "FLOOR": semantic.FLOOR, "confidence": fitted},
            )
    assert best is not None
    chosen = best[1]
    semantic.WEIGHT, semantic.NGRAM_WEIGHT, semantic.FLOOR = chosen["WEIGHT"], chosen["NGRAM_WEIGHT"], chosen["FLOOR"]
    confidence.COEFFICIENTS = tuple(chosen["confidence"]["COEFFICIENTS"].values())
    for key in ("INTERCEPT", "ANSWER_PROBABILITY", "OPTIONS_PROBABILITY"):
        setattr(confidence, key, chosen["confidence"][key])
    return chosen


def _answers(index: MatterIndex, dev: list[Row]) -> dict[str, Any]:
    """ANSWER_BY_KIND, MARGIN, CLARIFY: the most right answers with at most MAX_WRONG wrong in every
    group (grid search)."""
    lexical = [(case.group, index.named(q), index.lexical_rank(q), gold) for case, q, gold in dev]

    def right(params: dict[str, float]) -> int | None:
        semantic.ANSWER_BY_KIND = {k: params[k] for k in ("alias", "terms", "keywords")}
        semantic.MARGIN = params["MARGIN"]
        groups: dict[str, Counter[str]] = defaultdict(Counter)
        for group, named, ranked, gold in lexical:
            if named:
                got = named[0].item.code if len(named) == 1 else "?"
            elif not ranked or ranked[0].score < params["CLARIFY"]:
                got = None
            else:
                second = ranked[1].score if len(ranked) > 1 else 0.0
                got = ranked[0].item.code if semantic.confident(ranked[0].kind, ranked[0].score, second) else "?"
            groups[group]["right" if got == gold else "other" if got in ("?", None) else "wrong"] += 1
        if all(c["wrong"] <= MAX_WRONG * sum(c.values()) for c in groups.values()):
            return sum(c["right"] for c in groups.values())
        return None

    params = {"alias": 9.0, "terms": 9.0, "keywords": 9.0, "MARGIN": 0.1, "CLARIFY": 0.4}
    score = right(params) or 0
    for alias, terms, keywords, margin, clarify in itertools.product(
        ALIAS_ANSWERS, ANSWERS, KEYWORD_ANSWERS, MARGINS, CLARIFIES
    ):
        candidate = {"alias": alias, "terms": terms, "keywords": keywords, "MARGIN": margin, "CLARIFY": clarify}
        got = right(candidate)
        if got is not None and got > score:
            score, params = got, candidate
    return {
        "ANSWER_BY_KIND": {k: params[k] for k in ("alias", "terms", "keywords")},
        "MARGIN": params["MARGIN"],
        "CLARIFY": params["CLARIFY"],
    }


def calibrate(knowledge: Knowledge, out: Path) -> dict[str, Any]:
    index = MatterIndex(knowledge)
    rows = questions(knowledge)
    dev = [r for r in rows if r[0].split == "dev"]
    saved = {k: getattr(semantic, k) for k in KEYS}
    saved_confidence = {k: getattr(confidence, k) for k in CONFIDENCE_KEYS}
    confidence.OPTIONS_PROBABILITY = 1.01
    try:
        confidence.ANSWER_PROBABILITY = 1.01  # the lexical rule and the weight are chosen without the model
        chosen = _answers(index, dev)
        for key, value in chosen.items():
            setattr(semantic, key, value)
        chosen.update(_weight_and_confidence(index, knowledge, dev))
        result = {
            "chosen": chosen,
            "max_wrong_per_group": MAX_WRONG,
            "outcomes": "right / wrong / unknown / clarified+ (the right item among the options) / clarified",
            "splits": {
                split: {
                    g: dict(c) for g, c in sorted(evaluate(index, [r for r in rows if r[0].split == split]).items())
                }
                for split in ("dev", "held_out")
            },
        }
    finally:
        for key, value in saved.items():
            setattr(semantic, key, value)
        for key, value in saved_confidence.items():
            setattr(confidence, key, value)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result
