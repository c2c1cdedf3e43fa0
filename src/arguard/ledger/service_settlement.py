"""Every invoice with how and when it was settled, as of a date — one bulk read for forecasts and provisions.

Three grouped scans (invoices; allocations per invoice; adjustments per invoice and kind), all facts dated
on or before `as_of`, joined in Python: a million invoices in a few seconds, no per-invoice query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from arguard.ledger.tables import Adjustment, Allocation, Customer, Invoice
from arguard.platform.context import ServiceContext


@dataclass(frozen=True, slots=True)
class InvoiceHistory:
    """Invoices (not credit notes) issued on or before `as_of`, one position per invoice in every column.

    amount_minor / open_minor: the amount and what was still open on as_of (minor units of `currencies`);
    paid_minor: cash allocated by as_of; written_off_minor: written off by as_of; opening_minor: booked as
    "settled before import" (its real settlement date is unknown); settled_on: the date of the last fact
    that closed it, None while open on as_of; disputed: the dispute flag as stored now."""

    as_of: date
    numbers: tuple[str, ...]
    customer_codes: tuple[str, ...]
    currencies: tuple[str, ...]
    issue_dates: tuple[date, ...]
    due_dates: tuple[date, ...]
    amount_minor: tuple[int, ...]
    open_minor: tuple[int, ...]
    paid_minor: tuple[int, ...]
    written_off_minor: tuple[int, ...]
    opening_minor: tuple[int, ...]
    settled_on: tuple[date | None, ...]
    disputed: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.numbers)


def _day(v: date | str) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v)[:10])


def invoice_history(ctx: ServiceContext, as_of: date, since: date | None = None) -> InvoiceHistory:
    """All invoices issued on or before as_of (and on or after `since` when given) with their settlement."""
    c = ctx.company_id
    inv_q = (select(Invoice.id, Invoice.number, Customer.code, Invoice.currency, Invoice.issue_date,
                    Invoice.due_date, Invoice.amount_minor, Invoice.disputed)
             .join(Customer, Customer.id == Invoice.customer_id)
             .where(Invoice.company_id == c, Invoice.document_type == "invoice", Invoice.issue_date <= as_of)
             .order_by(Invoice.id))
    if since is not None:
        inv_q = inv_q.where(Invoice.issue_date >= since)
    paid: dict[int, tuple[int, date]] = {}
    alloc_q = (select(Allocation.invoice_id, func.sum(Allocation.amount_minor), func.max(Allocation.allocated_on))
               .where(Allocation.company_id == c, Allocation.allocated_on <= as_of).group_by(Allocation.invoice_id))
    for iid, m, last in ctx.session.execute(alloc_q):
        paid[iid] = (int(m), _day(last))
    adjusted: dict[int, dict[str, tuple[int, date]]] = {}
    adj_q = (select(Adjustment.invoice_id, Adjustment.kind, func.sum(Adjustment.amount_minor),
                    func.max(Adjustment.effective_on))
             .where(Adjustment.company_id == c, Adjustment.effective_on <= as_of)
             .group_by(Adjustment.invoice_id, Adjustment.kind))
    for iid, kind, m, last in ctx.session.execute(adj_q):
        adjusted.setdefault(iid, {})[kind] = (int(m), _day(last))
    cols: list[list[object]] = [[] for _ in range(12)]
    none: dict[str, tuple[int, date]] = {}
    for iid, number, code, cur, issued, due, amount, disputed in ctx.session.execute(inv_q):
        p_minor, p_last = paid.get(iid, (0, None))
        adj = adjusted.get(iid, none)
        open_minor = int(amount) - p_minor - sum(m for m, _ in adj.values())
        dates = [d for d in [p_last, *(d for _, d in adj.values())] if d is not None]
        settled = max(dates) if open_minor == 0 and dates else None
        for col, value in zip(cols, (number, code, cur, _day(issued), _day(due), int(amount), open_minor, p_minor,
                                     adj.get("writeoff", (0, None))[0], adj.get("opening_settlement", (0, None))[0],
                                     settled, bool(disputed)), strict=True):
            col.append(value)
    return InvoiceHistory(as_of, *(tuple(col) for col in cols))  # type: ignore[arg-type]
