"""The customers work list at scale (issue 12): sorted by code, name or country the page is cut by the
database, by balance, overdue, DSO or grade by that key alone, and only the page's customers' other
figures are read — and it shows exactly the rows, figures included, that sorting every customer's
figures and cutting the same page shows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from arguard.ledger import worklist
from arguard.web.worklist import arrange
from tests.web.desk_data import seed_desk

FIGURES = ("code", "name", "country", "ar", "overdue", "dso", "grade", "pd", "limit", "exposure", "items")


def shown(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [tuple(str(r[k]) for k in FIGURES) for r in rows]


@pytest.mark.parametrize("sort", ["code", "name", "country", "ar_value", "overdue_value", "dso", "grade"])
def test_a_page_cut_by_the_database_equals_the_same_page_of_the_whole_board(ctx_factory: Any, sort: str) -> None:
    today = date.today()
    with ctx_factory() as ctx:
        seed_desk(ctx, today)
    with ctx_factory() as ctx:
        board = worklist.customer_board(ctx, today)
        assert any(r["exposure"] is not None for r in board) and any(r["grade"] is not None for r in board)
        for descending in (False, True):
            for offset in (0, 2, 4):
                cut = worklist.customer_board_page(ctx, today, sort=sort, descending=descending, offset=offset,
                                                   limit=2)
                assert cut is not None
                rows, total, at = cut
                page = arrange(board, sort=sort, descending=descending, offset=offset, limit=2,
                               allowed=(sort,), default=sort)
                assert (shown(rows), total, at) == (shown(page.rows), page.total, page.offset), (descending, offset)
        rows, total, _ = worklist.customer_board_page(ctx, today, search="textiles", sort="name") or ([], 0, 0)
        assert total == 1 and rows[0]["name"] == "Lyon Textiles SARL"
        assert worklist.customer_board_page(ctx, today, sort="exposure_value") is None  # read from the whole board
