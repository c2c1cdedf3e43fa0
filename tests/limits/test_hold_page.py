"""The hold queue at scale (issue 12): by check time, ship date or outcome the database filters, sorts
and cuts the page, and it shows exactly the page that sorting every held order in memory showed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from arguard.limits.service_holds import HOLD_SORTS_SQL, hold_page
from arguard.limits.web import HOLD_SORTS, hold_rows, holds_worklist
from arguard.web.worklist import arrange
from tests.web.desk_data import seed_desk


@pytest.mark.parametrize("sort", sorted(HOLD_SORTS_SQL))
def test_a_page_cut_by_the_database_equals_the_page_sorted_in_memory(ctx_factory: Any, sort: str) -> None:
    today = date.today()
    with ctx_factory() as ctx:
        seed_desk(ctx, today)
    with ctx_factory() as ctx:
        for outcome in ("", "hold", "require_guarantee"):
            rows = holds_worklist(ctx, "", outcome)
            for descending in (False, True):
                for offset in (0, 1):
                    memory = arrange(rows, sort=sort, descending=descending, offset=offset, limit=2,
                                     allowed=HOLD_SORTS, default="checked_at")
                    found, total, at = hold_page(ctx, outcome=outcome or None, sort=sort, descending=descending,
                                                 offset=offset, limit=2)
                    assert ([o["order_id"] for o in hold_rows(ctx, found)], total, at) == (
                        [o["order_id"] for o in memory.rows], memory.total, memory.offset), (outcome, descending)
        assert len(holds_worklist(ctx, "", "")) >= 3  # the desk holds orders of several buyers
