"""Stored results: an answer is computed once per exact set of inputs (the stored book's arrays and the
settings, hashed) and read back afterwards — the same answer, since the simulation is seeded."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select

from arguard.platform.context import ServiceContext
from arguard.portfolio.model import Book
from arguard.portfolio.tables import StoredResult

RESULTS_VERSION = 2
"""Part of every key: raise it when the simulation or the stored answers' shape changes, so that answers
computed by the older code are not shown (2: self-normalised histogram weights)."""


def inputs_key(book: Book, *parts: Any) -> str:
    """sha256 of RESULTS_VERSION, the book (ids, PD, EAD, LGD, country, sector, currency) and the other
    inputs' repr."""
    h = hashlib.sha256()
    h.update(json.dumps([RESULTS_VERSION, list(map(str, book.ids)), list(map(str, book.country)), list(map(str, book.sector)),
                         book.currency, [repr(p) for p in parts]]).encode())
    for arr in (book.pd, book.ead, book.lgd):
        h.update(memoryview(arr.astype("float64").tobytes()))
    return h.hexdigest()


def remembered(ctx: ServiceContext, as_of: date, kind: str, key: str,
               compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The stored answer for (company, date, kind, inputs), else `compute()` stored and returned."""
    row = ctx.session.scalars(select(StoredResult).where(
        StoredResult.company_id == ctx.company_id, StoredResult.as_of == as_of, StoredResult.kind == kind,
        StoredResult.inputs == key).order_by(StoredResult.id.desc()).limit(1)).first()
    if row is not None:
        return row.payload
    payload = compute()
    ctx.session.add(StoredResult(company_id=ctx.company_id, as_of=as_of, kind=kind, inputs=key, payload=payload))
    ctx.session.flush()
    return payload
