"""NLU quality: ``rasa test nlu`` 5-fold cross-validation."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT, settings


def cross_validate(out_dir: Path, folds: int = 5) -> dict[str, Any]:
    """Run the cross-validation; return intent and entity precision/recall/F1."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "nlu"
        shutil.copytree(PROJECT_ROOT / "data" / "nlu", data)
        shutil.copy(settings().lookup_file, data / "lookups.generated.yml")
        rasa = str(Path(sys.executable).parent / "rasa")
        subprocess.run(
            [
                rasa,
                "test",
                "nlu",
                "--nlu",
                str(data),
                "--config",
                str(PROJECT_ROOT / "config.yml"),
                "--cross-validation",
                "--folds",
                str(folds),
                "--out",
                str(out_dir),
            ],
            cwd=PROJECT_ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
    result: dict[str, Any] = {"folds": folds}
    intent = out_dir / "intent_report.json"
    if intent.exists():
        report = json.loads(intent.read_text(encoding="utf-8"))
        result["intent"] = _summary(report)
        result["intent_per_class"] = {
            k: {"f1": v["f1-score"], "support": v["support"]}
            for k, v in report.items()
            if isinstance(v, dict) and "f1-score" in v and k not in _AVERAGES
        }
    for path in sorted(out_dir.glob("*Extractor_report.json")):
        result.setdefault("entities", {})[path.stem.replace("_report", "")] = _summary(
            json.loads(path.read_text(encoding="utf-8"))
        )
    confusion = out_dir / "intent_confusion_matrix.png"
    result["confusion_matrix"] = str(confusion) if confusion.exists() else None
    return result


_AVERAGES = ("accuracy", "macro avg", "weighted avg", "micro avg")


def _summary(report: dict[str, Any]) -> dict[str, float]:
    macro = report.get("macro avg", {})
    weighted = report.get("weighted avg", {})
    return {
        "macro_precision": macro.get("precision", 0.0),
        "macro_recall": macro.get("recall", 0.0),
        "macro_f1": macro.get("f1-score", 0.0),
        "weighted_f1": weighted.get("f1-score", 0.0),
        "accuracy": report.get("accuracy", 0.0) if isinstance(report.get("accuracy"), float) else None,
    }
