"""Throttling of failed credentials: sign-ins per user and per address, API keys per address.

A sliding window of failures per key. Once a key has `limit` failures within `window_s` seconds, every
attempt under it is refused with HTTP 429 (`TooManyRequests`), the right credentials included, until
the oldest failure leaves the window; a success does not clear a user's failures (an attacker who
guesses right must not learn it from a different answer). Kept in the process's memory: each server
process counts on its own, so N servers allow N times the limit (documented in docs/security.md).
The clock is passed in, so the rule is testable without waiting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from arguard.core.errors import TooManyRequests


@dataclass
class FailureThrottle:
    limit: int
    window_s: float
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.get(key)
        if q is None:
            return deque()
        while q and q[0] <= now - self.window_s:
            q.popleft()
        if not q:
            self._failures.pop(key, None)
        return q

    def check(self, *keys: str) -> None:
        """Refuse (429) if any key has reached its limit."""
        now = self.clock()
        with self._lock:
            for key in keys:
                q = self._recent(key, now)
                if len(q) >= self.limit:
                    wait = int(q[0] + self.window_s - now) + 1
                    raise TooManyRequests(f"too many failed attempts; try again in {wait} s", retry_after_s=wait)

    def fail(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) > 100_000:  # bounded: forget everything rather than grow without end
                self._failures.clear()
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


LOGIN_USERS = FailureThrottle(limit=10, window_s=900)
"""Sign-ins: 10 failures per user (company + name) within 15 minutes."""
LOGIN_ADDRESSES = FailureThrottle(limit=30, window_s=900)
"""Sign-ins: 30 failures per address within 15 minutes (an office behind one address has several users)."""
API_KEYS = FailureThrottle(limit=30, window_s=60)
"""Unknown or revoked API keys: 30 per address within a minute."""


def user_key(company: str, username: str) -> str:
    return f"{company.strip().lower()}/{username.strip().lower()}"


def reset_all() -> None:
    for throttle in (LOGIN_USERS, LOGIN_ADDRESSES, API_KEYS):
        throttle.reset()
