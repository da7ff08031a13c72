"""The answer contract: typed answers that every channel renders from their fields.

A reply to a question is a :class:`PowerAnswer` or a :class:`Clarification`. :mod:`bot.answer`
builds them and renders the chat text; :meth:`to_payload` gives the ``custom`` payload that travels
with it through Rasa. A channel turns the payload back into the dataclass with :func:`parse_payload`
(tolerant: the dict has crossed a network) and renders its own form from the fields — the
WeCom/DingTalk card (:mod:`bot.channels.render`), speech (:mod:`bot.speech`), the web widget. No
channel reads the chat text, so wording lives in one place.

A little over 300 lines on purpose: the payload is written and read here only, so its two
directions can be checked against each other in one file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.verdict import VERDICT_LABELS

DISCLAIMER = "※ 演示数据：本清单依据改革规则和现行法律文本编制，仅作示例，不是官方权责清单，请以正式发布的清单为准。"
QUESTION_LABELS = {"can": "能否行使", "who": "由谁负责", "basis": "法律依据"}
# What a clarification asks when its payload lost the prompt.
DEFAULT_PROMPTS = {"unit": "请问您是哪个镇街的？", "matter": "您问的是哪一项？"}


@dataclass(frozen=True)
class UnitRef:
    name: str  # the full name, district first: 天河区石牌街道
    kind: str = ""
    district: str = ""

    @property
    def short_name(self) -> str:
        """The name without its district (石牌街道), as an office's full title uses it."""
        if self.district and self.name.startswith(self.district) and len(self.name) > len(self.district):
            return self.name[len(self.district) :]
        return self.name


@dataclass(frozen=True)
class ItemRef:
    code: str
    name: str
    power_type: str = ""


@dataclass(frozen=True)
class LegalRef:
    law: str
    article: str | None = None  # 第四十二条第一款; None when the whole law is cited
    text: str | None = None
    law_version: str | None = None  # ISO date of the law text quoted

    @property
    def citation(self) -> str:
        return f"《{self.law}》{self.article or ''}"


@dataclass(frozen=True)
class DelegationRef:
    document: str
    effective: str | None = None  # ISO date the document took effect

    @property
    def summary(self) -> str:
        return self.document + (f"，{self.effective} 起施行" if self.effective else "")


@dataclass(frozen=True)
class Understood:
    """What the assistant took the question to be, shown so the user can catch a misreading."""

    unit: str | None  # None: no unit known
    matter: str | None  # None: the matter was not recognised
    question: str  # can / who / basis

    @property
    def text(self) -> str:
        label = QUESTION_LABELS.get(self.question, self.question)
        return f"我的理解：{self.unit or '镇街'} · {self.matter or '未识别的事项'} · {label}"

    def to_payload(self) -> dict[str, Any]:
        return {"unit": self.unit, "matter": self.matter, "question": self.question, "text": self.text}


@dataclass(frozen=True)
class Fact:
    """One labelled line of an answer: 承办机构：综合行政执法办公室."""

    key: str  # item / office / holder / basis / delegation / note: lets a channel add to one
    label: str
    value: str


