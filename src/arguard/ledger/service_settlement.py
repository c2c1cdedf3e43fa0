"""Every invoice with how and when it was settled, as of a date — one bulk read for forecasts and provisions.

Grouped scans (invoices; allocations per invoice; adjustments per invoice for each kind), all facts dated
on or before `as_of`, joined by binary search on the invoice ids (numpy): no per-invoice query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
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
    rows = ctx.session.execute(inv_q).all()
    if not rows:
        return InvoiceHistory(as_of, *((),) * 12)
    ids, numbers, codes, currencies, issued, due, amount, disputed = (list(c) for c in zip(*rows, strict=True))
    pos = np.asarray(ids, dtype=np.int64)  # ordered by id: positions by binary search
    amount_a = np.asarray(amount, dtype=np.int64)
    reduced = np.zeros(len(pos), dtype=np.int64)
    last = np.full(len(pos), -1, dtype=np.int64)  # ordinal of the newest fact

    def merge(q: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Sums and newest dates of a grouped fact query, by invoice position (unknown ids dropped)."""
        found = ctx.session.execute(q).all()
        sums = np.zeros(len(pos), dtype=np.int64)
        if not found:
            return sums, np.full(len(pos), -1, dtype=np.int64)
        iid, m, d = zip(*found, strict=True)
        at = np.searchsorted(pos, np.asarray(iid, dtype=np.int64))
        ok = (at < len(pos)) & (pos[np.minimum(at, len(pos) - 1)] == np.asarray(iid))
        np.add.at(sums, at[ok], np.asarray(m, dtype=np.int64)[ok])
        newest = np.full(len(pos), -1, dtype=np.int64)
        np.maximum.at(newest, at[ok], np.array([_day(x).toordinal() for x in d], dtype=np.int64)[ok])
        return sums, newest

    def facts(table: Any, on: Any, kind: str | None = None) -> Any:
        q = (select(table.invoice_id, func.sum(table.amount_minor), func.max(on))
             .where(table.company_id == c, on <= as_of).group_by(table.invoice_id))
        return q.where(table.kind == kind) if kind is not None else q

    paid, paid_last = merge(facts(Allocation, Allocation.allocated_on))
    by_kind = {}
    for kind in ("writeoff", "opening_settlement", "credit_applied"):
        by_kind[kind] = merge(facts(Adjustment, Adjustment.effective_on, kind))
    reduced += paid
    last = np.maximum(last, paid_last)
    other_q = (select(Adjustment.invoice_id, func.sum(Adjustment.amount_minor), func.max(Adjustment.effective_on))
               .where(Adjustment.company_id == c, Adjustment.effective_on <= as_of,
                      Adjustment.kind.not_in(tuple(by_kind))).group_by(Adjustment.invoice_id))
    by_kind["other"] = merge(other_q)
    for sums, newest in by_kind.values():
        reduced += sums
        last = np.maximum(last, newest)
    open_minor = amount_a - reduced
    settled_ord = np.where((open_minor == 0) & (last > 0), last, 0)
    return InvoiceHistory(
        as_of, tuple(numbers), tuple(codes), tuple(currencies), tuple(_day(d) for d in issued),
        tuple(_day(d) for d in due), tuple(amount_a.tolist()), tuple(open_minor.tolist()), tuple(paid.tolist()),
        tuple(by_kind["writeoff"][0].tolist()), tuple(by_kind["opening_settlement"][0].tolist()),
        tuple(date.fromordinal(o) if o > 0 else None for o in settled_ord.tolist()),
        tuple(bool(x) for x in disputed))
