"""Questions about the lists as a whole: one handler per intent.

Each handler reads the question with ``bot.dialogue.parse`` (or ``bot.dialogue.kinds``) and renders the answer with
``bot.structure`` (or ``bot.overview``); a question that needs a unit nobody named waits for it in the state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bot import accountability, answer, overview, structure
from bot.dialogue import kinds, parse
from bot.dialogue.state import Listing, Pending, Question, State
from bot.dialogue.turn import Outcome, Turn, UnitContext
from bot.kb.types import Knowledge, UnitInfo
from bot.units import find_unit

NO_LIST = "没有可以翻页的列表。可以问“我们街道有哪些行政处罚权？”"
COMPARE_WHICH = "请告诉我要比较的两个镇街，例如“石牌街道和江高镇的权责有什么不同？”"
OFFICE_WHICH = "请告诉我是哪个办公室，例如“综合行政执法办公室负责哪些事项？”"
DOCUMENT_WHICH = "请问是哪项权力？例如“占道经营是什么时候下放的？”"
ACCOUNTABILITY_WHICH = "请问是哪项事项？例如“占道经营的责任事项有哪些？”“宅基地审批的追责情形？”"
NO_FACT = "没有找到相关的改革事实。可以问：镇街设几个机构、下达了多少行政执法专项编制、什么是“权随事走、费随事走”。"


@dataclass(frozen=True)
class _Asked:
    """A structural question and what the turn knows around it."""

    knowledge: Knowledge
    intent: str
    text: str
    state: State
    units: UnitContext
    unit: UnitInfo | None  # the asker's unit, unless the message named several

    @property
    def kept(self) -> State:
        """The state after an answer: nothing pending, the unit remembered."""
        return replace(
            self.state, pending=None, fallbacks=0, unit=self.unit.full_name if self.unit else self.state.unit
        )

    @property
    def understood(self) -> dict[str, Any]:
        return {"question": self.intent, "unit": self.unit.full_name if self.unit else None, "verdict": "structural"}

    def answered(self, reply: answer.Reply, state: State | None = None) -> Outcome:
        return Outcome(reply, self.kept if state is None else state, self.understood)

    def declined(self, text: str) -> Outcome:
        """The question lacks its subject: say what to ask, keep the state as it was."""
        return Outcome(answer.text_reply(text), self.state, self.understood)


def answer_structural(knowledge: Knowledge, turn: Turn, state: State, units: UnitContext) -> Outcome:
    """Answer ``turn``, whose intent is one of :data:`STRUCTURAL_INTENTS`."""
    unit = None if units.mention.ambiguous else units.unit
    asked = _Asked(knowledge, turn.intent, turn.text.strip(), state, units, unit)
    return _HANDLERS[turn.intent](asked)


def _need_unit(q: _Asked) -> Outcome:
    mention = q.units.mention
    options = tuple(u.full_name for u in mention.units) if mention.ambiguous else ()
    pending = Pending("unit", options=options, structural=q.intent, text=q.text)
    return Outcome(
        answer.clarify_unit(list(options)), replace(q.state, pending=pending), {"question": q.intent, "clarify": "unit"}
    )


def _list_powers(q: _Asked) -> Outcome:
    listing = q.state.listing if q.intent == "page_next" else None
    if q.intent == "page_next" and listing is None:
        return q.declined(NO_LIST)
    if listing is not None:
        unit, power_type, page = find_unit(q.knowledge, listing.unit), listing.power_type, listing.page + 1
    else:
        unit, power_type, page = q.unit, parse.power_type_in(q.text), 1
    if unit is None:
        return _need_unit(q)
    reply = structure.list_powers(q.knowledge, unit, power_type, page)
    shown = (reply.messages[-1].custom or {}).get("page", page)
    return q.answered(reply, replace(q.kept, listing=Listing(unit.full_name, power_type, shown)))


def _delegated_list(q: _Asked) -> Outcome:
    return q.answered(structure.delegated_to(q.knowledge, parse.delegated_kind(q.text, q.unit)))


def _compare(q: _Asked) -> Outcome:
    units = parse.units_in_parts(q.knowledge, q.text)
    earlier = q.units.known
    if len(units) == 1 and earlier is not None and units[0] != earlier:
        units = [earlier, units[0]]  # "和江高镇比呢", "我们和江高镇…" — against the asker's unit
    if len(units) < 2:
        return q.declined(COMPARE_WHICH)
    item = kinds.compared_matter(q.knowledge, q.text, q.units.mention)
    if item is not None:
        reply = overview.compare_matter(q.knowledge, units[0], units[1], item)
        return Outcome(reply, replace(q.state, pending=None, fallbacks=0, matter=item.code), q.understood)
    return q.answered(structure.compare(q.knowledge, units[0], units[1]))


def _office_duties(q: _Asked) -> Outcome:
    office = parse.find_office(q.knowledge, q.text)
    if office is None:
        return q.declined(OFFICE_WHICH)
    return q.answered(structure.office_duties(q.knowledge, office, q.unit))


def _post_duties(q: _Asked) -> Outcome:
    item = parse.item_in(q.knowledge, q.text, q.units.mention) or q.knowledge.items.get(q.state.matter or "")
    posts = parse.posts_named(q.knowledge, q.text)
    reply = structure.post_duties(q.knowledge, item, parse.stage_in(q.text), posts)
    if reply is None:
        names = sorted({p.name for p in q.knowledge.posts})
        return q.declined("请说明岗位名称，例如：" + "、".join(names[:12]) + "。")
    return q.answered(reply)


def _agency(q: _Asked) -> Outcome:
    return q.answered(structure.agency_answer(q.knowledge, parse.find_agency(q.knowledge, q.text), q.unit))


def _document(q: _Asked) -> Outcome:
    item = parse.item_in(q.knowledge, q.text, q.units.mention) or q.knowledge.items.get(q.state.matter or "")
    if item is None and kinds.asks_about_whole_list(q.text):
        return q.answered(structure.list_documents(q.knowledge, q.unit))
    if item is None:
        return Outcome(
            answer.clarify_matter("can", [], DOCUMENT_WHICH),
            replace(q.state, pending=None),
            {"question": q.intent, "clarify": "matter"},
        )
    return q.answered(structure.document_answer(q.knowledge, item, q.unit), replace(q.kept, matter=item.code))


def _accountability(q: _Asked) -> Outcome:
    aspect, item = kinds.accountability_asked(q.knowledge, q.text, q.state, q.units.mention) or ("", None)
    if item is None:
        return q.declined(ACCOUNTABILITY_WHICH)
    return q.answered(accountability.accountability_answer(item, aspect), replace(q.kept, matter=item.code))


def _kb_version(q: _Asked) -> Outcome:
    return q.answered(structure.kb_version(q.knowledge))


def _fact(q: _Asked) -> Outcome:
    fact = parse.match_fact(q.knowledge, q.text)
    if fact is None:
        return Outcome(answer.text_reply(NO_FACT), q.kept, {**q.understood, "verdict": "unknown"})
    return q.answered(structure.fact_answer(fact))


def _push_down(q: _Asked) -> Outcome:
    mention = q.units.mention
    item = parse.item_in(q.knowledge, q.text, mention)
    return q.answered(structure.push_down(q.knowledge, q.unit, item, parse.pushed_work(q.text, mention)))


def _kind_counts(q: _Asked, power_type: str | None) -> Outcome:
    """No unit yet: the counts for each kind of unit now, the list once the unit is named."""
    waiting = _need_unit(q)
    if q.units.mention.ambiguous:
        return waiting
    reply = overview.kind_counts(q.knowledge, power_type, kinds.unit_kinds_in(q.text))
    return replace(waiting, reply=reply)


def _power_summary(q: _Asked) -> Outcome:
    power_type = kinds.vague_power_type(parse.strip_spans(q.text, q.units.mention.spans)) or "行政处罚"
    if q.unit is None:
        return _kind_counts(q, power_type)
    question: Question = "can"  # 能不能罚款: the matter picked is asked as "can we"
    reply, offered = overview.power_summary(q.knowledge, q.unit, power_type, question)
    pending = Pending("matter", question, unit=q.unit.full_name, options=tuple(i.code for i in offered))
    return q.answered(reply, replace(q.kept, pending=pending if offered else None))


def _unit_offices(q: _Asked) -> Outcome:
    return _need_unit(q) if q.unit is None else q.answered(overview.unit_offices(q.unit))


def _has_office(q: _Asked) -> Outcome:
    office = kinds.asks_has_office(q.knowledge, q.text)
    if office is None:
        return q.declined(OFFICE_WHICH)
    return _need_unit(q) if q.unit is None else q.answered(overview.office_exists(q.knowledge, q.unit, office))


def _office_posts(q: _Asked) -> Outcome:
    office = kinds.asks_office_posts(q.knowledge, q.text)
    if office is None:
        return q.declined(OFFICE_WHICH)
    return q.answered(overview.office_posts(q.knowledge, office, q.unit))


def _work_order(q: _Asked) -> Outcome:
    if q.unit is None:
        return _need_unit(q)
    items = kinds.work_order_matters(q.knowledge, q.text, q.units.mention) or []
    outcome = q.answered(overview.work_order(q.knowledge, q.unit, items))
    return replace(outcome, understood={**outcome.understood, "matters": [i.code for i in items]})


_HANDLERS: dict[str, Callable[[_Asked], Outcome]] = {
    "ask_list_powers": _list_powers,
    "page_next": _list_powers,
    "ask_delegated_list": _delegated_list,
    "ask_compare": _compare,
    "ask_office_duties": _office_duties,
    "ask_post_duties": _post_duties,
    "ask_agency": _agency,
    "ask_document": _document,
    "ask_kb_version": _kb_version,
    "ask_fact": _fact,
    "ask_push_down": _push_down,
    # Not NLU intents: kinds of question told apart by their words (kind_of).
    "ask_work_order": _work_order,
    "ask_has_office": _has_office,
    "ask_office_posts": _office_posts,
    "ask_unit_offices": _unit_offices,
    "ask_power_summary": _power_summary,
    "ask_accountability": _accountability,
}
STRUCTURAL_INTENTS = tuple(_HANDLERS)
