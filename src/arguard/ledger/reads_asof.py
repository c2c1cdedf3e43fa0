"""The ledger as it stood on a date, read in bulk for other capabilities (monitoring's snapshots): each
open item's open amount as of the date (reconstructed from the facts), the allocations and payments of
a period. Exposed through `arguard.ledger.interface`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from arguard.ledger.reports import _has_facts_after, open_at_expr
from arguard.ledger.tables import Allocation, Invoice, Payment
from arguard.platform.context import ServiceContext

_CHUNK = 900


@dataclass(frozen=True, slots=True)
class OpenItemAsOf:
    """An invoice (or credit note) open on a date: its customer's id, number, due date, currency, the
    amount open on that date and its original amount (minor units)."""

    customer_id: int
    number: str
    due_date: date
    currency: str
    open_minor: int
    amount_minor: int


def _in_chunks(ids: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def _scoped(q: Any, column: Any, ids: Sequence[Any] | None) -> Iterable[Any]:
    if ids is None:
        yield q
    else:
        for chunk in _in_chunks(list(ids)):
            yield q.where(column.in_(chunk))


def open_items_as_of(ctx: ServiceContext, as_of: date, customer_ids: Sequence[int] | None = None,
                     ) -> dict[int, OpenItemAsOf]:
    """Invoice id → the item as it stood on `as_of` (issued by then, open amount then ≠ 0), for the
    customers named (every customer when None). The open amount on a date is the ledger's one rule
    (`reports.open_at_expr`: today's open amount plus what was allocated or adjusted after the date)."""
    open_at, base = open_at_expr(ctx, as_of, _has_facts_after(ctx, as_of))
    q = base.add_columns(Invoice.id, Invoice.customer_id, Invoice.number, Invoice.due_date, Invoice.currency,
                         open_at, Invoice.amount_minor).where(open_at != 0)
    out: dict[int, OpenItemAsOf] = {}
    for part in _scoped(q, Invoice.customer_id, customer_ids):
        for inv_id, cust, number, due, cur, open_minor, amount in ctx.session.execute(part):
            out[inv_id] = OpenItemAsOf(cust, number, due, cur, int(open_minor), int(amount))
    return out


def allocations_between(ctx: ServiceContext, after: date, until: date, customer_ids: Sequence[int] | None = None,
                        ) -> list[tuple[int, date, date, int, str]]:
    """(customer id, allocated on, the invoice's due date, minor units, currency) of every allocation
    made after `after` and up to `until`, for the customers named (every customer when None)."""
    q = (select(Invoice.customer_id, Allocation.allocated_on, Invoice.due_date, Allocation.amount_minor,
                Allocation.currency)
         .join(Invoice, Invoice.id == Allocation.invoice_id)
         .where(Allocation.allocated_on > after, Allocation.allocated_on <= until))
    if customer_ids is None:
        parts: Iterable[Any] = [q.where(Allocation.company_id == ctx.company_id)]
    else:  # a few buyers: their invoices by customer, then their allocations — not the company's whole
        # date range of allocations (`company_id + 0` keeps the tenant filter off the index SQLite would pick)
        parts = (q.where((Invoice.company_id + 0) == ctx.company_id, Invoice.customer_id.in_(chunk))
                 for chunk in _in_chunks(list(customer_ids)))
    return [tuple(r) for part in parts for r in ctx.session.execute(part)]  # type: ignore[misc]


def payments_between(ctx: ServiceContext, start: date, until: date, customer_ids: Sequence[int],
                     ) -> list[tuple[int, date, int, str]]:
    """(customer id, received on, minor units, currency) of the customers' payments received from
    `start` up to `until`, both included."""
    q = select(Payment.customer_id, Payment.received_on, Payment.amount_minor, Payment.currency).where(
        Payment.company_id == ctx.company_id, Payment.received_on >= start, Payment.received_on <= until)
    return [tuple(r) for part in _scoped(q, Payment.customer_id, customer_ids)  # type: ignore[misc]
            for r in ctx.session.execute(part)]
