"""Rasa's ticket lock store, without the message that waits forever.

Rasa processes one conversation's messages one at a time: each message takes a numbered ticket
that lives ``TICKET_LOCK_LIFETIME`` seconds, and waits, polling, until the first ticket still
alive is its own. If its own ticket expires while it waits, that moment never comes: no live
ticket is ever its own again, and Rasa polls for ever (the HTTP request ends in a gateway
timeout). That happens whenever the ticket before it expires less than one poll before its own:
a replica that died holding a conversation (its ticket is never removed, only expires) while
the survivor answers the message nginx passed on to it, or a loop too busy to poll in time.

:class:`InOrderLockStore` keeps Rasa's storage (in memory, or Redis for replicas) and its
protocol, and changes only the wait: a message whose ticket expired while it waited takes a new
one, behind every live ticket, so it is answered after them and never with them. It also polls
more often than Rasa (every 0.2 s instead of 1 s: a follow-up waits less for the question
before it).

endpoints.yml: ``lock_store: {type: bot.lock_store.InOrderLockStore, kind: in_memory|redis, …}``;
with ``kind: redis`` the other keys are Rasa's own (``url``, ``port``, ``db``, ``password``,
``key_prefix``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

POLL_S = 0.2
KINDS = ("in_memory", "redis")


def _backend(config: EndpointConfig) -> LockStore:
    options = dict(config.kwargs)
    kind = options.pop("kind", None) or "in_memory"
    if kind == "in_memory":
        return InMemoryLockStore()
    if kind == "redis":
        return RedisLockStore(host=config.url or "localhost", **options)
    raise ValueError(f"LOCK_STORE_TYPE 须为 {' 或 '.join(KINDS)}，而不是 {kind!r}")


def _alive(lock: TicketLock | None, ticket: int) -> bool:
    return lock is not None and any(t.number == ticket and not t.has_expired() for t in lock.tickets)


class InOrderLockStore(LockStore):
    """Rasa's lock store (in memory or Redis) whose waiting messages cannot be forgotten."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        self.backend = _backend(endpoint_config or EndpointConfig())
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.backend.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.backend.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.backend.save_lock(lock)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_S
    ) -> AsyncIterator[TicketLock]:
        lock_lifetime = max(lock_lifetime, 1.0)
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            while True:
                lock = self.get_lock(conversation_id)
                if lock is not None and lock.now_serving == ticket:
                    break
                if not _alive(lock, ticket):  # expired while waiting: back in line, behind the live ones
                    logger.info("Ticket %s for %s expired while waiting; taking a new one.", ticket, conversation_id)
                    self.finish_serving(conversation_id, ticket)
                    ticket = self.issue_ticket(conversation_id, lock_lifetime)
                    continue
                await asyncio.sleep(wait_time_in_seconds)
                self.update_lock(conversation_id)
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)
