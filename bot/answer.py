"""Render verdicts into the answer contract every channel draws from.

Each answer is Chinese text (verdict first) plus a ``custom`` payload:
``{"type": "power_answer", ...}`` or ``{"type": "clarify", ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.kb.types import ItemInfo, Knowledge, UnitInfo
from bot.verdict import VERDICT_LABELS, Verdict

DISCLAIMER = "※ 演示数据：本清单依据改革规则和现行法律文本编制，仅作示例，不是官方权责清单，请以正式发布的清单为准。"
QUOTE_LIMIT = 300  # characters of article text quoted in the chat text; the payload has it all


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


def unit_payload(unit: UnitInfo | None) -> dict[str, str] | None:
    if unit is None:
        return None
    return {"name": unit.full_name, "kind": unit.kind, "district": unit.district}


def item_payload(item: ItemInfo | None) -> dict[str, str] | None:
    if item is None:
        return None
    return {"code": item.code, "name": item.name, "power_type": item.power_type}


def short_name(item: ItemInfo) -> str:
    """The everyday name staff use: the first alias, else the formal name."""
    return item.aliases[0] if item.aliases else item.name


def power_answer(question: str, verdict: Verdict, knowledge: Knowledge) -> Reply:
    """The full answer for a known unit and item."""
    v = verdict
    unit, item = v.unit, v.item
    label = VERDICT_LABELS[v.verdict]
    lines = [_headline(question, v, label)]
    lines.append(f"事项：{item.name}（{item.power_type}）")
    if v.handled_by:
        lines.append(f"承办机构：{unit.name}{v.handled_by}")
    if v.held_by:
        lines.append(("决定机关" if v.verdict == "assist" else "实施主体") + f"：{v.held_by}")
    lines.append("法律依据：" + "；".join(ref.citation for ref in v.legal_basis))
    quotes = [ref for ref in v.legal_basis if ref.text]
    if question == "basis":
        for ref in quotes:
            lines.append(f"{ref.citation}：{ref.text}")
    elif quotes:
        first = quotes[0]
        text = first.text or ""
        lines.append(f"条文：{text[:QUOTE_LIMIT]}{'…' if len(text) > QUOTE_LIMIT else ''}")
    if v.delegation:
        lines.append(f"下放/职责依据：{v.delegation.document}，{v.delegation.effective} 起施行")
    if v.note:
        lines.append(f"说明：{v.note}")
    lines.append(f"（我的理解：{unit.full_name} · {short_name(item)} · {_question_label(question)}）")
    lines.append(DISCLAIMER)
    payload = {
        "type": "power_answer",
        "question": question,
        "verdict": v.verdict,
        "unit": unit_payload(unit),
        "item": item_payload(item),
        "handled_by": v.handled_by,
        "held_by": v.held_by,
        "legal_basis": [
            {
                "law": ref.law,
                "article": f"{ref.article or ''}{ref.detail}" or None,
                "text": ref.text,
                "law_version": ref.law_version.isoformat(),
            }
            for ref in v.legal_basis
        ],
        "delegation": {"document": v.delegation.document, "effective": v.delegation.effective}
        if v.delegation
        else None,
        "note": v.note,
        "trace": list(v.trace),
        "kb_version": knowledge.version,
    }
    return Reply((Message(text="\n".join(lines)), Message(custom=payload)))


def _headline(question: str, v: Verdict, label: str) -> str:
    unit, name = v.unit.full_name, short_name(v.item)
    if question == "who":
        if v.verdict == "yes":
            return f"{label}。{unit}自行行使，由{v.handled_by}负责“{name}”。"
        if v.verdict == "assist":
            return f"{label}。{unit}的{v.handled_by}负责受理、调查和初审，由{v.held_by}决定。"
        return f"{label}。“{name}”不由{unit}行使，由{v.held_by or '区级有关部门'}负责。"
    if question == "basis":
        return f"{label}。{unit}办理“{name}”的法律依据是" + "；".join(r.citation for r in v.legal_basis) + "。"
    if v.verdict == "yes":
        return f"{label}。{unit}可以行使“{name}”这项权力，由{v.handled_by}承办。"
    if v.verdict == "assist":
        return f"{label}。{unit}负责受理、调查或初审“{name}”，由{v.held_by}作出决定。"
    who = f"由{v.held_by}行使" if v.held_by else "见说明"
    return f"{label}。{unit}不行使“{name}”这项权力，{who}。"


def _question_label(question: str) -> str:
    return {"can": "能否行使", "who": "由谁负责", "basis": "法律依据"}.get(question, question)


def unknown_matter(question: str, unit: UnitInfo | None, knowledge: Knowledge, asked: str) -> Reply:
    """The matter is not in the knowledge base: say so, never guess."""
    where = unit.full_name if unit else "镇街"
    contact = _contact(knowledge, unit)
    text = (
        f"未找到。知识库里没有与“{asked}”对应的事项，我不能判断{where}是否有这项权力。\n"
        f"请换个说法（例如写出事项名称），或{contact}\n"
        f"（我的理解：{where} · 未识别的事项 · {_question_label(question)}）\n{DISCLAIMER}"
    )
    payload = {
        "type": "power_answer",
        "question": question,
        "verdict": "unknown",
        "unit": unit_payload(unit),
        "item": None,
        "handled_by": None,
        "held_by": None,
        "legal_basis": [],
        "delegation": None,
        "note": "知识库中没有该事项",
        "kb_version": knowledge.version,
    }
    return Reply((Message(text=text), Message(custom=payload)))


def _contact(knowledge: Knowledge, unit: UnitInfo | None) -> str:
    if unit is not None and unit.district in knowledge.districts:
        return f"向{knowledge.districts[unit.district].editorial_office}核实该事项是否列入镇街权责清单。"
    return "向所在区的区委编办核实该事项是否列入镇街权责清单。"


def clarify_unit(options: list[str], reason: str | None = None) -> Reply:
    text = reason or "请问您是哪个镇街的？请告诉我镇街名称，例如“天河区石牌街道”或“江高镇”。"
    if options:
        text += "\n" + "\n".join(f"{i}. {o}" for i, o in enumerate(options, start=1))
    buttons = tuple({"title": o, "payload": o} for o in options)
    payload = {"type": "clarify", "need": "unit", "options": options}
    return Reply((Message(text=text, buttons=buttons), Message(custom=payload)))


def clarify_matter(question: str, items: list[ItemInfo], reason: str | None = None) -> Reply:
    if items:
        text = reason or "您问的是下面哪一项？请点选，或回复序号。"
        text += "\n" + "\n".join(f"{i}. {it.name}" for i, it in enumerate(items, start=1))
    else:
        text = reason or "请问是哪项事务？例如“占道经营”“宅基地审批”“餐饮油烟”。"
    intent = {"can": "ask_can", "who": "ask_who", "basis": "ask_basis"}.get(question, "ask_can")
    buttons = tuple(
        {"title": short_name(it), "payload": f'/{intent}{{"matter": "{it.code}"}}'} for it in items
    )
    payload = {
        "type": "clarify",
        "need": "matter",
        "options": [{"code": it.code, "name": it.name, "title": short_name(it)} for it in items],
    }
    return Reply((Message(text=text, buttons=buttons), Message(custom=payload)))


def text_reply(text: str) -> Reply:
    return Reply((Message(text=text),))


def fallback_options(items: list[ItemInfo]) -> Reply:
    """Second miss in a row: offer likely matters, or examples of questions."""
    if items:
        text = "我还是没能确定您的问题。您是想问下面哪一项？点选即可，或者换个说法。"
        buttons = tuple({"title": short_name(it), "payload": f'/ask_can{{"matter": "{it.code}"}}'} for it in items)
        options = [{"code": it.code, "name": it.name, "title": short_name(it)} for it in items]
    else:
        text = "我还是没能理解。您可以这样问："
        examples = ["石牌街道能不能处罚占道经营？", "宅基地审批归哪个办公室？", "低保的法律依据是什么？"]
        buttons = tuple({"title": e, "payload": e} for e in examples)
        options = []
    payload = {"type": "clarify", "need": "matter", "options": options}
    return Reply((Message(text=text, buttons=buttons), Message(custom=payload)))


def handoff(knowledge: Knowledge, unit: UnitInfo | None) -> Reply:
    """Third miss: name the people who can answer."""
    if unit is not None and unit.district in knowledge.districts:
        contact = knowledge.districts[unit.district].editorial_office
        text = f"抱歉，这个问题我暂时回答不了。建议直接咨询{contact}（负责{unit.district}镇街权责清单），或查阅正式发布的权责清单。"
    else:
        text = "抱歉，这个问题我暂时回答不了。建议直接咨询所在区的区委编办（负责镇街权责清单），或查阅正式发布的权责清单。"
    return Reply((Message(text=text),))
