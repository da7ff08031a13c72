"""Token-bucket rate limits and the client address behind a proxy (bot.ratelimit)."""

from __future__ import annotations

from bot.ratelimit import RateLimiter, client_address, too_many_message


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_request_per_interval():
    clock = Clock()
    limiter = RateLimiter(per_minute=3, clock=clock)
    assert [limiter.retry_after("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.retry_after("a") == 20.0  # 60 s / 3
    assert limiter.retry_after("b") == 0.0  # keys are independent
    clock.now += 19.9
    assert limiter.retry_after("a") > 0
    clock.now += 0.2
    assert limiter.retry_after("a") == 0.0
    assert limiter.retry_after("a") > 0


def test_refused_requests_do_not_extend_the_wait():
    clock = Clock()
    limiter = RateLimiter(per_minute=1, clock=clock)
    assert limiter.retry_after("a") == 0.0
    for _ in range(50):
        limiter.retry_after("a")
    clock.now += 60
    assert limiter.retry_after("a") == 0.0


def test_zero_means_unlimited_and_memory_is_bounded():
    unlimited = RateLimiter(per_minute=0)
    assert all(unlimited.retry_after("a") == 0.0 for _ in range(1000))
    limiter = RateLimiter(per_minute=1, max_keys=100)
    for i in range(10_000):
        limiter.retry_after(f"sender-{i}")
    assert len(limiter._buckets) == 100


def test_client_address_trusts_forwarded_for_only_from_the_proxy():
    trusted = ("127.0.0.1",)
    assert client_address("127.0.0.1", "10.1.2.3", trusted) == "10.1.2.3"
    # the proxy appends the address it saw; what the client wrote before it is the client's word
    assert client_address("127.0.0.1", "6.6.6.6, 10.1.2.3", trusted) == "10.1.2.3"
    assert client_address("10.9.9.9", "10.1.2.3", trusted) == "10.9.9.9"
    assert client_address("127.0.0.1", "not-an-ip", trusted) == "127.0.0.1"
    assert client_address(None, None, trusted) == "unknown"


def test_message():
    assert too_many_message(0.2) == "请求太频繁，请 1 秒后再试。"
    assert too_many_message(19.01) == "请求太频繁，请 20 秒后再试。"
