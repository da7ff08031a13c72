"""Learning from the misses: the questions the assistant answered 未找到, had to ask back
which matter was meant, or that a user rated 👎, grouped by similar wording, most frequent first.

A maintainer settles a group by picking the item it means — its wording becomes an alias
(:mod:`bot.kb.alias_edit`, a knowledge-base version; the running assistant answers the same
wording right after, without retraining) — or by marking it 不在清单中. Either decision is
kept (``kb_miss_decision``); a group comes back only when it is missed again afterwards.
Settled groups become evaluation cases (:func:`eval_cases`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from bot.dialogue.parse import strip_spans, unit_mention
from bot.errors import KnowledgeError
from bot.kb.alias_edit import AliasAdded, add_alias
from bot.kb.lexicon import LexiconFiles
from bot.kb.store import get_engine, session_scope
from bot.kb.types import Knowledge
from bot.kb.version_store import MissDecision, ensure_history
from bot.matching import matter_index
from bot.ops import db as ops_db
from bot.ops.models import AuditRecord
from bot.question_words import clean_question

REASON_LABELS = {"unknown": "未找到", "clarify": "追问事项", "down": "差评"}
# Verbs and prepositions a question puts before the matter (处罚在小区里养鸡 → 小区里养鸡): an
# alias without them also matches the other ways of asking.
_LEADING = re.compile(r"^(?:处罚|查处|罚款|罚|管理|管|审批|批准|批|处理|负责)?(?:在|对|把)?")
SIMILAR = 0.6  # bigram overlap above which two wordings are one group
MAX_RECORDS = 5000


@dataclass(frozen=True)
class Example:
    text: str
    unit: str | None


@dataclass(frozen=True)
class MissGroup:
    wording: str  # the core of the most frequent question: unit names and question words removed
    count: int
    reasons: dict[str, int]  # unknown / clarify / down -> how many
    examples: tuple[Example, ...]  # distinct questions, most frequent first
    last_at: dt.datetime
    suggestions: tuple[tuple[str, str], ...]  # (code, name) of likely items, best first
    members: tuple[str, ...] = ()  # every wording folded into this group (settled together)

    @property
    def suggested_alias(self) -> str:
        """The wording without the verb in front of the matter, when enough is left."""
        rest = _LEADING.sub("", self.wording)
        return rest if len(rest) >= 3 else self.wording


def wording_of(knowledge: Knowledge, text: str) -> str:
    """The matter part of a question: without unit names, question words and punctuation."""
    mention = unit_mention(knowledge, text, {})
    return clean_question(strip_spans(text, mention.spans))[:200]


def queue(
    knowledge: Knowledge, kb_url: str | None = None, ops_url: str | None = None, days: int = 90
) -> list[MissGroup]:
    """Unsettled misses of the last ``days`` days, grouped, most frequent first."""
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
    with ops_db.session_scope(ops_url) as session:
        rows = session.execute(
            select(AuditRecord.text, AuditRecord.unit, AuditRecord.verdict, AuditRecord.rating, AuditRecord.created_at)
            .where(AuditRecord.created_at >= since)
            .where(
                or_(
                    AuditRecord.verdict == "unknown",
                    (AuditRecord.verdict == "clarify") & AuditRecord.matter.is_(None),
                    AuditRecord.rating == "down",
                )
            )
            .order_by(AuditRecord.created_at.desc())
            .limit(MAX_RECORDS)
        ).all()
    settled = _settled_at(kb_url)
    groups: dict[str, list[tuple[Any, ...]]] = {}
    wordings: dict[str, str] = {}  # the same question is asked many times
    for text, unit, verdict, rating, created_at in rows:
        wording = wordings.get(text)
        if wording is None:
            wording = wordings[text] = wording_of(knowledge, text)
        if len(wording) < 2:
            continue
        decided = settled.get(wording)
        if decided is not None and created_at.replace(tzinfo=None) <= decided:
            continue
        reason = "down" if rating == "down" else verdict
        groups.setdefault(wording, []).append((text, unit, reason, created_at))
    merged = _merge_similar(groups)
    index = matter_index(knowledge)
    out = []
    for wording, records, members in merged:
        texts = Counter((text, unit) for text, unit, _, _ in records)
        out.append(
            MissGroup(
                wording=wording,
                count=len(records),
                reasons=dict(Counter(reason for _, _, reason, _ in records)),
                examples=tuple(Example(t, u) for (t, u), _ in texts.most_common(5)),
                last_at=max(r[3] for r in records),
                suggestions=tuple((c.item.code, c.item.name) for c in index.rank(wording)[:5] if c.score >= 0.2),
                members=tuple(members),
            )
        )
    return sorted(out, key=lambda g: (-g.count, -g.last_at.timestamp()))


def search_items(knowledge: Knowledge, query: str, limit: int = 10) -> list[dict[str, str]]:
    """Items for a search-as-you-type box: code, name or alias containing ``query``, then the matcher's ranking."""
    query = query.strip()
    if not query:
        return []
    found: list[str] = []
    for item in knowledge.items.values():
        if query in item.name or query == item.code or any(query in a for a in item.aliases):
            found.append(item.code)
    found += [c.item.code for c in matter_index(knowledge).rank(query) if c.score >= 0.2]
    seen: list[str] = []
    for code in found:
        if code not in seen:
            seen.append(code)
    return [
        {"code": code, "name": knowledge.items[code].name, "power_type": knowledge.items[code].power_type}
        for code in seen[:limit]
    ]


