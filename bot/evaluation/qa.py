"""Question answering over REST against the real servers, and item ranking
of the matcher side by side with the baselines."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import aiohttp
from tqdm import tqdm

from bot.client import payload_of, send, texts_of
from bot.evaluation.baselines import BM25Search, KeywordSearch
from bot.evaluation.cases import OUTCOMES, Case, check, outcome
from bot.kb.types import Knowledge
from bot.matching import matter_index, matter_spans
from bot.units import resolve_unit

RANKING_GROUPS = ("clean", "colloquial", "noisy", "who", "basis")


@dataclass(frozen=True)
class CaseResult:
    case: Case
    ok: bool
    problems: tuple[str, ...]
    payload: dict[str, Any] | None
    first_text: str
    outcome: str = "right"  # right / clarified / unknown / wrong / other (cases.outcome)


async def run_cases(rasa_url: str, cases: list[Case], progress: bool = True) -> list[CaseResult]:
    results = []
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for case in tqdm(cases, desc="问答评测", disable=not progress, unit="题"):
            sender = f"eval-{uuid.uuid4().hex}"  # REST ids are at most 64 characters (bot.identity)
            messages: list[dict[str, Any]] = []
            for turn in case.turns:
                messages = await send(session, rasa_url, sender, turn["text"], turn.get("metadata"))
            payload, texts = payload_of(messages), texts_of(messages)
            problems = check(case.expect, payload, texts)
            results.append(
                CaseResult(
                    case,
                    not problems,
                    tuple(problems),
                    payload,
                    texts[0] if texts else "",
                    outcome(case.expect, payload, problems),
                )
            )
    return results


def accuracy_by_group(results: list[CaseResult]) -> dict[str, dict[str, float]]:
    """Per group: accuracy, n, and the share of each outcome (right, clarified, unknown, wrong, other)."""
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        groups[r.case.group].append(r)
    out: dict[str, dict[str, float]] = {}
    for group, rs in sorted(groups.items()):
        row: dict[str, float] = {"accuracy": sum(r.ok for r in rs) / len(rs), "n": len(rs)}
        for name in OUTCOMES:
            row[name] = sum(r.outcome == name for r in rs) / len(rs)
        out[group] = row
    return out


def ranking(knowledge: Knowledge, cases: list[Case]) -> dict[str, dict[str, Any]]:
    """Top-1/top-3 item accuracy of the matcher and the baselines on single-turn questions."""
    keyword, bm25, index = KeywordSearch(knowledge), BM25Search(knowledge), matter_index(knowledge)
    rankers = {
        "matcher": lambda q: [c.item for c in index.rank(without_unit(knowledge, q))],
        "keyword": keyword.rank,
        "bm25": bm25.rank,
    }
    selected = [c for c in cases if c.single_turn and c.group in RANKING_GROUPS and c.expect.get("item")]
    out: dict[str, dict[str, Any]] = {}
    for name, rank in rankers.items():
        per_group: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
        for case in selected:
            codes = [item.code for item in rank(case.question)[:3]]
            per_group[case.group].append((codes[:1] == [case.expect["item"]], case.expect["item"] in codes))
        flat = [x for v in per_group.values() for x in v]
        out[name] = {
            "top1": _share(x[0] for x in flat),
            "top3": _share(x[1] for x in flat),
            "n": len(flat),
            "groups": {
                g: {"top1": _share(x[0] for x in v), "top3": _share(x[1] for x in v), "n": len(v)}
                for g, v in sorted(per_group.items())
            },
        }
    return out


def without_unit(knowledge: Knowledge, text: str) -> str:
    mention = resolve_unit(knowledge, text, matter_spans(knowledge, text))
    for start, end in sorted(mention.spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def _share(values) -> float:  # type: ignore[no-untyped-def]
    values = list(values)
    return sum(values) / len(values) if values else 0.0
