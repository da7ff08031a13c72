"""What a conversation remembers between turns, and the one place it meets Rasa slots.

Rasa keeps the state in the slots declared in domain.yml: text slots for the unit, the matter and
the question, a float for the count of messages not understood, and JSON text for the pending
question and the paged listing. Only :func:`to_slots` and :func:`from_slots` read or write those
slots. A value that does not validate (JSON that does not parse, an unknown or misspelt key, a
value of the wrong type) is dropped with a warning: the user loses that one piece of context and
is asked again, instead of the turn failing or a typo being taken for "nothing pending".
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

logger = logging.getLogger(__name__)

Question = Literal["can", "who", "basis"]
Need = Literal["unit", "matter"]
QUESTIONS: tuple[Question, ...] = ("can", "who", "basis")
NEEDS: tuple[Need, ...] = ("unit", "matter")


@dataclass(frozen=True)
class Pending:
    """A question waiting for the user to name a unit or to pick a matter."""

    need: Need
    question: Question | None = None  # can / who / basis of the waiting power question
    unit: str | None = None  # full name, known while the matter is wanted
    matter: str | None = None  # item code, known while the unit is wanted
    options: tuple[str, ...] = ()  # unit full names or item codes offered as buttons, in order
    structural: str | None = None  # a structural intent waiting for a unit…
    text: str = ""  # …and the message that asked it, answered again once the unit is known


@dataclass(frozen=True)
class Listing:
    """The last paged list shown, so that 下一页 continues it."""

    unit: str  # full name
    power_type: str | None
    page: int


@dataclass(frozen=True)
class State:
    """What the conversation remembers between turns (kept in Rasa slots)."""

    unit: str | None = None  # full name of the unit under discussion
    matter: str | None = None  # item code last discussed
    question: Question | None = None  # can / who / basis of the last question
    pending: Pending | None = None
    fallbacks: int = 0  # consecutive messages not understood
    listing: Listing | None = None

    def to_slots(self) -> dict[str, Any]:
        return to_slots(self)

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any]) -> State:
        return from_slots(slots)


def to_slots(state: State) -> dict[str, Any]:
    """Slot values (name → value) that carry ``state`` to the next turn."""
    return {
        "unit": state.unit,
        "matter": state.matter,
        "question": state.question,
        "pending": _encode(state.pending),
        "fallbacks": float(state.fallbacks),
        "listing": _encode(state.listing),
    }


def changed_slots(state: State, slots: Mapping[str, Any]) -> dict[str, Any]:
    """The slot values of ``state`` that differ from ``slots`` (what the tracker holds now).

    Only these are set: a turn that changes nothing adds no slot events to the conversation.
    """
    return {name: value for name, value in to_slots(state).items() if slots.get(name) != value}


def from_slots(slots: Mapping[str, Any]) -> State:
    """The state kept in ``slots``; never raises, whatever the slots hold."""
    pending = _decode("pending", slots.get("pending"), _PENDING_FIELDS, ("need",))
    listing = _decode("listing", slots.get("listing"), _LISTING_FIELDS, ("unit", "page"))
    question = slots.get("question")
    return State(
        unit=_text(slots.get("unit")),
        matter=_text(slots.get("matter")),
        question=cast(Question, question) if question in QUESTIONS else None,
        pending=Pending(**{**pending, "options": tuple(pending.get("options", ()))}) if pending else None,
        fallbacks=_count(slots.get("fallbacks")),
        listing=Listing(listing["unit"], listing.get("power_type"), listing["page"]) if listing else None,
    )


def _encode(value: Pending | Listing | None) -> str | None:
    if value is None:
        return None
    # Defaults are left out: the slot stays short and reads like the old hand-built dicts.
    data = {key: list(v) if isinstance(v, tuple) else v for key, v in asdict(value).items() if v not in (None, "", ())}
    return json.dumps(data, ensure_ascii=False)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _is_texts(value: Any) -> bool:
    return isinstance(value, list) and all(_is_text(v) for v in value)


def _is_page(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


_PENDING_FIELDS: dict[str, Callable[[Any], bool]] = {
    "need": lambda v: v in NEEDS,
    "question": lambda v: v in QUESTIONS,
    "unit": _is_text,
    "matter": _is_text,
    "options": _is_texts,
    "structural": _is_text,
    "text": lambda v: isinstance(v, str),
}
_LISTING_FIELDS: dict[str, Callable[[Any], bool]] = {"unit": _is_text, "power_type": _is_text, "page": _is_page}


def _decode(
    slot: str, raw: Any, fields: dict[str, Callable[[Any], bool]], required: tuple[str, ...]
) -> dict[str, Any] | None:
    """The validated fields of a JSON slot (None values left out), or None."""
    if raw is None or raw == "":
        return None
    data = raw
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
    if not isinstance(data, dict):
        logger.warning("slot %s dropped: not a JSON object: %.200r", slot, raw)
        return None
    present = {key: value for key, value in data.items() if value is not None}
    unknown = sorted(str(key) for key in set(present) - set(fields))
    missing = [key for key in required if key not in present]
    invalid = [key for key, value in present.items() if key in fields and not fields[key](value)]
    if unknown or missing or invalid:
        logger.warning("slot %s dropped: unknown %s, missing %s, invalid %s", slot, unknown, missing, invalid)
        return None
    return present


def _text(value: Any) -> str | None:
    return value if _is_text(value) else None


def _count(value: Any) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1000:
        return int(value)
    return 0
