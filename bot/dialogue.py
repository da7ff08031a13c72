"""One conversational turn about powers: which unit, which matter, what verdict.

The Rasa action only reads slots and the message, calls :func:`handle_turn`
and writes back the new state; every decision about units, matters, context
and clarification is made here, in plain Python.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from bot import answer
from bot.kb.types import UNIT_KIND_LABELS, ItemInfo, Knowledge, UnitInfo
from bot.matching import clean_question, likely_matters, match_matter, matter_spans
from bot.units import UnitMention, find_unit, resolve_unit
from bot.verdict import decide

QUESTION_OF_INTENT = {"ask_can": "can", "ask_who": "who", "ask_basis": "basis"}
MAX_UNIT_OPTIONS = 30

# What is left of a follow-up once unit and question words are gone.
_FOLLOWUP_WORDS = re.compile(
    r"那么|那|还有|还是|换成|改成|如果是|要是|如果|对于|关于|行政|处罚|罚款|审批|批准|许可|查处|执法|罚|批|办|管|呢|吗|么|啊|呀|"
    r"一下|情况|怎样|怎么样|如何|谁|哪个|哪里|部门|单位|机构|办公室|条文|法条|条款|法律|具体|全文|原文|内容|看看|说说|讲讲|"
    r"在|调到|调去|去了|现在|已经|是|的|了|我|这边|那边|这里|那里|这|上班|工作"
)
REPHRASE = (
    "抱歉，我没有理解您的意思。请换个说法，写明镇街和事项，例如“天河区石牌街道能不能处罚占道经营？”。"
    "输入“帮助”可查看示例。"
)
_SELF_INTRO = re.compile(r"我是|我在|我们是|我们在|我现在在|我调到|调到|调去|我属于|本人是|我来自")
_ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass(frozen=True)
class State:
    """What the conversation remembers between turns (kept in Rasa slots)."""

    unit: str | None = None  # full name of the unit under discussion
    matter: str | None = None  # item code last discussed
    question: str | None = None  # can / who / basis of the last question
    pending: dict[str, Any] | None = None  # a question waiting for a unit or a choice
    fallbacks: int = 0  # consecutive messages not understood
    listing: dict[str, Any] | None = None  # the last paged list: {unit, power_type, page}

    def to_slots(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "matter": self.matter,
            "question": self.question,
            "pending": json.dumps(self.pending, ensure_ascii=False) if self.pending else None,
            "fallbacks": float(self.fallbacks),
            "listing": json.dumps(self.listing, ensure_ascii=False) if self.listing else None,
        }

    @classmethod
    def from_slots(cls, slots: dict[str, Any]) -> "State":
        pending = _json_slot(slots.get("pending"))
        listing = _json_slot(slots.get("listing"))
        return cls(
            unit=slots.get("unit") or None,
            matter=slots.get("matter") or None,
            question=slots.get("question") or None,
            pending=pending if isinstance(pending, dict) else None,
            fallbacks=int(slots.get("fallbacks") or 0),
            listing=listing if isinstance(listing, dict) else None,
        )


def _json_slot(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


@dataclass(frozen=True)
class Turn:
    intent: str
    text: str
    entities: dict[str, str]  # from button payloads: {"matter": code, "unit": name}
    metadata_unit: str | None = None
    directory_unit: str | None = None  # remembered for this sender from an earlier session


@dataclass(frozen=True)
class Outcome:
    reply: answer.Reply
    state: State
    understood: dict[str, Any]  # for logging/audit: question, unit, matter, verdict
    remember_unit: str | None = None  # the user said which unit they belong to


def handle_turn(knowledge: Knowledge, turn: Turn, state: State) -> Outcome:
    """Answer one user message about powers, using and updating the state."""
    text = turn.text.strip()
    if turn.intent == "choose_option" or (state.pending and _looks_like_choice(text)):
        chosen = _choose(knowledge, text, state.pending)
        if chosen is not None:
            return chosen_outcome(knowledge, chosen, state, turn)
        if turn.intent == "choose_option":
            return Outcome(
                answer.text_reply("没有可选的选项，或没能对应到选项。请直接告诉我镇街名称和要问的事项。"),
                replace(state, pending=None),
                {"question": None},
            )

    if turn.intent in STRUCTURAL_INTENTS:
        return _structural(knowledge, turn.intent, text, state, turn)

    mention = _mention(knowledge, text, turn.entities)
    question = QUESTION_OF_INTENT.get(turn.intent)
    is_unit_statement = turn.intent == "inform_unit"

    # Matter: a button payload wins, then the text, then the conversation.
    residual = _strip_spans(text, mention.spans)
    item: ItemInfo | None = knowledge.items.get(turn.entities.get("matter", "")) if turn.entities else None
    match = None
    if item is None:
        match = match_matter(knowledge, residual)
        item = match.item
    has_matter_words = _has_content(residual)

    if is_unit_statement and item is None and not (match and match.ambiguous):
        return _unit_statement(knowledge, mention, text, state, turn)

    if question is None and item is None and not (match and match.ambiguous):
        # Low NLU confidence and no matter we know: a bare unit name is still
        # a unit statement; anything else gets a rephrase suggestion.
        if mention.units:
            return _unit_statement(knowledge, mention, text, state, turn)
        return _fallback(knowledge, text, state, turn)

    if question is None:
        # inform_unit carrying a matter, or an unclassified message with a clear matter.
        question = (state.pending or {}).get("question") or "can"

    if mention.ambiguous:
        pending = {"question": question, "matter": item.code if item else None, "need": "unit",
                   "options": [u.full_name for u in mention.units]}
        return Outcome(
            answer.clarify_unit(pending["options"], "您说的镇街有重名，请问是哪一个？"),
            replace(state, pending=pending),
            {"question": question, "clarify": "unit"},
        )

    if item is None and match is not None and match.ambiguous:
        options = [c.item for c in match.candidates]
        unit = _unit_for(knowledge, mention, state, turn)
        pending = {"question": question, "unit": unit.full_name if unit else None, "need": "matter",
                   "options": [it.code for it in options]}
        return Outcome(
            answer.clarify_matter(question, options),
            replace(state, pending=pending, unit=unit.full_name if unit else state.unit),
            {"question": question, "clarify": "matter"},
        )

    unit = _unit_for(knowledge, mention, state, turn)
    if item is None:
        if has_matter_words:
            return _unknown(knowledge, question, unit, residual, state)
        item = knowledge.items.get(state.matter or "")
        if item is None:
            pending = {"question": question, "unit": unit.full_name if unit else None, "need": "matter"}
            return Outcome(
                answer.clarify_matter(question, []),
                replace(state, pending=pending, unit=unit.full_name if unit else state.unit),
                {"question": question, "clarify": "matter"},
            )
    if unit is None:
        pending = {"question": question, "matter": item.code, "need": "unit"}
        district = mention.district
        options = [u.full_name for u in knowledge.units if u.district == district][:MAX_UNIT_OPTIONS] if district else []
        return Outcome(
            answer.clarify_unit(options),
            replace(state, pending=pending, matter=item.code, question=question),
            {"question": question, "matter": item.code, "clarify": "unit"},
        )
    return _answer(knowledge, question, unit, item, state)


def chosen_outcome(knowledge: Knowledge, chosen: dict[str, Any], state: State, turn: Turn) -> Outcome:
    pending = state.pending or {}
    question = pending.get("question") or "can"
    unit = find_unit(knowledge, chosen.get("unit") or pending.get("unit") or "") if (
        chosen.get("unit") or pending.get("unit")
    ) else _unit_for(knowledge, UnitMention((), (), None), state, turn)
    item = knowledge.items.get(chosen.get("matter") or pending.get("matter") or "")
    cleared = replace(state, pending=None)
    if item is None:
        pending2 = {"question": question, "unit": unit.full_name if unit else None, "need": "matter"}
        return Outcome(answer.clarify_matter(question, []), replace(cleared, pending=pending2,
                       unit=unit.full_name if unit else state.unit), {"question": question, "clarify": "matter"})
    if unit is None:
        pending2 = {"question": question, "matter": item.code, "need": "unit"}
        return Outcome(answer.clarify_unit([]), replace(cleared, pending=pending2, matter=item.code),
                       {"question": question, "clarify": "unit"})
    return _answer(knowledge, question, unit, item, cleared)


def _fallback(knowledge: Knowledge, text: str, state: State, turn: Turn) -> Outcome:
    """Two-stage fallback: rephrase, then options, then a person to ask."""
    count = state.fallbacks + 1
    new_state = replace(state, fallbacks=count, pending=None)
    understood = {"question": None, "verdict": "fallback"}
    if count == 1:
        return Outcome(answer.text_reply(REPHRASE), new_state, understood)
    if count == 2:
        candidates = likely_matters(knowledge, text)[:3]
        return Outcome(answer.fallback_options(candidates), new_state, understood)
    unit = _unit_for(knowledge, UnitMention((), (), None), state, turn)
    return Outcome(answer.handoff(knowledge, unit), replace(new_state, fallbacks=0), understood)


def _answer(knowledge: Knowledge, question: str, unit: UnitInfo, item: ItemInfo, state: State) -> Outcome:
    verdict = decide(knowledge, unit, item)
    return Outcome(
        answer.power_answer(question, verdict, knowledge),
        State(unit=unit.full_name, matter=item.code, question=question, pending=None),
        {"question": question, "unit": unit.full_name, "matter": item.code, "verdict": verdict.verdict},
    )


def _unknown(knowledge: Knowledge, question: str, unit: UnitInfo | None, residual: str, state: State) -> Outcome:
    asked = clean_question(residual) or residual
    return Outcome(
        answer.unknown_matter(question, unit, knowledge, asked[:40]),
        replace(state, unit=unit.full_name if unit else state.unit, question=question, pending=None),
        {"question": question, "unit": unit.full_name if unit else None, "matter": None, "verdict": "unknown"},
    )


def _unit_statement(knowledge: Knowledge, mention: UnitMention, text: str, state: State, turn: Turn) -> Outcome:
    if mention.ambiguous:
        options = [u.full_name for u in mention.units]
        pending = dict(state.pending or {}, need="unit", options=options)
        pending.setdefault("question", None)
        return Outcome(answer.clarify_unit(options, "您说的镇街有重名，请问是哪一个？"),
                       replace(state, pending=pending), {"clarify": "unit"})
    unit = mention.unit
    if unit is None:
        return Outcome(
            answer.clarify_unit([], "没能识别出镇街名称，请写全称，例如“天河区石牌街道”或“白云区江高镇”。"),
            state,
            {"clarify": "unit"},
        )
    pending = state.pending or {}
    if pending.get("need") == "unit" and pending.get("structural"):
        cleared = replace(state, pending=None, unit=unit.full_name)
        return _structural(knowledge, pending["structural"], pending.get("text", ""), cleared, turn)
    if pending.get("need") == "unit" and pending.get("question"):
        item = knowledge.items.get(pending.get("matter") or "")
        if item is not None:
            return _answer(knowledge, pending["question"], unit, item, replace(state, pending=None))
    is_intro = bool(_SELF_INTRO.search(text))
    last_item = knowledge.items.get(state.matter or "")
    if not is_intro and last_item is not None and state.question:
        # "那沙河街道呢？" — the last question, asked again for another unit.
        return _answer(knowledge, state.question, unit, last_item, state)
    text_out = (
        f"好的，已记下：{unit.full_name}（{UNIT_KIND_LABELS[unit.kind]}）。"
        f"您可以直接问我，例如“我们能不能处罚占道经营？”“宅基地审批归哪个办公室？”“依据哪条法律？”"
    )
    return Outcome(answer.text_reply(text_out), replace(state, unit=unit.full_name, pending=None),
                   {"unit": unit.full_name}, remember_unit=unit.full_name if is_intro else None)


def _mention(knowledge: Knowledge, text: str, entities: dict[str, str]) -> UnitMention:
    named = (entities or {}).get("unit")
    if named:
        unit = find_unit(knowledge, named)
        if unit is not None:
            return UnitMention((unit,), (), None)
    return resolve_unit(knowledge, text, matter_spans(knowledge, text))


def _unit_for(knowledge: Knowledge, mention: UnitMention, state: State, turn: Turn) -> UnitInfo | None:
    """Named now, else named earlier in the conversation, else the channel's metadata."""
    if mention.unit is not None:
        return mention.unit
    for name in (state.unit, turn.metadata_unit, turn.directory_unit):
        if name:
            unit = find_unit(knowledge, name)
            if unit is not None:
                return unit
    return None


