"""Rasa's SQL tracker store, with a cost per message that does not grow with the conversation.

Rasa's own SQL store loads and replays every event of the current session on every message,
and ships them all to the action server: a WeCom user who keeps one conversation for a working
day pays for every earlier turn on each new one. This store loads only the tail of the session
(the last ``tail_events`` events, cut at a user message) after a short prelude that looks like
the session's start and restores the slots from a snapshot saved with every turn. The policies
look back at most a few turns (MemoizationPolicy's ``max_history``; the rules are one turn
long, data/rules/) and the actions read only the slots and the latest message, so they decide
exactly as with the whole session. Everything else (the HTTP API's trackers, the audit) still
sees every event: only :meth:`retrieve` is shortened.

``TRACKER_TAIL_EVENTS`` (default 40) sets the tail's length. Old events are pruned when a
conversation starts a new session: events older than ``TRACKER_RETENTION_DAYS`` days (default 180;
0 keeps them forever) are deleted for that sender.

endpoints.yml: ``tracker_store: {type: bot.tracker_store.TailSQLTrackerStore, url: …}``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import declarative_base, sessionmaker

from bot import db

logger = logging.getLogger(__name__)

TAIL_EVENTS = 40  # five turns or more (about seven events each): the rules look at one
RETENTION_DAYS = 180
_LOADED = "_bot_loaded_events"  # set on a retrieved tracker: how many of its events are stored (or made up)

_TAILED = "_bot_tail_only"  # set on a retrieved tracker: only the tail was loaded
_STORED = "_bot_stored_snapshot"  # set on a retrieved or saved tracker: the snapshot stored for it, if known
_Base: Any = declarative_base()


class SlotSnapshot(_Base):
    """The slots (and active loop) of a conversation as its last turn left them."""

    __tablename__ = "bot_tracker_snapshots"

    sender_id = sa.Column(sa.String(255), primary_key=True)
    data = sa.Column(sa.Text, nullable=False)


def retention_days(env: dict[str, str] | None = None) -> float:
    raw = (env if env is not None else os.environ).get("TRACKER_RETENTION_DAYS", "").strip()
    try:
        return max(0.0, float(raw)) if raw else RETENTION_DAYS
    except ValueError:
        logger.warning("TRACKER_RETENTION_DAYS=%r is not a number: keeping %s days", raw, RETENTION_DAYS)
        return RETENTION_DAYS


class TailSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that loads the tail of the current session and prunes old sessions."""

    def __init__(self, *args: Any, tail_events: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tail_events = max(1, int(tail_events or os.environ.get("TRACKER_TAIL_EVENTS") or TAIL_EVENTS))
        self.retention_s = retention_days() * 86400
        engine: sa.engine.Engine = self.engine
        if engine.url.get_backend_name() == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            self._pooled_sqlite(engine)
        with db.schema_change(engine, "tracker-schema") as connection:  # replicas start together
            _Base.metadata.create_all(connection)
            self._index_events(connection)
        self._tail_query = self._tail_statement()

    def _tail_statement(self) -> Any:
        """The last events of a sender's current session, newest first: Rasa's session query
        (:meth:`_event_query`), built once with parameters and reading the data column only.
        Building it per message, and ORM objects for its rows, cost more than running it."""
        events = self.SQLEvent.__table__
        start = (
            sa.select(sa.func.max(events.c.timestamp).label("session_start"))
            .where(events.c.sender_id == sa.bindparam("sender"), events.c.type_name == SessionStarted.type_name)
            .subquery()
        )
        return (
            sa.select(events.c.data)
            .where(
                events.c.sender_id == sa.bindparam("sender"),
                sa.or_(events.c.timestamp >= start.c.session_start, start.c.session_start.is_(None)),
            )
            .order_by(events.c.id.desc())
            .limit(sa.bindparam("limit"))
        )

    def _index_events(self, connection: sa.engine.Connection) -> None:
        """Indexes that make the tail's two queries independent of how long the sender's history is.

        The latest session start (sender, type, timestamp) and the last events (sender, id);
        Rasa's own index is on the sender alone, so both queries read every event of the sender.
        """
        table = self.SQLEvent.__table__
        for index in (
            sa.Index("bot_events_sender_type_time", table.c.sender_id, table.c.type_name, table.c.timestamp),
            sa.Index("bot_events_sender_id", table.c.sender_id, table.c.id),
        ):
            index.create(connection, checkfirst=True)

    def _pooled_sqlite(self, engine: sa.engine.Engine) -> None:
        """Keep SQLite connections open, in WAL mode with NORMAL sync (as bot/db.py does).

        SQLAlchemy 1.4 opens and closes a SQLite file per session by default, and each close of the
        last connection checkpoints the journal; a commit in the default mode waits for the disk.
        Both stalled Rasa's event loop on every message. WAL with NORMAL sync survives a crash of
        the application (a power cut may lose the last turns).
        """
        url = engine.url
        engine.dispose()
        self.engine = engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=2, connect_args={"check_same_thread": False}
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sessionmaker(bind=engine)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The current session's last turns, the slots as they stand, and what came before summed up."""
        if self.domain is None:
            return await super().retrieve(sender_id)
        with self.session_scope() as session:
            rows = session.execute(self._tail_query, {"sender": sender_id, "limit": self.tail_events + 1}).all()
            if not rows:
                return None
            events = [json.loads(row.data) for row in reversed(rows)]
            longer = len(rows) > self.tail_events
            snapshot = (
                session.execute(sa.select(SlotSnapshot.data).where(SlotSnapshot.sender_id == sender_id)).scalar()
                if longer
                else None
            )
        if longer and snapshot is None:  # stored before this store kept snapshots
            return await super().retrieve(sender_id)
        if snapshot is not None:
            events = _prelude(json.loads(snapshot)) + _from_user_message(events[1:])
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, _LOADED, len(tracker.events))
        setattr(tracker, _TAILED, snapshot is not None)
        # The snapshot the last save left: the one read, or (whole session loaded) the one that save
        # wrote from these same events when the session was already long enough to need one.
        stored = snapshot or (json.dumps(_snapshot(tracker)) if self._needs_snapshot(tracker) else None)
        setattr(tracker, _STORED, stored)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events and the slots as they now stand, in one transaction.

        Written with SQLAlchemy Core (one multi-row insert, one upsert) rather than the ORM's unit
        of work, which cost more than the statements themselves on every message.
        """
        await self.stream_events(tracker)
        with self.session_scope() as session:
            events = self._new_events(session, tracker)
            rows = [_row(tracker.sender_id, event) for event in events]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            snapshot = json.dumps(_snapshot(tracker)) if self._needs_snapshot(tracker) else None
            if snapshot is not None and snapshot != getattr(tracker, _STORED, None):  # written when it changed
                self._upsert_snapshot(session, tracker.sender_id, snapshot)
            if self.retention_s > 0 and any(isinstance(e, SessionStarted) for e in events):
                self._prune(session, tracker.sender_id)
            session.commit()
        if snapshot is not None:
            setattr(tracker, _STORED, snapshot)

    def _upsert_snapshot(self, session: Any, sender_id: str, data: str) -> None:
        dialect = self.engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            session.merge(SlotSnapshot(sender_id=sender_id, data=data))
            return
        module: Any = sqlite if dialect == "sqlite" else postgresql
        statement = module.insert(SlotSnapshot.__table__).values(sender_id=sender_id, data=data)
        session.execute(statement.on_conflict_do_update(index_elements=["sender_id"], set_={"data": data}))

    def _needs_snapshot(self, tracker: DialogueStateTracker) -> bool:
        """Whether the session may be longer than the tail: only then is the snapshot read."""
        if getattr(tracker, _TAILED, False):
            return True
        session_events = len(tracker.events)
        for i, event in enumerate(reversed(tracker.events)):
            if isinstance(event, SessionStarted):
                session_events = i + 1
                break
        return session_events > self.tail_events // 2

    def _new_events(self, session: Any, tracker: DialogueStateTracker) -> list[Event]:
        """The events of ``tracker`` not stored yet (and not made up by :meth:`retrieve`)."""
        loaded = getattr(tracker, _LOADED, None)
        # A tracker this store neither loaded nor saved yet: Rasa's own count. Rasa saves a new
        # conversation's tracker once when it creates it; the count is not queried again after.
        events = list(self._additional_events(session, tracker)) if loaded is None else list(tracker.events)[loaded:]
        setattr(tracker, _LOADED, len(tracker.events))
        return events

    def _prune(self, session: Any, sender_id: str) -> None:
        """Delete this sender's events older than the retention period (a new session has begun)."""
        deleted = (
            session.query(self.SQLEvent)
            .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.timestamp < time.time() - self.retention_s)
            .delete(synchronize_session=False)
        )
        if deleted:
            logger.info("pruned %d events older than the retention period", deleted)


