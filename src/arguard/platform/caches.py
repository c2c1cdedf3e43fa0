"""Every in-process cache of the order check's path, in one place: each named and bounded.

A cache is kept only where a benchmark showed it pays more than a tenth of the CPU per check
(docs/benchmarks.md, "Order credit check: the machinery, measured"); the numbers beside each one below
are from there. Each has a bound on its entries (the least recently used leave first) and, where its
values age, a time to live. `CACHES` names them all; tests check that the bounds hold.

Values are shared by the threads of a process; keep them immutable (frozen dataclasses, tuples,
Decimals).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")

CACHES: dict[str, BoundedCache[Any]] = {}
"""name → cache, every cache of the process (tests: `arguard.platform.caches.CACHES`)."""


class BoundedCache(Generic[V]):
    """A thread-safe map of at most `max_entries` entries (least recently used leave first); with
    `ttl_s`, an entry older than that many seconds is not answered (and is dropped when next asked for)."""

    def __init__(self, name: str, max_entries: int, *, ttl_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1:
            raise ValueError("a cache holds at least one entry")
        self.name, self.max_entries, self.ttl_s, self._clock = name, max_entries, ttl_s, clock
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        CACHES[name] = self

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if self.ttl_s is not None and self._clock() - found[0] > self.ttl_s:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._entries[key] = (self._clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def pop(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Snapshots(BoundedCache[V]):
    """Slow-moving values (sums over a whole book), each at most `max_age_s` old when computed anew.

    The first read of a key computes it while the other readers of that key wait for the result (one
    computation, not one per waiting reader). A value older than `max_age_s` keeps being answered while
    the one reader that found it stale first computes the next, in its own call: no thread of its own,
    and the other readers never wait; if that computation fails, the previous value is answered. Locks are striped (a fixed number, whatever the number of keys)."""

    STRIPES = 64

    def __init__(self, name: str, max_entries: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(name, max_entries, clock=clock)
        self.locks = tuple(threading.Lock() for _ in range(self.STRIPES))

    def read(self, key: Hashable, max_age_s: float, compute: Callable[[], V]) -> V:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
        if found is not None and self._clock() - found[0] <= max_age_s:
            return found[1]
        lock = self.locks[hash(key) % self.STRIPES]
        if found is not None:  # stale: the first to see it refreshes, the others answer the previous value
            if not lock.acquire(blocking=False):
                return found[1]
            try:
                value = compute()
            except Exception:  # the previous value stays; the next stale read tries again
                logging.getLogger(__name__).exception("snapshot %s of %s not refreshed", key, self.name)
                return found[1]
            finally:
                lock.release()
            self.put(key, value)
            return value
        with lock:  # never computed: one computes, the others wait for it
            with self._lock:
                found = self._entries.get(key)
            if found is not None and self._clock() - found[0] <= max_age_s:
                return found[1]
            value = compute()
            self.put(key, value)
            return value


# ---------------------------------------------------------------- the caches

API_KEYS: BoundedCache[Any] = BoundedCache("api.keys", 1_024)
"""API key → its principal, for keys this process has seen valid (`api.deps.check_key`): spares a
transaction and a thread per request before the request's own unit of work checks the key again."""

AUDIT_STATEMENTS: BoundedCache[Any] = BoundedCache("platform.audit_statements", 4)
"""dialect → (lock, last entry, append) statements of the audit chain (`platform.context`)."""

KEY_FINGERPRINTS: BoundedCache[bool] = BoundedCache("platform.key_fingerprints", 64)
"""(database, purpose, fingerprint) → True once this process has checked that the database was written
with its key (`platform.keys.check_fingerprint`; a forgotten one is checked again)."""

LIMITS_SETTINGS: BoundedCache[Any] = BoundedCache("limits.settings", 256)
"""(engine, company) → (settings token, policy, appetite) (limits README rule 39)."""

LIMITS_STATEMENTS: BoundedCache[Any] = BoundedCache("limits.statements", 64)
"""name → a hot-path statement built once per process with bound parameters (`limits.service_base.prebuilt`;
a few dozen names in the code)."""

LIMITS_SNAPSHOTS: Snapshots[Any] = Snapshots("limits.snapshots", 1_024)
"""(database, company, "book", …) → receivables and shipments by scope; (…, "group", parent) → member
ids (limits README rule 36)."""
