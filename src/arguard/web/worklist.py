"""Work lists of the dashboard (hold queue, alerts, customers, statement entries): sorting, grouping by
buyer and paging of rows a service returned. Pure: no database, no clock.

Rows are dicts. A sort key that a row lacks (None) sorts last in either direction, so "largest first"
never starts with the rows that have no figure.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    """One page of a work list: its rows, how many rows in all, and the paging window."""

    rows: list[dict[str, Any]]
    total: int
    offset: int
    limit: int


def sort_rows(rows: Sequence[dict[str, Any]], key: str, descending: bool = False) -> list[dict[str, Any]]:
    """Rows by `key` (None last in both directions), ties in their given order."""
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]
    return sorted(present, key=lambda r: _comparable(r[key]), reverse=descending) + missing


def _comparable(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def page_of(rows: Sequence[dict[str, Any]], offset: int, limit: int) -> Page:
    offset = max(0, min(offset, max(len(rows) - 1, 0)))
    return Page(list(rows[offset:offset + limit]), len(rows), offset, limit)


def group_rows(rows: Sequence[dict[str, Any]], by: Callable[[dict[str, Any]], Hashable]
               ) -> list[tuple[Hashable, list[dict[str, Any]]]]:
    """Consecutive groups in order of first appearance, each group's rows in their given order."""
    groups: dict[Hashable, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(by(r), []).append(r)
    return list(groups.items())


def arrange(rows: Sequence[dict[str, Any]], *, sort: str, descending: bool, offset: int, limit: int,
            allowed: Sequence[str], default: str, group_key: str | None = None) -> Page:
    """Sort (by an allowed key, else the default), optionally keep a buyer's rows together (buyers in
    the order of their first row under the sort), then cut the page."""
    key = sort if sort in allowed else default
    ordered = sort_rows(rows, key, descending)
    if group_key:
        ordered = [r for _, group in group_rows(ordered, lambda r: r.get(group_key)) for r in group]
    return page_of(ordered, offset, limit)
