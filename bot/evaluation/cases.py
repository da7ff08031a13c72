"""The evaluation set: conversations with the expected answer to their last turn."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT

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
            return [f"应追问 {expect.get('need')}，实际 {payload.get('type')}/{payload.get('need') or payload.get('verdict')}"]
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
