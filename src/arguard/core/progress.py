"""How a long job says how far it is: a plain callback, so services stay free of any terminal library.

A service that may run long (grading every buyer, posting a statement, the daily run, the dunning run,
the forecast, the demo build) takes `progress: Progress | None` and calls it as
`progress(phase, done, total)`: `phase` names what is counted ("buyers graded", "entries posted"),
`done` grows monotonically within a phase up to `total` (None while the total is not known yet). The CLI
turns the calls into a counted bar on stderr (`arguard.cli.common.progress_bar`); the API and the
dashboard pass nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sized
from typing import TypeVar

Progress = Callable[[str, int, int | None], None]
"""progress(phase, done, total): `done` of `total` items of `phase` are finished."""

T = TypeVar("T")


def silent(_phase: str, _done: int, _total: int | None) -> None:
    """The progress of a caller that does not watch."""


def counted(items: Iterable[T], progress: Progress | None, phase: str, total: int | None = None,
            every: int = 0) -> Iterator[T]:
    """Yield `items`, reporting to `progress` how many were handed out (every `every` items, by default
    about every 1 % of the total, and once more at the end with the final count)."""
    if progress is None:
        yield from items
        return
    if total is None and isinstance(items, Sized):
        total = len(items)
    step = every or max(1, (total or 0) // 100)
    done = 0
    progress(phase, 0, total)
    for item in items:
        yield item
        done += 1
        if done % step == 0:
            progress(phase, done, total)
    if done % step:
        progress(phase, done, total if total is not None else done)
    elif total is None:
        progress(phase, done, done)
