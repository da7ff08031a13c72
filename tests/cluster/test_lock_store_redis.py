"""The replicas' lock store on a real Redis: the scenarios of tests/bot/test_lock_store.py."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import InOrderLockStore
from tests.bot.test_lock_store import behind_a_live_message, expired_while_waiting, one_at_a_time_in_order
from tests.cluster.conftest import Services

pytestmark = pytest.mark.cluster


@pytest.fixture
def store(services: Services) -> InOrderLockStore:
    prefix = f"zl{uuid.uuid4().hex[:8]}"
    return InOrderLockStore(
        EndpointConfig(url=services.redis_host, kind="redis", port=services.redis_port, db=1, key_prefix=prefix)
    )


def test_one_conversation_one_message_at_a_time_over_redis(store: InOrderLockStore) -> None:
    asyncio.run(one_at_a_time_in_order(store))


def test_a_dead_replicas_ticket_does_not_keep_the_next_message_waiting_for_ever(store: InOrderLockStore) -> None:
    assert asyncio.run(expired_while_waiting(store)) < 3.0


def test_an_expired_waiter_goes_behind_the_live_message_over_redis(store: InOrderLockStore) -> None:
    asyncio.run(behind_a_live_message(store))
