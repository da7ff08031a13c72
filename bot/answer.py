"""Build the typed answers of :mod:`bot.contract` and render their chat text.

Each answer is two messages from one dataclass: the Chinese chat text (verdict first,
:func:`chat_text`) and a ``custom`` payload (``to_payload()``). Channels render from the payload's
fields; only the chat text is laid out here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.contract import (
    DISCLAIMER,
    Answer,
    Clarification,
    DelegationRef,
    ItemRef,
    LegalRef,
    Option,
    PowerAnswer,
    Understood,
    UnitRef,
)
from bot.kb.legal import cited_titles, law_key
from bot.kb.source_items import OFFICE_UNSTATED
from bot.kb.types import ItemInfo, Knowledge, UnitInfo
from bot.verdict import Verdict

__all__ = [
    "DISCLAIMER",
    "QUOTE_LIMIT",
    "Message",
    "Reply",
    "chat_text",
    "clarify_matter",
    "clarify_unit",
    "fallback_options",
    "handoff",
    "item_ref",
    "power_answer",
    "power_answer_of",
    "reply_of",
    "short_name",
    "text_reply",
    "unit_ref",
    "unknown_matter",
    "unknown_matter_of",
]

QUOTE_LIMIT = 300  # characters of article text quoted in the chat text; the payload has it all
EXAMPLE_QUESTIONS = ("石牌街道能不能处罚占道经营？", "宅基地审批归哪个办公室？", "低保的法律依据是什么？")


@dataclass(frozen=True)
class Message:
    """One bot message: text, optional buttons, optional custom payload."""

    text: str | None = None
    buttons: tuple[dict[str, str], ...] = ()
    custom: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.text is not None:
            out["text"] = self.text
        if self.buttons:
            out["buttons"] = [dict(b) for b in self.buttons]
        if self.custom is not None:
            out["custom"] = self.custom
        return out


@dataclass(frozen=True)
class Reply:
    messages: tuple[Message, ...] = field(default_factory=tuple)


def short_name(item: ItemInfo) -> str:
    """The everyday name staff use: the first alias, else the formal name."""
    return item.aliases[0] if item.aliases else item.name


def reply_of(answer: Answer) -> Reply:
    """The two messages of an answer: its chat text (with buttons) and its payload."""
    buttons: tuple[dict[str, str], ...] = ()
    if isinstance(answer, Clarification):
        buttons = tuple({"title": o.title, "payload": o.reply or o.title} for o in answer.options)
        buttons += tuple({"title": e, "payload": e} for e in answer.examples)
    return Reply((Message(text=chat_text(answer), buttons=buttons), Message(custom=answer.to_payload())))


def chat_text(answer: Answer) -> str:
    """The answer as chat text: verdict first, then what supports it, what was understood, the disclaimer."""
    if isinstance(answer, Clarification):
        lines = [answer.prompt]
        if answer.listed:
            lines.extend(f"{i}. {o.name or o.title}" for i, o in enumerate(answer.options, start=1))
        return "\n".join(lines)
    a = answer
    lines = [f"{a.label}。{a.headline}"]
    if a.item is None and a.next_step:
        lines.append(a.next_step)
    for fact in a.facts():
        office = a.unit.short_name if fact.key == "office" and a.unit else ""  # 石牌街道综合行政执法办公室
        lines.append(f"{fact.label}：{office}{fact.value}")
        if fact.key == "basis":
            lines.extend(_quote_lines(a))
    if a.understood:
        lines.append(f"（{a.understood.text}）")
    lines.append(a.disclaimer)
    return "\n".join(lines)


def _quote_lines(answer: PowerAnswer) -> list[str]:
    if answer.question == "basis":
        return [f"{ref.citation}：{ref.text}" for ref in answer.quotes]
    return [
        f"条文：{text[:QUOTE_LIMIT]}{'…' if len(text) > QUOTE_LIMIT else ''}"
        for ref in answer.quotes
        if (text := ref.text)
    ]


def unit_ref(unit: UnitInfo) -> UnitRef:
    return UnitRef(unit.full_name, unit.kind, unit.district)


def item_ref(item: ItemInfo) -> ItemRef:
    return ItemRef(item.code, item.name, item.power_type)


def power_answer_of(question: str, verdict: Verdict, knowledge: Knowledge) -> PowerAnswer:
    """The typed answer for a known unit and item."""
    v = verdict
    return PowerAnswer(
        question=question,
        verdict=v.verdict,
        headline=_headline(question, v),
        unit=unit_ref(v.unit),
        item=item_ref(v.item),
        handled_by=v.handled_by,
        held_by=v.held_by,
        legal_basis=tuple(
            LegalRef(ref.law, f"{ref.article or ''}{ref.detail}" or None, ref.text, ref.law_version.isoformat())
            for ref in v.legal_basis
        ),
        delegation=DelegationRef(v.delegation.document, v.delegation.effective) if v.delegation else None,
        note=_note(v),
        understood=Understood(v.unit.full_name, short_name(v.item), question),
        trace=tuple(v.trace),
        kb_version=knowledge.version,
    )


BASIS_AS_WRITTEN = "法律依据（清单原文，条文未收录）："


def _note(v: Verdict) -> str | None:
    """The item's note; for an imported item citing laws the library does not hold (all or some of
    them: 《土地管理法》第六十二条《内蒙古自治区实施…办法》第三十六条), its basis as the list wrote it."""
    written = v.item.legal_basis_text.strip()
    quoted = {law_key(ref.law) for ref in v.legal_basis}
    if not written or (v.legal_basis and all(law_key(t) in quoted for t, _ in cited_titles(written))):
        return v.note
    as_written = BASIS_AS_WRITTEN + written[:300]
    return f"{v.note}；{as_written}" if v.note else as_written


def power_answer(question: str, verdict: Verdict, knowledge: Knowledge) -> Reply:
    """The full answer for a known unit and item."""
    return reply_of(power_answer_of(question, verdict, knowledge))


def _headline(question: str, v: Verdict) -> str:
    unit, name = v.unit.full_name, short_name(v.item)
    office = v.handled_by or f"（{OFFICE_UNSTATED}）"  # a published list may name no office
    if question == "who":
        if v.verdict == "yes":
            if not v.handled_by:
                return f"{unit}自行行使“{name}”，{OFFICE_UNSTATED}。"
            return f"{unit}自行行使，由{office}负责“{name}”。"
        if v.verdict == "assist":
            if not v.handled_by:
                return f"{unit}负责受理、调查和初审（{OFFICE_UNSTATED}），由{v.held_by}决定。"
            return f"{unit}的{office}负责受理、调查和初审，由{v.held_by}决定。"
        return f"“{name}”不由{unit}行使，由{v.held_by or '区级有关部门'}负责。"
    if question == "basis":
        if not v.legal_basis:
            return f"{unit}办理“{name}”的法律依据见清单原文（条文未收录，见说明）。"
        return f"{unit}办理“{name}”的法律依据是" + "；".join(r.citation for r in v.legal_basis) + "。"
    if v.verdict == "yes":
        if not v.handled_by:
            return f"{unit}可以行使“{name}”这项权力，{OFFICE_UNSTATED}。"
        return f"{unit}可以行使“{name}”这项权力，由{office}承办。"
    if v.verdict == "assist":
        return f"{unit}负责受理、调查或初审“{name}”，由{v.held_by}作出决定。"
    who = f"由{v.held_by}行使" if v.held_by else "见说明"
    return f"{unit}不行使“{name}”这项权力，{who}。"


def unknown_matter_of(question: str, unit: UnitInfo | None, knowledge: Knowledge, asked: str) -> PowerAnswer:
    """The typed answer for a matter the knowledge base does not hold: say so, never guess."""
    where = unit.full_name if unit else "镇街"
    return PowerAnswer(
        question=question,
        verdict="unknown",
        headline=f"知识库里没有与“{asked}”对应的事项，我不能判断{where}是否有这项权力。",
        unit=unit_ref(unit) if unit else None,
        note="知识库中没有该事项",
        understood=Understood(unit.full_name if unit else None, None, question),
        next_step=f"请换个说法（例如写出事项名称），或{_contact(knowledge, unit)}",
        kb_version=knowledge.version,
    )


def unknown_matter(question: str, unit: UnitInfo | None, knowledge: Knowledge, asked: str) -> Reply:
    """The matter is not in the knowledge base: say so, never guess."""
    return reply_of(unknown_matter_of(question, unit, knowledge, asked))


def _contact(knowledge: Knowledge, unit: UnitInfo | None) -> str:
    if unit is not None and unit.district in knowledge.districts:
        return f"向{knowledge.districts[unit.district].editorial_office}核实该事项是否列入镇街权责清单。"
    return "向所在区的区委编办核实该事项是否列入镇街权责清单。"


def clarify_unit(options: list[str], reason: str | None = None) -> Reply:
    prompt = reason or "请问您是哪个镇街的？请告诉我镇街名称，例如“天河区石牌街道”或“江高镇”。"
    return reply_of(Clarification("unit", prompt, tuple(Option(o, reply=o) for o in options)))


def clarify_matter(question: str, items: list[ItemInfo], reason: str | None = None) -> Reply:
    if len(items) == 1:
        # One likely item, not sure enough to answer: ask whether it is the one, not "which".
        prompt = reason or f"您问的是“{items[0].name}”吗？是的话请点选它（或回复 1），不是的话请换个说法。"
    elif items:
        prompt = reason or "您问的是下面哪一项？请点选，或回复序号。"
    else:
        prompt = reason or "请问是哪项事务？例如“占道经营”“宅基地审批”“餐饮油烟”。"
    intent = {"can": "ask_can", "who": "ask_who", "basis": "ask_basis"}.get(question, "ask_can")
    return reply_of(Clarification("matter", prompt, _matter_options(items, intent)))


def _matter_options(items: list[ItemInfo], intent: str) -> tuple[Option, ...]:
    return tuple(Option(short_name(it), it.name, it.code, reply=f'/{intent}{{"matter": "{it.code}"}}') for it in items)


def text_reply(text: str) -> Reply:
    return Reply((Message(text=text),))


def fallback_options(items: list[ItemInfo]) -> Reply:
    """Second miss in a row: offer likely matters, or examples of questions."""
    if items:
        prompt = "我还是没能确定您的问题。您是想问下面哪一项？点选即可，或者换个说法。"
        return reply_of(Clarification("matter", prompt, _matter_options(items, "ask_can"), listed=False))
    return reply_of(Clarification("matter", "我还是没能理解。您可以这样问：", examples=EXAMPLE_QUESTIONS))


def handoff(knowledge: Knowledge, unit: UnitInfo | None) -> Reply:
    """Third miss: name the people who can answer."""
    if unit is not None and unit.district in knowledge.districts:
        contact = knowledge.districts[unit.district].editorial_office
        who = f"{contact}（负责{unit.district}镇街权责清单）"
    else:
        who = "所在区的区委编办（负责镇街权责清单）"
    return text_reply(f"抱歉，这个问题我暂时回答不了。建议直接咨询{who}，或查阅正式发布的权责清单。")
