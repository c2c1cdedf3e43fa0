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
from sqlalchemy import String, cast, func, select

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


@dataclass(frozen=True, slots=True)
class InvoiceColumns:
    """`InvoiceHistory` as numpy columns for bulk readers (a million invoices): dates as datetime64[D]
    (settled_on NaT while open), amounts int64 minor units, numbers/codes/currencies object arrays."""

    as_of: date
    numbers: npt.NDArray[np.object_]
    customer_codes: npt.NDArray[np.object_]
    currencies: npt.NDArray[np.object_]
    issue_dates: npt.NDArray[np.datetime64]
    due_dates: npt.NDArray[np.datetime64]
    amount_minor: npt.NDArray[np.int64]
    open_minor: npt.NDArray[np.int64]
    paid_minor: npt.NDArray[np.int64]
    written_off_minor: npt.NDArray[np.int64]
    opening_minor: npt.NDArray[np.int64]
    settled_on: npt.NDArray[np.datetime64]
    disputed: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.numbers)


NO_DAY = np.iinfo(np.int64).min
"""No fact: the int64 that numpy reads as NaT."""


def _days(values: tuple[Any, ...]) -> npt.NDArray[np.datetime64]:
    """ISO date texts (the databases' dates cast to text: numpy parses them in C) → datetime64[D]."""
    try:
        return np.array(values, dtype="datetime64[D]")
    except ValueError:  # a text with a time part
        return np.array([str(v)[:10] for v in values], dtype="datetime64[D]")


def invoice_history(ctx: ServiceContext, as_of: date, since: date | None = None) -> InvoiceHistory:
    """All invoices issued on or before as_of (and on or after `since` when given) with their settlement."""
    h = invoice_columns(ctx, as_of, since)

    def dates(a: npt.NDArray[np.datetime64]) -> tuple[Any, ...]:
        return tuple(a.tolist())  # datetime64[D] → date, NaT → None

    return InvoiceHistory(
        as_of, tuple(h.numbers.tolist()), tuple(h.customer_codes.tolist()), tuple(h.currencies.tolist()),
        dates(h.issue_dates), dates(h.due_dates), tuple(h.amount_minor.tolist()), tuple(h.open_minor.tolist()),
        tuple(h.paid_minor.tolist()), tuple(h.written_off_minor.tolist()), tuple(h.opening_minor.tolist()),
        dates(h.settled_on), tuple(h.disputed.tolist()))


def invoice_columns(ctx: ServiceContext, as_of: date, since: date | None = None) -> InvoiceColumns:
    """`invoice_history` as numpy columns: Core selects on the session's connection (no ORM rows), dates
    read as text and parsed by numpy, facts joined by binary search on the invoice ids."""
    c = ctx.company_id
    ctx.session.flush()  # the connection does not autoflush: pending rows of this unit of work count
    conn = ctx.session.connection()
    inv_q = (select(Invoice.id, Invoice.number, Customer.code, Invoice.currency, cast(Invoice.issue_date, String),
                    cast(Invoice.due_date, String), Invoice.amount_minor, Invoice.disputed)
             .join(Customer, Customer.id == Invoice.customer_id)
             .where(Invoice.company_id == c, Invoice.document_type == "invoice", Invoice.issue_date <= as_of)
             .order_by(Invoice.id))
    if since is not None:
        inv_q = inv_q.where(Invoice.issue_date >= since)
    rows = conn.execute(inv_q).all()
    n = len(rows)
    if not rows:
        empty_o, empty_i = np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
        empty_d = np.zeros(0, dtype="datetime64[D]")
        return InvoiceColumns(as_of, empty_o, empty_o, empty_o, empty_d, empty_d, empty_i, empty_i, empty_i,
                              empty_i, empty_i, empty_d, np.zeros(0, dtype=bool))
    ids, numbers, codes, currencies, issued, due, amount, disputed = zip(*rows, strict=True)
    pos = np.fromiter(ids, dtype=np.int64, count=n)  # ordered by id: positions by binary search
    amount_a = np.fromiter(amount, dtype=np.int64, count=n)
    reduced = np.zeros(n, dtype=np.int64)
    last = np.full(n, NO_DAY, dtype=np.int64)  # day number of the newest fact

    def merge(q: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Sums and newest days of a grouped fact query, by invoice position (unknown ids dropped)."""
        found = conn.execute(q).all()
        sums = np.zeros(n, dtype=np.int64)
        newest = np.full(n, NO_DAY, dtype=np.int64)
        if not found:
            return sums, newest
        iid_t, m, d = zip(*found, strict=True)
        iid = np.fromiter(iid_t, dtype=np.int64, count=len(found))
        at = np.searchsorted(pos, iid)
        ok = (at < n) & (pos[np.minimum(at, n - 1)] == iid)
        np.add.at(sums, at[ok], np.fromiter(m, dtype=np.int64, count=len(found))[ok])
        np.maximum.at(newest, at[ok], _days(d).astype(np.int64)[ok])
        return sums, newest

    def facts(table: Any, on: Any, kind: str | None = None) -> Any:
        q = (select(table.invoice_id, func.sum(table.amount_minor), cast(func.max(on), String))
             .where(table.company_id == c, on <= as_of).group_by(table.invoice_id))
        return q.where(table.kind == kind) if kind is not None else q

    paid, paid_last = merge(facts(Allocation, Allocation.allocated_on))
    by_kind = {}
    for kind in ("writeoff", "opening_settlement", "credit_applied"):
        by_kind[kind] = merge(facts(Adjustment, Adjustment.effective_on, kind))
    reduced += paid
    last = np.maximum(last, paid_last)
    other_q = (select(Adjustment.invoice_id, func.sum(Adjustment.amount_minor),
                      cast(func.max(Adjustment.effective_on), String))
               .where(Adjustment.company_id == c, Adjustment.effective_on <= as_of,
                      Adjustment.kind.not_in(tuple(by_kind))).group_by(Adjustment.invoice_id))
    by_kind["other"] = merge(other_q)
    for sums, newest in by_kind.values():
        reduced += sums
        last = np.maximum(last, newest)
    open_minor = amount_a - reduced
    settled = np.where(open_minor == 0, last, NO_DAY)  # NO_DAY (no fact) reads as NaT
    return InvoiceColumns(
        as_of, np.array(numbers, dtype=object), np.array(codes, dtype=object), np.array(currencies, dtype=object),
        _days(issued), _days(due), amount_a, open_minor, paid, by_kind["writeoff"][0],
        by_kind["opening_settlement"][0], settled.astype("datetime64[D]"),
        np.fromiter((bool(x) for x in disputed), dtype=bool, count=n))