def _strip_spans(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def _has_content(residual: str) -> bool:
    rest = _FOLLOWUP_WORDS.sub("", clean_question(residual))
    return len(rest) >= 2


def _looks_like_choice(text: str) -> bool:
    return bool(re.fullmatch(r"\s*(选|选择|就|要)?\s*(第)?\s*[0-9一二两三四五六七八九十]+\s*(个|项|条)?\s*(吧|啊)?\s*", text))


def _choose(knowledge: Knowledge, text: str, pending: dict[str, Any] | None) -> dict[str, Any] | None:
    """Pick an option by number, ordinal, or text; None when nothing fits."""
    if not pending or not pending.get("options"):
        return None
    options = pending["options"]
    need = pending.get("need")
    number = None
    digits = re.search(r"[0-9]+", text)
    if digits:
        number = int(digits.group())
    else:
        for ch in text:
            if ch in _ORDINALS:
                number = _ORDINALS[ch]
                break
        if number is None and re.search(r"最后|后面那个|后一个", text):
            number = len(options)
    if number is not None and 1 <= number <= len(options):
        return {need: options[number - 1]}
    # Option text or a paraphrase of it.
    if need == "unit":
        mention = resolve_unit(knowledge, text)
        if mention.unit is not None and mention.unit.full_name in options:
            return {"unit": mention.unit.full_name}
    if need == "matter":
        match = match_matter(knowledge, text)
        for candidate in match.candidates:
            if candidate.item.code in options:
                return {"matter": candidate.item.code}
    return None


STRUCTURAL_INTENTS = (
    "ask_list_powers", "ask_delegated_list", "ask_compare", "ask_office_duties", "ask_post_duties", "ask_agency",
    "ask_document", "ask_kb_version", "ask_fact", "ask_push_down", "page_next",
)


def _structural(knowledge: Knowledge, intent: str, text: str, state: State, turn: Turn) -> Outcome:
    """Questions about the lists as a whole (bot.structure)."""
    from bot import structure

    mention = _mention(knowledge, text, turn.entities)
    unit = _unit_for(knowledge, mention, state, turn) if not mention.ambiguous else None
    keep = replace(state, pending=None, fallbacks=0, unit=unit.full_name if unit else state.unit)
    understood = {"question": intent, "unit": unit.full_name if unit else None, "verdict": "structural"}

    def need_unit() -> Outcome:
        options = [u.full_name for u in mention.units] if mention.ambiguous else []
        pending = {"need": "unit", "structural": intent, "text": text, "options": options}
        return Outcome(answer.clarify_unit(options), replace(state, pending=pending), {"question": intent, "clarify": "unit"})

    if intent in ("ask_list_powers", "page_next"):
        listing = state.listing if intent == "page_next" else None
        if intent == "page_next" and not listing:
            return Outcome(answer.text_reply("没有可以翻页的列表。可以问“我们街道有哪些行政处罚权？”"), state, understood)
        if listing:
            unit = find_unit(knowledge, listing["unit"])
            power_type, page = listing.get("power_type"), int(listing.get("page", 1)) + 1
        else:
            power_type, page = structure.power_type_in(text), 1
        if unit is None:
            return need_unit()
        reply = structure.list_powers(knowledge, unit, power_type, page)
        payload = reply.messages[-1].custom or {}
        new_listing = {"unit": unit.full_name, "power_type": power_type, "page": payload.get("page", page)}
        return Outcome(reply, replace(keep, listing=new_listing), understood)
    if intent == "ask_delegated_list":
        kind = _kind_in(text, unit)
        return Outcome(structure.delegated_to(knowledge, kind), keep, understood)
    if intent == "ask_compare":
        units = _units_in_parts(knowledge, text)
        if len(units) == 1 and unit is not None and units[0].full_name != unit.full_name and state.unit:
            units = [find_unit(knowledge, state.unit), units[0]]  # type: ignore[list-item]
        if len(units) < 2:
            return Outcome(answer.text_reply("请告诉我要比较的两个镇街，例如“石牌街道和江高镇的权责有什么不同？”"), state, understood)
        return Outcome(structure.compare(knowledge, units[0], units[1]), keep, understood)
    if intent == "ask_office_duties":
        office = structure.find_office(knowledge, text)
        if office is None:
            return Outcome(answer.text_reply("请告诉我是哪个办公室，例如“综合行政执法办公室负责哪些事项？”"), state, understood)
        return Outcome(structure.office_duties(knowledge, office, unit), keep, understood)
    if intent == "ask_post_duties":
        item = _item_in(knowledge, text, mention) or knowledge.items.get(state.matter or "")
        reply = structure.post_duties(knowledge, text, item)
        if reply is None:
            posts = sorted({p.name for p in knowledge.posts})
            return Outcome(answer.text_reply("请说明岗位名称，例如：" + "、".join(posts[:12]) + "。"), state, understood)
        return Outcome(reply, keep, understood)
    if intent == "ask_agency":
        return Outcome(structure.agency_answer(knowledge, structure.find_agency(knowledge, text), unit), keep, understood)
    if intent == "ask_document":
        item = _item_in(knowledge, text, mention) or knowledge.items.get(state.matter or "")
        if item is None:
            return Outcome(answer.clarify_matter("can", [], "请问是哪项权力？例如“占道经营是什么时候下放的？”"),
                           replace(state, pending=None), {"question": intent, "clarify": "matter"})
        return Outcome(structure.document_answer(knowledge, item, unit), replace(keep, matter=item.code), understood)
    if intent == "ask_kb_version":
        return Outcome(structure.kb_version(knowledge), keep, understood)
    if intent == "ask_fact":
        fact = structure.match_fact(knowledge, text)
        if fact is None:
            return Outcome(answer.text_reply("没有找到相关的改革事实。可以问：镇街设几个机构、下达了多少行政执法专项编制、什么是“权随事走、费随事走”。"),
                           keep, {**understood, "verdict": "unknown"})
        return Outcome(structure.fact_answer(fact), keep, understood)
    # ask_push_down
    item = _item_in(knowledge, text, mention)
    asked = re.sub(r"^(区里|上级|区[^，,。]{0,8}?局|领导)?(要|让|叫|安排)?(我们|我们街道|我们镇)?(负责|去|来|做|承担|管)?", "", clean_question(_strip_spans(text, mention.spans)))
    asked = re.split(r"必须|能不能|可以|要不要|清单|吗", asked)[0][:20]
    return Outcome(structure.push_down(knowledge, unit, item, asked), keep, understood)


def _item_in(knowledge: Knowledge, text: str, mention: UnitMention) -> ItemInfo | None:
    return match_matter(knowledge, _strip_spans(text, mention.spans)).item


def _kind_in(text: str, unit: UnitInfo | None) -> str:
    if "非中心" in text:
        return "noncentral_street"
    if "中心城区" in text:
        return "central_street"
    if "镇" in text and "街道" not in text:
        return "town"
    if "街道" in text:
        return unit.kind if unit is not None and unit.kind != "town" else "central_street"
    return unit.kind if unit is not None else "town"


def _units_in_parts(knowledge: Knowledge, text: str) -> list[UnitInfo]:
    found: list[UnitInfo] = []
    for part in re.split(r"和|与|跟|同|对比|比较|比|、|，|,|vs|VS", text):
        mention = resolve_unit(knowledge, part, matter_spans(knowledge, part))
        if mention.unit is not None and mention.unit not in found:
            found.append(mention.unit)
    return found
