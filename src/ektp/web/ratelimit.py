"""A per-client sliding-window limit for public endpoints (pure: no web framework here).

Kept in the process's memory: with one server process (the default) that is the limit; with
several, each process counts on its own, so the effective limit is multiplied by their number.
"""

from __future__ import annotations

import threading
from collections import deque


class SlidingWindowLimiter:
    """Allows at most ``limit`` attempts per client within any ``window_seconds``."""

    def __init__(self, limit: int, window_seconds: float, max_clients: int = 100_000) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("limit must be at least 1 and the window positive")
        self.limit = limit
        self.window_seconds = window_seconds
        self._max_clients = max_clients
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: float) -> bool:
        """Return whether ``client`` may make an attempt at ``now`` (seconds); count it if so."""
        with self._lock:
            attempts = self._attempts.get(client)
            if attempts is None:
                if len(self._attempts) >= self._max_clients:
                    self._forget_idle(now)
                attempts = self._attempts.setdefault(client, deque())
            while attempts and attempts[0] <= now - self.window_seconds:
                attempts.popleft()
            if len(attempts) >= self.limit:
                return False
            attempts.append(now)
            return True

    def retry_after(self, client: str, now: float) -> float:
        """Return the seconds until ``client`` may try again (0 when it may now)."""
        with self._lock:
            attempts = self._attempts.get(client)
            if not attempts or len(attempts) < self.limit:
                return 0.0
            return max(0.0, attempts[0] + self.window_seconds - now)

    def _forget_idle(self, now: float) -> None:
        # A flood of distinct addresses must not grow the table without bound.
        idle = [
            client
            for client, attempts in self._attempts.items()
            if not attempts or attempts[-1] <= now - self.window_seconds
        ]
        for client in idle:
            del self._attempts[client]
        if len(self._attempts) >= self._max_clients:
            self._attempts.clear()
