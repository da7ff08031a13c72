"""Request rate limits per sender and per client address (web widget API, voice webhook).

Token buckets: a key may spend ``per_minute`` requests at once, then one more
every ``60 / per_minute`` seconds. The limiter itself must not become the
unbounded memory it protects against, so it remembers at most ``max_keys``
keys and forgets the least recently seen first. The address is checked before
the sender, so one client rotating sender ids is stopped by its address limit
before it can fill the sender table.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

TOO_MANY = "请求太频繁，请 {seconds} 秒后再试。"


class RateLimiter:
    """Token buckets keyed by a string. ``per_minute <= 0`` means no limit."""

    def __init__(self, per_minute: int, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def retry_after(self, key: str) -> float:
        """0 when the request may go ahead (and is counted), else the seconds until it may."""
        if self.per_minute <= 0:
            return 0.0
        capacity = float(self.per_minute)
        rate = capacity / 60.0
        now = self._clock()
        # No await inside: on one event loop this is atomic without a lock.
        tokens, at = self._buckets.pop(key, (capacity, now))
        tokens = min(capacity, tokens + (now - at) * rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return 0.0 if allowed else (1.0 - tokens) / rate


@dataclass
class RequestLimits:
    """The two limits of one endpoint family."""

    per_sender: RateLimiter
    per_address: RateLimiter

    @classmethod
    def per_minute(cls, sender: int, address: int) -> RequestLimits:
        return cls(RateLimiter(sender), RateLimiter(address))

    def address_retry_after(self, address: str) -> float:
        return self.per_address.retry_after(address)

    def sender_retry_after(self, sender: str) -> float:
        return self.per_sender.retry_after(sender)


def retry_seconds(retry_after: float) -> int:
    """Whole seconds for the message and the ``Retry-After`` header."""
    return max(1, math.ceil(retry_after))


def too_many_message(retry_after: float) -> str:
    return TOO_MANY.format(seconds=retry_seconds(retry_after))


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: Iterable[str]) -> str:
    """The client's address: the peer, or, when the peer is a trusted reverse proxy,
    the last address it appended to ``X-Forwarded-For`` (earlier entries are the client's word)."""
    peer = peer or "unknown"
    if forwarded_for and peer in set(trusted_proxies):
        last = forwarded_for.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            return peer
    return peer
