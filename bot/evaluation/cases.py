"""The evaluation set: conversations with the expected answer to their last turn."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from bot.kb.types import UNIT_KINDS, Knowledge
from bot.question_words import without_framing

DEFAULT_CASES = PROJECT_ROOT / "tests" / "eval" / "questions.jsonl"


@dataclass(frozen=True)
class Case:
    id: str
    group: str
    turns: tuple[dict[str, Any], ...]
    expect: dict[str, Any]

    @property
    def question(self) -> str:
        return self.turns[-1]["text"]

    @property
    def single_turn(self) -> bool:
        return len(self.turns) == 1

    @property
    def split(self) -> str:
        return split_of(self.id)


SPLITS = ("dev", "held_out")


def split_of(case_id: str) -> str:
    """``dev`` (thresholds and weights are tuned on it) or ``held_out`` (never tuned on).

    Deterministic: the parity of the first 32 bits of the SHA-256 of the case id, so a
    case keeps its split when others are added and about half of each group is held out.
    """
    return SPLITS[int(hashlib.sha256(case_id.encode("utf-8")).hexdigest()[:8], 16) % 2]


def load_cases(path: Path = DEFAULT_CASES) -> list[Case]:
    cases = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                cases.append(Case(raw["id"], raw["group"], tuple(raw["turns"]), raw["expect"]))
            except (ValueError, KeyError) as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
    return cases


OUTCOMES = ("right", "clarified", "unknown", "wrong", "other")


def outcome(expect: dict[str, Any], payload: dict[str, Any] | None, problems: list[str]) -> str:
    """How an answer failed, if it did.

    ``wrong`` is the failure that matters most: a confident power answer about
    another item, or with another verdict, than the one expected (or any
    confident item answer where none was expected). ``clarified`` and
    ``unknown`` are honest; ``other`` is any other miss (a structural reply, a
    different office for the right item).
    """
    if not problems:
        return "right"
    if payload is None:
        return "other"
    if payload.get("type") == "clarify":
        return "clarified"
    if payload.get("type") != "power_answer":
        return "other"
    item = (payload.get("item") or {}).get("code")
    if payload.get("verdict") == "unknown" or item is None:
        return "unknown"
    if expect.get("type") != "power_answer":
        return "wrong"
    if ("item" in expect and expect["item"] != item) or (
        "verdict" in expect and expect["verdict"] != payload.get("verdict")
    ):
        return "wrong"
    return "other"


def check(expect: dict[str, Any], payload: dict[str, Any] | None, texts: list[str]) -> list[str]:
    """Differences between the expected and the actual answer; empty when right."""
    kind = expect.get("type")
    if kind == "structural":
        joined = "\n".join(texts)
        return [f"回答中缺少“{s}”" for s in expect.get("must_contain", []) if s not in joined]
    if payload is None:
        return ["没有结构化回答"]
    if kind == "clarify":
        if payload.get("type") != "clarify" or payload.get("need") != expect.get("need"):
            return [
                f"应追问 {expect.get('need')}，"
                f"实际 {payload.get('type')}/{payload.get('need') or payload.get('verdict')}"
            ]
        return []
    problems = []
    if payload.get("type") != "power_answer":
        return [f"应回答，实际 {payload.get('type')} {payload.get('need') or payload.get('topic') or ''}"]
    actual = {
        "verdict": payload.get("verdict"),
        "unit": (payload.get("unit") or {}).get("name"),
        "item": (payload.get("item") or {}).get("code"),
        "handled_by": payload.get("handled_by"),
        "held_by": payload.get("held_by"),
        "law": (payload.get("legal_basis") or [{}])[0].get("law") if payload.get("legal_basis") else None,
        "question": payload.get("question"),
    }
    for key in ("verdict", "unit", "item", "handled_by", "held_by", "law", "question"):
        if key in expect and expect[key] != actual[key]:
            problems.append(f"{key}: 期望 {expect[key]!r}，实际 {actual[key]!r}")
    return problems


def exact_name_cases(knowledge: Knowledge) -> list[Case]:
    """Every item's formal name (and the name without its framing) asked for one unit of each kind.

    Expected: that item, and the verdict the list gives that unit. Generated
    from the knowledge base in force, so it follows whatever list is imported.
    """
    from bot.verdict import decide

    units = []
    for kind in UNIT_KINDS:
        unit = next((u for u in knowledge.units if u.kind == kind), None)
        if unit is not None:
            units.append(unit)
    cases = []
    for item in knowledge.items.values():
        trimmed = without_framing(item.name)
        for unit in units:
            verdict = decide(knowledge, unit, item)
            expect = {"type": "power_answer", "verdict": verdict.verdict, "unit": unit.full_name, "item": item.code}
            variants = [("full", f"{unit.full_name}能不能行使“{item.name}”这项权力？")]
            if trimmed != item.name and len(trimmed) >= 4:
                variants.append(("trim", f"{unit.full_name}能不能管“{trimmed}”？"))
            for tag, text in variants:
                cases.append(Case(f"exact-{item.code}-{unit.kind}-{tag}", "exact_name", ({"text": text},), expect))
    return cases
