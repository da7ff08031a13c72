"""NLU quality: a deterministic stratified k-fold cross-validation of the intent classifier.

``rasa test nlu --cross-validation`` shuffles its folds without a seed and also scores every
fold's training set, so two runs on the same data differ and each takes twice as long. This runs
the same pipeline (config.yml, data/nlu and the generated lookup tables) on seeded folds and
scores the held-out fold only. The examples generated from the knowledge base
(``build/nlu/examples.yml``, :mod:`bot.nlu.examples`) join every fold's training set and are never
tested: the score is over the hand-written examples of data/nlu. ``python -m bot.evaluation nlu``
runs just this.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT, settings

SEED = 20240601
_AVERAGES = ("accuracy", "macro avg", "weighted avg", "micro avg")


def cross_validate(out_dir: Path, folds: int = 5, seed: int = SEED) -> dict[str, Any]:
    """Train on k-1 folds, predict the k-th; return intent (and entity) precision/recall/F1,
    per-intent F1, the most confused pairs and the errors (also written to ``out_dir``)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("rasa").setLevel(logging.WARNING)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.json"):
        stale.unlink()
    cwd = Path.cwd()
    os.chdir(PROJECT_ROOT)  # config.yml names build/ paths relative to the project
    try:
        intents, entities = asyncio.run(_run_folds(folds, seed))
    finally:
        os.chdir(cwd)
    return _report(out_dir, intents, entities, folds, seed)


def _load_data() -> tuple[Any, list[Any]]:
    """The hand-written examples (with the lookup tables) and the generated ones."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(PROJECT_ROOT / "data" / "nlu")).merge(load_data(str(settings().lookup_file)))
    generated = settings().lookup_file.parent / "examples.yml"
    return data, load_data(str(generated)).intent_examples if generated.exists() else []


def _folds(folds: int, seed: int) -> list[tuple[Any, Any]]:
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    data, generated = _load_data()
    examples = data.intent_examples
    labels = [e.get_full_intent() for e in examples]
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(examples, labels)

    def part(indices: Any, extra: list[Any]) -> TrainingData:
        return TrainingData(
            training_examples=[examples[i] for i in indices] + extra,
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
        )

    return [(part(train, generated), part(test, [])) for train, test in split]


async def _run_folds(folds: int, seed: int) -> tuple[list[Any], list[Any]]:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.nlu.test import get_eval_data, remove_empty_intent_examples
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    intents: list[Any] = []
    entities: list[Any] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (train, test) in enumerate(_folds(folds, seed), 1):
            data_file = Path(tmp) / "train.yml"
            RasaYAMLWriter().dump(data_file, train)
            model = train_nlu(str(PROJECT_ROOT / "config.yml"), str(data_file), tmp, fixed_model_name=f"fold{n}")
            if model is None:
                raise RuntimeError("NLU training failed")
            processor = Agent.load(model).processor
            fold_intents, _, fold_entities = await get_eval_data(processor, test)
            intents += remove_empty_intent_examples(fold_intents)
            entities += fold_entities
            print(f"第 {n}/{folds} 折完成", flush=True)
    return intents, entities


def _report(out_dir: Path, intents: list[Any], entities: list[Any], folds: int, seed: int) -> dict[str, Any]:
    from rasa.nlu.test import _get_active_entity_extractors, evaluate_entities, evaluate_intents

    report = evaluate_intents(intents, str(out_dir), False, True, False, report_as_dict=True)["report"]
    result: dict[str, Any] = {"folds": folds, "seed": seed, "intent": _summary(report)}
    result["intent_per_class"] = {
        k: {"f1": v["f1-score"], "support": v["support"]}
        for k, v in sorted(report.items(), key=lambda kv: kv[1]["f1-score"] if isinstance(kv[1], dict) else 1)
        if isinstance(v, dict) and "f1-score" in v and k not in _AVERAGES
    }
    confused = Counter(
        (r.intent_target, r.intent_prediction) for r in intents if r.intent_target != r.intent_prediction
    )
    result["confused_pairs"] = [{"intent": t, "predicted": p, "count": c} for (t, p), c in confused.most_common(15)]
    result["errors"] = [
        {"text": r.message, "intent": r.intent_target, "predicted": r.intent_prediction, "confidence": r.confidence}
        for r in intents
        if r.intent_target != r.intent_prediction
    ]
    if entities:
        evaluated = evaluate_entities(
            entities, _get_active_entity_extractors(entities), str(out_dir), False, False, True, report_as_dict=True
        )
        result["entities"] = {name: _summary(v["report"]) for name, v in evaluated.items()}
    confusion = out_dir / "intent_confusion_matrix.png"
    result["confusion_matrix"] = str(confusion) if confusion.exists() else None
    (out_dir / "nlu_cv.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def _summary(report: dict[str, Any]) -> dict[str, float | None]:
    macro = report.get("macro avg", {})
    weighted = report.get("weighted avg", {})
    return {
        "macro_precision": macro.get("precision", 0.0),
        "macro_recall": macro.get("recall", 0.0),
        "macro_f1": macro.get("f1-score", 0.0),
        "weighted_f1": weighted.get("f1-score", 0.0),
        "accuracy": report.get("accuracy", 0.0) if isinstance(report.get("accuracy"), float) else None,
    }
