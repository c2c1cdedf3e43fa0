"""Every invoice with how and when it was settled, as of a date — one bulk read for forecasts and provisions.

One select: the invoices outer-joined to their allocations and their adjustments (per kind) grouped per
invoice, all facts dated on or before `as_of`: no per-invoice query, no ORM rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import BigInteger, String, case, cast, func, select

from arguard.core.errors import ValidationError
from arguard.db.driver import DriverStatement
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
        return np.array([str(v)[:10] if v is not None else "NaT" for v in values], dtype="datetime64[D]")


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
    """`invoice_history` as numpy columns: one Core select on the session's connection (no ORM rows) —
    the invoices outer-joined to their allocations and adjustments grouped per invoice — dates read as
    text and parsed by numpy."""
    c = ctx.company_id
    ctx.session.flush()  # the connection does not autoflush: pending rows of this unit of work count
    conn = ctx.session.connection()
    paid = (select(Allocation.invoice_id.label("iid"), func.sum(Allocation.amount_minor).label("amount"),
                   func.max(Allocation.allocated_on).label("last"))
            .where(Allocation.company_id == c, Allocation.allocated_on <= as_of)
            .group_by(Allocation.invoice_id).subquery())

    def of_kind(kind: str) -> Any:
        return func.sum(case((Adjustment.kind == kind, Adjustment.amount_minor), else_=0))

    def whole(total: Any) -> Any:
        """A sum as a whole number (PostgreSQL sums bigints as numeric: a Decimal a cell), 0 without facts."""
        return cast(func.coalesce(total, 0), BigInteger)

    adjusted = (select(Adjustment.invoice_id.label("iid"), func.sum(Adjustment.amount_minor).label("amount"),
                       of_kind("writeoff").label("writeoff"), of_kind("opening_settlement").label("opening"),
                       func.max(Adjustment.effective_on).label("last"))
                .where(Adjustment.company_id == c, Adjustment.effective_on <= as_of)
                .group_by(Adjustment.invoice_id).subquery())
    q = (select(Invoice.id, Invoice.number, Customer.code, Invoice.currency, cast(Invoice.issue_date, String),
                cast(Invoice.due_date, String), Invoice.amount_minor, Invoice.disputed,
                whole(paid.c.amount), whole(adjusted.c.amount), whole(adjusted.c.writeoff), whole(adjusted.c.opening),
                cast(paid.c.last, String), cast(adjusted.c.last, String))
         .join(Customer, Customer.id == Invoice.customer_id)
         .outerjoin(paid, paid.c.iid == Invoice.id).outerjoin(adjusted, adjusted.c.iid == Invoice.id)
         .where(Invoice.company_id == c, Invoice.document_type == "invoice", Invoice.issue_date <= as_of)
         .order_by(Invoice.id))
    if since is not None:
        q = q.where(Invoice.issue_date >= since)
    rows = DriverStatement(lambda: q).rows(conn, {})  # plain tuples: a million Row objects cost seconds
    n = len(rows)
    if not rows:
        empty_o, empty_i = np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
        empty_d = np.zeros(0, dtype="datetime64[D]")
        return InvoiceColumns(as_of, empty_o, empty_o, empty_o, empty_d, empty_d, empty_i, empty_i, empty_i,
                              empty_i, empty_i, empty_d, np.zeros(0, dtype=bool))
    (_, numbers, codes, currencies, issued, due, amount, disputed, paid_m, adjusted_m, writeoff_m, opening_m,
     paid_last, adjusted_last) = zip(*rows, strict=True)

    def ints(values: tuple[Any, ...]) -> npt.NDArray[np.int64]:
        return np.fromiter(values, dtype=np.int64, count=n)

    amount_a, paid_a = ints(amount), ints(paid_m)
    open_minor = amount_a - paid_a - ints(adjusted_m)
    last = np.maximum(_days(paid_last).astype(np.int64), _days(adjusted_last).astype(np.int64))  # NaT: the minimum
    settled = np.where(open_minor == 0, last, NO_DAY)  # NO_DAY (no fact) reads as NaT
    return InvoiceColumns(
        as_of, np.array(numbers, dtype=object), np.array(codes, dtype=object), np.array(currencies, dtype=object),
        _days(issued), _days(due), amount_a, open_minor, paid_a, ints(writeoff_m), ints(opening_m),
        settled.astype("datetime64[D]"), np.fromiter((bool(x) for x in disputed), dtype=bool, count=n))


@dataclass(frozen=True, slots=True)
class InvoicePositions:
    """Invoices issued on or before the last of `dates` and, at each date, what was open and what had been
    written off: `open_minor[i, k]` is `invoice_columns(ctx, dates[k]).open_minor` of invoice i (0 where
    it was issued after dates[k]), `written_off_minor` likewise. Rows ordered as `invoice_columns`."""

    dates: tuple[date, ...]
    numbers: npt.NDArray[np.object_]
    customer_codes: npt.NDArray[np.object_]
    currencies: npt.NDArray[np.object_]
    issue_dates: npt.NDArray[np.datetime64]
    due_dates: npt.NDArray[np.datetime64]
    open_minor: npt.NDArray[np.int64]
    written_off_minor: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.numbers)


def invoice_positions(ctx: ServiceContext, dates: list[date]) -> InvoicePositions:
    """Every invoice's open and written-off amounts at each of `dates` (increasing) from three reads — the
    invoices, the allocations and the adjustments — summed per date in numpy; the same figures as
    `invoice_columns` at each date, without reading the ledger once per date."""
    if list(dates) != sorted(set(dates)) or not dates:
        raise ValidationError(f"positions need increasing dates, not {[d.isoformat() for d in dates]}",
                              code="invalid_dates")
    c, last = ctx.company_id, dates[-1]
    ctx.session.flush()
    conn = ctx.session.connection()
    invoices = DriverStatement(lambda: (
        select(Invoice.id, Invoice.number, Customer.code, Invoice.currency, cast(Invoice.issue_date, String),
               cast(Invoice.due_date, String), Invoice.amount_minor)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.company_id == c, Invoice.document_type == "invoice", Invoice.issue_date <= last)
        .order_by(Invoice.id))).rows(conn, {})
    paid = DriverStatement(lambda: (
        select(Allocation.invoice_id, cast(Allocation.allocated_on, String), Allocation.amount_minor)
        .where(Allocation.company_id == c, Allocation.allocated_on <= last))).rows(conn, {})
    adjusted = DriverStatement(lambda: (
        select(Adjustment.invoice_id, cast(Adjustment.effective_on, String), Adjustment.amount_minor,
               case((Adjustment.kind == "writeoff", 1), else_=0))
        .where(Adjustment.company_id == c, Adjustment.effective_on <= last))).rows(conn, {})
    n, k = len(invoices), len(dates)
    if not n:
        empty_o, empty_d = np.zeros(0, dtype=object), np.zeros(0, dtype="datetime64[D]")
        empty = np.zeros((0, k), dtype=np.int64)
        return InvoicePositions(tuple(dates), empty_o, empty_o, empty_o, empty_d, empty_d, empty, empty.copy())
    ids, numbers, codes, currencies, issued, due, amount = zip(*invoices, strict=True)
    id_a = np.fromiter(ids, dtype=np.int64, count=n)  # increasing (ordered by id)
    at = np.array(dates, dtype="datetime64[D]")
    issue_a = _days(issued)

    def per_date(facts: list[tuple[Any, ...]]) -> tuple[npt.NDArray[np.int64], ...]:
        """Each fact parsed once: (row, date column, amount) of those that are this read's invoices' — a
        fact counts from the first date on or after its own; facts of credit notes and later invoices
        are not rows here — and the mask of those facts among all."""
        iid = np.fromiter((f[0] for f in facts), dtype=np.int64, count=len(facts))
        row = np.minimum(np.searchsorted(id_a, iid), n - 1)
        mine = id_a[row] == iid
        column = np.searchsorted(at, _days(tuple(f[1] for f in facts)), side="left")
        amount = np.fromiter((f[2] for f in facts), dtype=np.int64, count=len(facts))
        return row[mine], column[mine], amount[mine], mine

    def cumulated(row: npt.NDArray[np.int64], column: npt.NDArray[np.int64],
                  amount: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Σ amount per invoice and date, cumulated over the dates."""
        out = np.zeros((n, k), dtype=np.int64)
        np.add.at(out, (row, column), amount)
        return np.cumsum(out, axis=1)

    amount_a = np.fromiter(amount, dtype=np.int64, count=n)
    issued_by = issue_a[:, None] <= at[None, :]
    p_row, p_col, p_amount, _ = per_date(paid)
    a_row, a_col, a_amount, a_mine = per_date(adjusted)
    writeoff = np.fromiter((bool(f[3]) for f in adjusted), dtype=bool, count=len(adjusted))[a_mine]
    open_minor = np.where(issued_by, amount_a[:, None] - cumulated(p_row, p_col, p_amount)
                          - cumulated(a_row, a_col, a_amount), 0)
    written_off = np.where(issued_by, cumulated(a_row[writeoff], a_col[writeoff], a_amount[writeoff]), 0)
    return InvoicePositions(tuple(dates), np.array(numbers, dtype=object), np.array(codes, dtype=object),
                            np.array(currencies, dtype=object), issue_a, _days(due), open_minor, written_off)
