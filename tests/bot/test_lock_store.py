"""One conversation's messages are answered one at a time, in order, and none waits for ever.

The scenarios take any lock store; here they run in memory, tests/cluster/test_lock_store_redis.py
runs them on a real Redis (the replicas' store).
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import InOrderLockStore

LIFETIME = 1.0  # seconds a ticket lives (TICKET_LOCK_LIFETIME)


async def one_at_a_time_in_order(store: LockStore) -> None:
    """Five messages of one conversation arrive together: each is processed alone, in arrival order."""
    conversation, log = uuid.uuid4().hex, []

    async def message(n: int) -> None:
        async with store.lock(conversation, lock_lifetime=10):
            log.append(("in", n))
            await asyncio.sleep(0.05)
            log.append(("out", n))

    tasks = []
    for n in range(5):
        tasks.append(asyncio.create_task(message(n)))
        await asyncio.sleep(0.01)  # arrival order
    await asyncio.gather(*tasks)
    assert log == [(step, n) for n in range(5) for step in ("in", "out")]
    assert store.get_lock(conversation) is None  # nothing left behind


async def expired_while_waiting(store: LockStore, *, timeout: float = 6.0) -> float:
    """The message before this one was held by a replica that died: its ticket is never removed,
    only expires, a moment before this message's own ticket, between two polls. Returns how long
    the message waited."""
    conversation = uuid.uuid4().hex
    store.issue_ticket(conversation, LIFETIME)  # the dead replica's ticket
    await asyncio.sleep(0.05)
    started = time.monotonic()

    async def message() -> None:
        # The first poll after 2 s: both tickets have expired by then.
        async with store.lock(conversation, lock_lifetime=LIFETIME, wait_time_in_seconds=2.0):
            pass

    await asyncio.wait_for(message(), timeout)
    return time.monotonic() - started


async def behind_a_live_message(store: LockStore) -> None:
    """A message whose ticket expired while it waited goes behind the message that holds the
    conversation by then, not alongside it."""
    conversation, log = uuid.uuid4().hex, []
    store.issue_ticket(conversation, LIFETIME)  # the dead replica's ticket

    async def slow_waiter() -> None:
        async with store.lock(conversation, lock_lifetime=LIFETIME, wait_time_in_seconds=2.0):
            log.append("expired waiter in")

    async def next_message() -> None:
        async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.1):
            log.append("next in")
            await asyncio.sleep(1.5)  # still answering when the slow waiter polls
            log.append("next out")

    waiter = asyncio.create_task(slow_waiter())
    await asyncio.sleep(0.3)
    await asyncio.wait_for(asyncio.gather(waiter, next_message()), 10)
    assert log == ["next in", "next out", "expired waiter in"]


def memory_store() -> InOrderLockStore:
    return InOrderLockStore(EndpointConfig(kind="in_memory"))


def test_messages_of_one_conversation_are_processed_one_at_a_time_in_arrival_order() -> None:
    asyncio.run(one_at_a_time_in_order(memory_store()))


def test_rasas_own_store_waits_for_ever_once_the_ticket_expired_while_waiting() -> None:
    """Why bot.lock_store exists (Rasa 3.6.21): the same scenario never gets the lock."""
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(expired_while_waiting(InMemoryLockStore(), timeout=4.5))


def test_a_message_whose_ticket_expired_while_waiting_is_answered_at_the_next_poll() -> None:
    waited = asyncio.run(expired_while_waiting(memory_store()))
    assert waited < 3.0, waited  # the first poll at 2 s takes a new ticket and goes in


def test_a_message_whose_ticket_expired_goes_behind_the_live_one() -> None:
    asyncio.run(behind_a_live_message(memory_store()))


def test_an_unknown_kind_is_refused_with_the_setting_to_fix() -> None:
    with pytest.raises(ValueError, match="LOCK_STORE_TYPE"):
        InOrderLockStore(EndpointConfig(kind="memcached"))
