"""The hold queue as a page the database cuts (issue 12, work lists at scale): the large demo holds a
thousand orders, and reading each one's reasons and figures to show fifty took a second."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from arguard.core.errors import ValidationError
from arguard.ledger import interface as ledger
from arguard.limits.tables import CreditOrder
from arguard.platform.context import ServiceContext

HOLD_SORTS_SQL: dict[str, Any] = {"checked_at": CreditOrder.checked_at, "ship_date": CreditOrder.ship_date,
                                  "decision": CreditOrder.outcome}
"""Hold-queue sorts the database does (a buyer's code and name are the ledger's; amounts are in the
orders' own currencies)."""


def hold_page(ctx: ServiceContext, *, outcome: str | None, sort: str, descending: bool, offset: int,
              limit: int) -> tuple[list[tuple[CreditOrder, str]], int, int]:
    """One page of the orders waiting in the hold queue, filtered by outcome, sorted and cut by the
    database: ([(order, customer code)], total, offset). Ties (and orders without the key, last) in the
    queue's own order, newest check first."""
    column = HOLD_SORTS_SQL.get(sort)
    if column is None:
        raise ValidationError(f"the hold queue sorts by {', '.join(HOLD_SORTS_SQL)} in the database",
                              code="invalid_sort")
    q = select(CreditOrder).where(CreditOrder.company_id == ctx.company_id, CreditOrder.status == "pending")
    if outcome:
        q = q.where(CreditOrder.outcome == outcome)
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    offset = max(0, min(offset, max(total - 1, 0)))
    order = [column.is_(None), column.desc() if descending else column.asc(), CreditOrder.checked_at.desc(),
             CreditOrder.id.desc()]
    orders = list(ctx.session.scalars(q.order_by(*order).offset(offset).limit(limit)))
    codes = ledger.customer_codes(ctx, {o.customer_id for o in orders})
    return [(o, codes.get(o.customer_id, "")) for o in orders], total, offset
