"""The intent examples generated from the knowledge base, and what stays out of training."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.kb.types import Knowledge
from bot.nlu.examples import examples, matter_phrases, render


def test_every_item_is_asked_as_can_who_and_basis(knowledge: Knowledge):
    generated = examples(knowledge)
    assert set(generated) == {"ask_can", "ask_who", "ask_basis"}
    for texts in generated.values():
        assert len(texts) == len(knowledge.items)
    phrases = {p for item in knowledge.items.values() for p in matter_phrases(item)}
    assert all(any(p in text for p in phrases) for text in generated["ask_can"])


def test_generation_is_deterministic_and_valid_training_data(knowledge: Knowledge, tmp_path: Path):
    assert examples(knowledge) == examples(knowledge)
    data = yaml.safe_load(render(examples(knowledge)))
    assert [block["intent"] for block in data["nlu"]] == ["ask_can", "ask_who", "ask_basis"]
    assert not any(re.search(r"[\[\]()]", block["examples"]) for block in data["nlu"])


def _eval_questions() -> set[str]:
    lines = (PROJECT_ROOT / "tests" / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return {_plain(turn["text"]) for line in lines if line.strip() for turn in json.loads(line)["turns"]}


def _plain(text: str) -> str:
    """Without annotations and punctuation, as a question would be compared."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[\s，,。？?！!：:“”\"]", "", text)


def test_evaluation_questions_stay_out_of_the_training_data(knowledge: Knowledge):
    asked = _eval_questions()
    written = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            written += [line[2:] for line in block.get("examples", "").splitlines() if line.startswith("- ")]
    generated = [t for texts in examples(knowledge).values() for t in texts]
    leaked = sorted({t for t in written + generated if len(_plain(t)) > 6 and _plain(t) in asked})
    assert not leaked
