"""Payment figures per customer over a look-back window, aggregated by the database: what the risk
capability turns into payment behaviour (days beyond terms weighted by the amount paid or still open,
overdue shares, partial payments, disputes). Exposed through `arguard.ledger.interface`."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select, type_coerce

from arguard.ledger.service_materiality import material_clause, materiality_thresholds
from arguard.ledger.tables import Allocation, Invoice
from arguard.platform.context import ServiceContext


def payment_figures(ctx: ServiceContext, as_of: date, start: date, customer_ids: list[int] | None = None,
                    ) -> dict[int, dict[str, Any]]:
    """Customer id → its figures as of `as_of` over the window after `start` (all customers, or the ids
    given), from two aggregate queries (`_behaviour_query`): window_inv, disputed, in_window, over_w,
    over_wl, open_pos, open_over, open_over60, open_over90, max_overdue_days, and, when something was
    paid in the window, paid, paid_w, paid_wl, partial, paid_90d, recent_w, recent_wl, before_w,
    before_wl (amounts in minor units of each invoice's currency, day counts as numbers)."""
    book_q, paid_q = _behaviour_query(ctx, as_of, start, customer_ids)
    paid = {int(r.cid): r._asdict() for r in ctx.session.execute(paid_q)}
    out: dict[int, dict[str, Any]] = {}
    for r in ctx.session.execute(book_q):
        out[int(r.cid)] = {**r._asdict(), **paid.get(int(r.cid), {})}
    return out


def credit_notes_issued(ctx: ServiceContext, start: date, as_of: date, customer_ids: list[int] | None = None,
                        ) -> dict[int, int]:
    """Customer id → credit notes issued after `start` and up to `as_of`."""
    scope = [Invoice.company_id == ctx.company_id, Invoice.document_type == "credit_note",
             Invoice.issue_date <= as_of, Invoice.issue_date > start]
    if customer_ids is not None:
        scope.append(Invoice.customer_id.in_(customer_ids))
    return {int(c): int(n) for c, n in ctx.session.execute(
        select(Invoice.customer_id, func.count(Invoice.id)).where(*scope).group_by(Invoice.customer_id))}


def _day(ctx: ServiceContext, column: Any) -> Any:
    """A date column as a day number the database can subtract (SQLite: Julian day; PostgreSQL: days
    since 2000-01-01)."""
    if ctx.session.get_bind().dialect.name == "sqlite":
        return func.julianday(column)
    return type_coerce(column - cast(literal(EPOCH), Date), Integer)


EPOCH = date(2000, 1, 1)


def _behaviour_query(ctx: ServiceContext, as_of: date, start: date, customer_ids: list[int] | None) -> Any:
    """Two aggregates per customer, merged by `payment_behaviours`: what is open, overdue and in the
    window (invoices alone, one scan), and what was paid in the window (invoices whose last allocation
    falls in it: the allocations grouped per invoice, then joined by primary key)."""
    scope = [Invoice.company_id == ctx.company_id, Invoice.document_type == "invoice",
             Invoice.issue_date <= as_of, Invoice.amount_minor > 0]
    if customer_ids is not None:
        scope.append(Invoice.customer_id.in_(customer_ids))
    amount, open_ = Invoice.amount_minor, Invoice.open_minor
    due, now = _day(ctx, Invoice.due_date), _day(ctx, literal(as_of, Date))
    # Leftovers within the company's tolerance are not overdue and do not keep an invoice unpaid (ledger
    # rule 12: the ledger owns the rule, here in its SQL form); overdue items weigh what is still open.
    material = material_clause(materiality_thresholds(ctx, as_of), open_, amount, Invoice.currency)
    overdue = and_(material, Invoice.due_date < as_of)
    settled_inv = or_(open_ == 0, ~material)
    window = or_(Invoice.issue_date > start, material)

    def total(cond: Any, value: Any = 1) -> Any:
        return func.sum(case((cond, value), else_=0))

    book = (select(
        Invoice.customer_id.label("cid"), total(window).label("window_inv"),
        total(and_(window, Invoice.disputed)).label("disputed"), total(Invoice.issue_date > start).label("in_window"),
        total(overdue, open_).label("over_w"), total(overdue, open_ * (now - due)).label("over_wl"),
        total(open_ > 0, open_).label("open_pos"), total(overdue, open_).label("open_over"),
        total(and_(overdue, Invoice.due_date <= date.fromordinal(as_of.toordinal() - 60)), open_).label("open_over60"),
        total(and_(overdue, Invoice.due_date <= date.fromordinal(as_of.toordinal() - 90)), open_).label("open_over90"),
        func.max(case((overdue, now - due), else_=None)).label("max_overdue_days"))
        .where(*scope).group_by(Invoice.customer_id))
    settled_q = (select(Allocation.invoice_id.label("invoice_id"), func.max(Allocation.allocated_on).label("on"),
                        func.count(Allocation.id).label("n"))
                 .where(Allocation.company_id == ctx.company_id, Allocation.allocated_on <= as_of,
                        Allocation.amount_minor > 0))
    if customer_ids is not None:
        settled_q = settled_q.where(Allocation.invoice_id.in_(select(Invoice.id).where(*scope)))
    alloc = settled_q.group_by(Allocation.invoice_id).having(func.max(Allocation.allocated_on) >= start).subquery()
    d90, d180 = date.fromordinal(as_of.toordinal() - 90), date.fromordinal(as_of.toordinal() - 180)
    settled = _day(ctx, alloc.c.on)
    late = case((settled > due, settled - due), else_=0)
    recent, before = alloc.c.on > d90, and_(alloc.c.on > d180, alloc.c.on <= d90)
    settled_part = amount - open_  # what was paid: an immaterial leftover is not
    paid = (select(
        Invoice.customer_id.label("cid"), func.count().label("paid"), func.sum(settled_part).label("paid_w"),
        func.sum(settled_part * late).label("paid_wl"), total(alloc.c.n > 1).label("partial"),
        total(recent).label("paid_90d"), total(recent, settled_part).label("recent_w"),
        total(recent, settled_part * late).label("recent_wl"), total(before, settled_part).label("before_w"),
        total(before, settled_part * late).label("before_wl"))
        .select_from(alloc).join(Invoice, Invoice.id == alloc.c.invoice_id)
        .where(*scope, settled_inv).group_by(Invoice.customer_id))
    return book, paid
