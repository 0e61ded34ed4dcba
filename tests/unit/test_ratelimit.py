"""The public endpoints' rate limit: a sliding window per client."""

from __future__ import annotations

import pytest

from ektp.web.ratelimit import SlidingWindowLimiter


def test_a_client_is_refused_after_the_limit_within_the_window() -> None:
    limiter = SlidingWindowLimiter(limit=3, window_seconds=60)
    assert [limiter.allow("10.0.0.1", now) for now in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.retry_after("10.0.0.1", 3) == pytest.approx(57)


def test_attempts_older_than_the_window_no_longer_count() -> None:
    limiter = SlidingWindowLimiter(limit=2, window_seconds=10)
    assert limiter.allow("a", 0) and limiter.allow("a", 5)
    assert not limiter.allow("a", 9)
    assert limiter.allow("a", 10.5)


def test_each_client_has_its_own_window() -> None:
    limiter = SlidingWindowLimiter(limit=1, window_seconds=60)
    assert limiter.allow("a", 0)
    assert not limiter.allow("a", 1)
    assert limiter.allow("b", 1)


def test_a_flood_of_addresses_does_not_grow_the_table_without_bound() -> None:
    limiter = SlidingWindowLimiter(limit=1, window_seconds=1, max_clients=100)
    for number in range(1000):
        limiter.allow(f"client-{number}", float(number))
    assert len(limiter._attempts) <= 100