def _row(sender_id: str, event: Event) -> dict[str, Any]:
    data = _stored(event.as_dict())
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _stored(data: dict[str, Any]) -> dict[str, Any]:
    """An event as stored: an answer's payload keeps each legal basis's citation, not its text.

    The quoted articles (kilobytes per answer) went to the channel with the reply and stay in
    the knowledge base (law, article and ``law_version`` name them); a stored conversation is
    read back only for the dialogue's state, which never looks at a bot message's payload.
    """
    custom = (data.get("data") or {}).get("custom") if data.get("event") == "bot" else None
    if not isinstance(custom, dict) or not isinstance(custom.get("legal_basis"), list):
        return data
    basis = [dict(ref, text=None) if isinstance(ref, dict) else ref for ref in custom["legal_basis"]]
    return {**data, "data": {**data["data"], "custom": {**custom, "legal_basis": basis}}}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _snapshot(tracker: DialogueStateTracker) -> dict[str, Any]:
    return {"slots": tracker.current_slot_values(), "active_loop": tracker.active_loop_name}


def _prelude(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """Events that open a session with the slots already set (never stored)."""
    stamp = time.time()
    events: list[Event] = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=stamp),
        SessionStarted(timestamp=stamp),
    ]
    events += [SlotSet(name, value, timestamp=stamp) for name, value in (snapshot.get("slots") or {}).items()]
    if snapshot.get("active_loop"):
        events.append(ActiveLoop(snapshot["active_loop"], timestamp=stamp))
    events.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=stamp))
    return [e.as_dict() for e in events]


def _from_user_message(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``events`` from the first user message on, so that the tail starts with a whole turn."""
    for i, event in enumerate(events):
        if event.get("event") == UserUttered.type_name:
            return events[i:]
    return events[-1:] if events else []
