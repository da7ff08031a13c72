"""The values one turn carries: the message in, the units resolved once, the outcome out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot import answer
from bot.dialogue.parse import unit_mention
from bot.dialogue.state import Question, State
from bot.kb.types import Knowledge, UnitInfo
from bot.units import UnitMention, find_unit

QUESTION_OF_INTENT: dict[str, Question] = {"ask_can": "can", "ask_who": "who", "ask_basis": "basis"}

UnitSource = Literal["message", "conversation", "metadata", "directory"]


@dataclass(frozen=True)
class Turn:
    """One user message as the action server hands it over."""

    intent: str
    text: str
    entities: dict[str, str]  # from button payloads: {"matter": code, "unit": name}
    metadata_unit: str | None = None  # the unit the channel says this user belongs to
    directory_unit: str | None = None  # remembered for this sender from an earlier session


@dataclass(frozen=True)
class UnitContext:
    """The asker's unit, resolved once per turn from every place it can come from.

    The message outranks the conversation, which outranks the channel's metadata, which outranks
    the user directory: what the user says now is what they mean.
    """

    mention: UnitMention  # what this message names (one, several or none)
    conversation: UnitInfo | None = None  # named earlier in the conversation
    metadata: UnitInfo | None = None  # given by the channel
    directory: UnitInfo | None = None  # remembered for this sender

    @property
    def known(self) -> UnitInfo | None:
        """The unit known apart from this message."""
        return self.conversation or self.metadata or self.directory

    @property
    def unit(self) -> UnitInfo | None:
        """The unit this turn is about: named now, else the one already known."""
        return self.mention.unit or self.known

    @property
    def source(self) -> UnitSource | None:
        if self.mention.unit is not None:
            return "message"
        if self.conversation is not None:
            return "conversation"
        if self.metadata is not None:
            return "metadata"
        return "directory" if self.directory is not None else None


def resolve_units(knowledge: Knowledge, turn: Turn, state: State) -> UnitContext:
    """Resolve every unit name the turn can draw on; names that match no unit count as absent."""

    def lookup(name: str | None) -> UnitInfo | None:
        return find_unit(knowledge, name) if name else None

    return UnitContext(
        mention=unit_mention(knowledge, turn.text.strip(), turn.entities),
        conversation=lookup(state.unit),
        metadata=lookup(turn.metadata_unit),
        directory=lookup(turn.directory_unit),
    )


@dataclass(frozen=True)
class Outcome:
    reply: answer.Reply
    state: State
    understood: dict[str, Any]  # for logging/audit: question, unit, matter, verdict
    remember_unit: str | None = None  # the user said which unit they belong to
    units: UnitContext | None = None  # the units this turn resolved (set by handle_turn)
