"""Bulk-write helpers shared by the monitor's services (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

from arguard.db.session import upsert_insert
from arguard.platform.context import ServiceContext

BULK = {"render_nulls": True}
"""ORM bulk INSERT option: NULLs are sent, not left out, so every row has the same columns and the
whole batch goes in one executemany (else each change in which columns are None starts a new batch,
and with RETURNING the batches' results are spliced together at quadratic cost)."""


def jsonable(value: Any) -> Any:
    """The value as it will read back from a JSON column (dates and Decimals as text)."""
    return json.loads(json.dumps(value, default=str))


def insert_ignoring_conflicts(ctx: ServiceContext, table: Any, index_elements: list[str]) -> Any:
    """INSERT … ON CONFLICT (index_elements) DO NOTHING: a row whose key exists (stored earlier or by a
    concurrent unit of work) is left out, never an error."""
    return upsert_insert(ctx.session.get_bind().dialect.name)(table).on_conflict_do_nothing(
        index_elements=index_elements)
