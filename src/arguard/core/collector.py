"""The cyclic garbage collector paused while bulk work makes its hundreds of thousands of records.

Records (open items, proposals, rows) form no cycles, yet every collection their allocation triggers
walks every object made so far: on a 5,000-entry bank statement matched against 100,000 open items,
four full passes cost about 0.9 s CPU of 6 (bench/bench_statement_posting.py). Collection resumes, and
catches up, when the work ends. Process-wide: whoever paused it resumes it; a pause that finds the
collector already paused leaves it so.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def many_records() -> Iterator[None]:
    """Pause the cyclic collector for the block (or, as `@many_records()`, for the decorated call)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