def resolve(
    group: MissGroup,
    code: str,
    alias: str,
    knowledge_dir: Path,
    kb_url: str | None = None,
    *,
    actor: str,
    lexicon: LexiconFiles | None = None,
) -> AliasAdded:
    """Teach the assistant that ``group``'s wording means item ``code``, through ``alias``.

    Raises:
        KnowledgeError: unknown item, or the alias is malformed or taken; BuildRejected.
    """
    added = add_alias(
        code, alias, knowledge_dir, kb_url, actor=actor, detail=f"未答问题“{group.wording}” → {alias}", lexicon=lexicon
    )
    _decide(kb_url, group, "alias", actor, item_code=code, alias=added.alias, version=added.version)
    return added


def dismiss(group: MissGroup, kb_url: str | None = None, *, actor: str) -> None:
    """Mark ``group`` as a matter the lists do not hold (the assistant is right to say 未找到)."""
    _decide(kb_url, group, "not_in_list", actor)


def find_group(groups: list[MissGroup], wording: str) -> MissGroup:
    for group in groups:
        if group.wording == wording:
            return group
    raise KnowledgeError("这组问题已处理或不存在，请刷新页面")


def eval_cases(kb_url: str | None = None) -> list[dict[str, Any]]:
    """Every settled question as a case of the evaluation set (``tests/eval/questions.jsonl`` format)."""
    cases: list[dict[str, Any]] = []
    seen: set[str] = set()
    with session_scope(kb_url) as session:
        ensure_history(get_engine(kb_url))
        decisions = session.execute(select(MissDecision).order_by(MissDecision.id)).scalars().all()
        for decision in decisions:
            for example in json.loads(decision.examples):
                if example["text"] in seen:
                    continue
                seen.add(example["text"])
                turn: dict[str, Any] = {"text": example["text"]}
                expect: dict[str, Any] = {"type": "power_answer"}
                if example.get("unit"):
                    turn["metadata"] = {"unit": example["unit"]}
                    expect["unit"] = example["unit"]
                if decision.decision == "alias":
                    expect["item"] = decision.item_code
                else:
                    expect.update(verdict="unknown", item=None)
                cases.append({"id": f"miss-{len(cases) + 1:03d}", "group": "misses", "turns": [turn], "expect": expect})
    return cases


def _decide(kb_url: str | None, group: MissGroup, decision: str, actor: str, **fields: str) -> None:
    ensure_history(get_engine(kb_url))
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    examples = json.dumps([{"text": e.text, "unit": e.unit} for e in group.examples], ensure_ascii=False)
    with session_scope(kb_url) as session:
        for index, wording in enumerate(group.members or (group.wording,)):
            session.add(
                MissDecision(
                    wording=wording,
                    decision=decision,
                    actor=actor[:64],
                    decided_at=now,
                    examples=examples if index == 0 else "[]",
                    **fields,
                )
            )


def _settled_at(kb_url: str | None) -> dict[str, dt.datetime]:
    """Wording -> when it was last settled (UTC, naive)."""
    ensure_history(get_engine(kb_url))
    with session_scope(kb_url) as session:
        rows = session.execute(select(MissDecision.wording, MissDecision.decided_at)).all()
    out: dict[str, dt.datetime] = {}
    for wording, at in rows:
        out[wording] = max(at, out.get(wording, at))
    return out


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _merge_similar(
    groups: dict[str, list[tuple[Any, ...]]],
) -> list[tuple[str, list[tuple[Any, ...]], list[str]]]:
    """Fold each wording into a more frequent one it overlaps enough (greedy, most frequent first)."""
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    merged: list[tuple[str, set[str], list[tuple[Any, ...]], list[str]]] = []
    for wording, records in ordered:
        grams = _bigrams(wording)
        for _head, head_grams, head_records, members in merged:
            if len(grams & head_grams) / len(grams | head_grams) >= SIMILAR:
                head_records.extend(records)
                members.append(wording)
                break
        else:
            merged.append((wording, grams, list(records), [wording]))
    return [(head, records, members) for head, _, records, members in merged]
