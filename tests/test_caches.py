"""Every in-process cache is named, bounded and kept in one module (`arguard.platform.caches`): a busy
server that sees ever new companies, keys, dates and groups never grows a cache beyond its bound, and a
stale snapshot is refreshed once, by one reader, while the others keep their answer."""

from __future__ import annotations

import ast
import functools
import threading
from pathlib import Path

import pytest

from arguard.platform import caches
from arguard.platform.caches import BoundedCache, Snapshots

SRC = Path(__file__).parent.parent / "src" / "arguard"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_every_cache_of_the_check_path_is_named_and_bounded() -> None:
    assert {"api.keys", "limits.settings", "limits.statements", "limits.snapshots"} <= set(caches.CACHES)
    assert all(0 < c.max_entries <= 10_000 for c in caches.CACHES.values())


def test_a_cache_never_holds_more_than_its_bound_and_forgets_the_least_recently_used_first() -> None:
    cache: BoundedCache[int] = BoundedCache("test.lru", 3)
    for key in ("a", "b", "c"):
        cache.put(key, 1)
    assert cache.get("a") == 1          # used: now the newest
    for i in range(1_000):
        cache.put(("key", i), i)
        assert len(cache) <= 3
    cache.put("d", 4)
    assert cache.get("d") == 4 and cache.get(("key", 999)) == 999 and cache.get("a") is None


def test_an_entry_older_than_its_time_to_live_is_not_answered() -> None:
    clock = Clock()
    cache: BoundedCache[str] = BoundedCache("test.ttl", 10, ttl_s=60, clock=clock)
    cache.put("k", "v")
    clock.now = 60
    assert cache.get("k") == "v"
    clock.now = 61
    assert cache.get("k") is None and len(cache) == 0


def test_snapshots_of_ever_new_dates_and_groups_stay_within_the_bound_and_their_locks_are_fixed() -> None:
    snaps: Snapshots[int] = Snapshots("test.snapshots", 50)
    locks = snaps.locks
    for day in range(5_000):
        assert snaps.read(("db", 1, "book", day), 60, functools.partial(int, day)) == day
    assert len(snaps) == 50 and snaps.locks is locks and len(locks) == Snapshots.STRIPES


def test_a_stale_snapshot_is_refreshed_by_one_reader_while_the_others_keep_the_previous_value() -> None:
    clock = Clock()
    snaps: Snapshots[str] = Snapshots("test.stale", 10, clock=clock)
    assert snaps.read("book", 60, lambda: "first") == "first"
    clock.now = 61
    started, release = threading.Event(), threading.Event()
    computed: list[str] = []

    def slow() -> str:
        computed.append("next")
        started.set()
        release.wait(5)
        return "next"

    refresher = threading.Thread(target=lambda: snaps.read("book", 60, slow))
    refresher.start()
    assert started.wait(5)
    # while one reader computes the next value, every other reader answers the previous one at once
    assert [snaps.read("book", 60, lambda: "never") for _ in range(20)] == ["first"] * 20
    release.set()
    refresher.join(5)
    assert snaps.read("book", 60, lambda: "never") == "next" and computed == ["next"]


def test_a_failed_refresh_keeps_the_previous_value() -> None:
    clock = Clock()
    snaps: Snapshots[str] = Snapshots("test.failed", 10, clock=clock)
    snaps.read("book", 60, lambda: "first")
    clock.now = 61

    def broken() -> str:
        raise RuntimeError("database went away")

    assert snaps.read("book", 60, broken) == "first"
    assert snaps.read("book", 60, lambda: "next") == "next"


def test_the_first_snapshot_is_computed_once_while_the_other_readers_wait() -> None:
    snaps: Snapshots[int] = Snapshots("test.first", 10)
    calls: list[int] = []
    gate = threading.Event()

    def compute() -> int:
        gate.wait(5)
        calls.append(1)
        return 42

    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(snaps.read("k", 60, compute))) for _ in range(8)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(5)
    assert answers == [42] * 8 and calls == [1]


def _module_level_mutables(path: Path) -> list[str]:
    """Names bound at module level to an empty dict/set/list/OrderedDict (a cache in the making)."""
    found = []
    for node in ast.parse(path.read_text()).body:
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        empty = (isinstance(value, ast.Dict | ast.Set | ast.List) and not getattr(value, "keys", None)
                 and not getattr(value, "elts", None)) or (
            isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id in {"dict", "set", "list", "OrderedDict"} and not value.args)
        if isinstance(target, ast.Name) and empty:
            found.append(f"{path.relative_to(SRC)}:{node.lineno}: {target.id}")
    return found


CHECK_PATH = ("limits", "api", "db", "platform/context.py", "platform/keys.py", "platform/service.py",
              "platform/audit.py")
"""The order check's path: limits, the API's dependencies, the database layer, the platform's context,
keys and audit chain (the platform's registries of subscribers and capabilities are not caches)."""


@pytest.mark.parametrize("where", CHECK_PATH)
def test_the_check_path_keeps_no_cache_outside_the_one_module(where: str) -> None:
    """No module-level dict or set that could grow on the check's path: its caches are those of
    `arguard.platform.caches`."""
    root = SRC / where
    files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
    found = [m for p in files for m in _module_level_mutables(p)]
    assert not found, "\n".join(found)