@dataclass(frozen=True)
class PowerAnswer:
    """Whether a unit exercises a power: the verdict and everything that supports it.

    ``item`` is None for a matter the knowledge base does not hold (verdict ``unknown``); then
    ``next_step`` says what the user can do instead.
    """

    question: str  # can / who / basis
    verdict: str  # yes / no / assist / unknown
    headline: str  # the answer in one sentence, without the verdict label
    unit: UnitRef | None = None
    item: ItemRef | None = None
    handled_by: str | None = None  # the unit's office that does the work
    held_by: str | None = None  # who holds the power when the unit does not (or decides, for assist)
    legal_basis: tuple[LegalRef, ...] = ()
    delegation: DelegationRef | None = None
    note: str | None = None
    understood: Understood | None = None
    disclaimer: str = DISCLAIMER
    next_step: str | None = None
    trace: tuple[str, ...] = ()
    kb_version: str | None = None

    @property
    def label(self) -> str:
        """可以 / 不可以 / 协助办理 / 未找到: what every channel shows first."""
        return VERDICT_LABELS.get(self.verdict, VERDICT_LABELS["unknown"])

    @property
    def quotes(self) -> tuple[LegalRef, ...]:
        """The articles to quote: all of them when the basis was asked for, else the first one."""
        quoted = tuple(ref for ref in self.legal_basis if ref.text)
        return quoted if self.question == "basis" else quoted[:1]

    @property
    def holder_role(self) -> str:
        """How ``held_by`` is introduced: it decides (assist) or it exercises the power instead."""
        return "决定机关" if self.verdict == "assist" else "实施主体"

    def facts(self) -> tuple[Fact, ...]:
        """The labelled facts after the headline, in the order every full rendering shows them."""
        if self.item is None:
            return ()
        facts = [Fact("item", "事项", f"{self.item.name}（{self.item.power_type}）")]
        if self.handled_by:
            facts.append(Fact("office", "承办机构", self.handled_by))
        if self.held_by:
            facts.append(Fact("holder", self.holder_role, self.held_by))
        if self.legal_basis:
            facts.append(Fact("basis", "法律依据", "；".join(ref.citation for ref in self.legal_basis)))
        if self.delegation:
            facts.append(Fact("delegation", "下放/职责依据", self.delegation.summary))
        if self.note:
            facts.append(Fact("note", "说明", self.note))
        return tuple(facts)

    def to_payload(self) -> dict[str, Any]:
        return {
            "type": "power_answer",
            "question": self.question,
            "verdict": self.verdict,
            "unit": {"name": self.unit.name, "kind": self.unit.kind, "district": self.unit.district}
            if self.unit
            else None,
            "item": {"code": self.item.code, "name": self.item.name, "power_type": self.item.power_type}
            if self.item
            else None,
            "handled_by": self.handled_by,
            "held_by": self.held_by,
            "legal_basis": [
                {"law": r.law, "article": r.article, "text": r.text, "law_version": r.law_version}
                for r in self.legal_basis
            ],
            "delegation": {"document": self.delegation.document, "effective": self.delegation.effective}
            if self.delegation
            else None,
            "note": self.note,
            "trace": list(self.trace),
            "kb_version": self.kb_version,
            "headline": self.headline,
            "understood": self.understood.to_payload() if self.understood else None,
            "disclaimer": self.disclaimer,
            "next_step": self.next_step,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> PowerAnswer:
        """The answer a payload describes; missing or garbled fields become empty, never an error."""
        verdict = _text(payload.get("verdict")) or "unknown"
        question = _text(payload.get("question")) or "can"
        unit, item = _unit(payload.get("unit")), _item(payload.get("item"))
        delegation = payload.get("delegation")
        document = _text(delegation.get("document")) if isinstance(delegation, Mapping) else None
        return cls(
            question=question,
            verdict=verdict if verdict in VERDICT_LABELS else "unknown",
            headline=_text(payload.get("headline")) or "",
            unit=unit,
            item=item,
            handled_by=_text(payload.get("handled_by")),
            held_by=_text(payload.get("held_by")),
            legal_basis=tuple(
                LegalRef(law, _text(r.get("article")), _text(r.get("text")), _text(r.get("law_version")))
                for r in _dicts(payload.get("legal_basis"))
                if (law := _text(r.get("law")))
            ),
            delegation=DelegationRef(document, _text(delegation.get("effective")))
            if document and isinstance(delegation, Mapping)
            else None,
            note=_text(payload.get("note")),
            understood=_understood(payload.get("understood"), question),
            disclaimer=_text(payload.get("disclaimer")) or DISCLAIMER,
            next_step=_text(payload.get("next_step")),
            trace=tuple(t for t in map(_text, _list(payload.get("trace"))) if t),
            kb_version=_text(payload.get("kb_version")),
        )


@dataclass(frozen=True)
class Option:
    """One thing the user can choose in a clarification."""

    title: str  # what a button shows and a voice reads: the unit's full name, a matter's everyday name
    name: str | None = None  # a matter's formal name, as the chat text lists it
    code: str | None = None  # a matter's code
    reply: str | None = None  # what choosing it sends back (a button's payload); not part of the payload


@dataclass(frozen=True)
class Clarification:
    """A question back to the user: which unit or which matter."""

    need: str  # unit / matter
    prompt: str  # the question, without the options
    options: tuple[Option, ...] = ()
    examples: tuple[str, ...] = ()  # questions to try, when there is nothing to choose from
    # Only the chat text uses this: the second-miss fallback leaves its options to the buttons.
    listed: bool = True

    def to_payload(self) -> dict[str, Any]:
        options: list[Any] = (
            [o.title for o in self.options]
            if self.need == "unit"
            else [{"code": o.code, "name": o.name, "title": o.title} for o in self.options]
        )
        return {
            "type": "clarify",
            "need": self.need,
            "options": options,
            "prompt": self.prompt,
            "examples": list(self.examples),
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Clarification:
        need = _text(payload.get("need")) or "matter"
        options = []
        for raw in _list(payload.get("options")):
            if isinstance(raw, Mapping):
                name, code = _text(raw.get("name")), _text(raw.get("code"))
                title = _text(raw.get("title")) or name or code
                if title:
                    options.append(Option(title, name, code))
            elif title := _text(raw):
                options.append(Option(title))
        return cls(
            need=need,
            prompt=_text(payload.get("prompt")) or DEFAULT_PROMPTS.get(need, DEFAULT_PROMPTS["matter"]),
            options=tuple(options),
            examples=tuple(e for e in map(_text, _list(payload.get("examples"))) if e),
        )


Answer = PowerAnswer | Clarification


def parse_payload(custom: Any) -> Answer | None:
    """The typed answer behind a ``custom`` payload; None for other payloads (structural, none)."""
    if not isinstance(custom, Mapping):
        return None
    if custom.get("type") == "power_answer":
        return PowerAnswer.from_payload(custom)
    if custom.get("type") == "clarify":
        return Clarification.from_payload(custom)
    return None


def _text(value: Any) -> str | None:
    """A non-empty string from a payload field; numbers are accepted, anything else is dropped."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        text = str(value)
        return text if text.strip() else None
    return None


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in _list(value) if isinstance(v, Mapping)]


def _unit(value: Any) -> UnitRef | None:
    if not isinstance(value, Mapping) or not (name := _text(value.get("name"))):
        return None
    return UnitRef(name, _text(value.get("kind")) or "", _text(value.get("district")) or "")


def _item(value: Any) -> ItemRef | None:
    if not isinstance(value, Mapping):
        return None
    code, name = _text(value.get("code")), _text(value.get("name"))
    if not (code or name):
        return None
    return ItemRef(code or "", name or code or "", _text(value.get("power_type")) or "")


def _understood(value: Any, question: str) -> Understood | None:
    if not isinstance(value, Mapping):
        return None
    return Understood(_text(value.get("unit")), _text(value.get("matter")), _text(value.get("question")) or question)
