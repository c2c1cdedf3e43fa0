"""Every open invoice as of a date in one statement, as light rows, for reports over the whole book
(credit insurance's cover per invoice and obligations calendar). Reached through `ledger.interface`."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import func, literal_column, or_, select, union

from arguard.db.driver import DriverStatement
from arguard.ledger.reports import _has_facts_after, open_at_expr
from arguard.ledger.tables import Adjustment, Allocation, Customer, Invoice
from arguard.platform.context import ServiceContext


class OpenInvoiceRow(NamedTuple):
    """An open invoice (credit notes left out) as of a date: open_minor in minor units of `currency`;
    country: the buyer's; disputed: the buyer disputes it now."""

    number: str
    customer_code: str
    country: str
    issue_date: date
    due_date: date
    currency: str
    amount_minor: int
    open_minor: int
    disputed: bool


def open_invoices_bulk(ctx: ServiceContext, as_of: date, issued_from: date | None = None,
                       issued_to: date | None = None) -> list[OpenInvoiceRow]:
    """Invoices with a positive open amount as of `as_of` (reconstructed when later facts exist), issued
    within [issued_from, issued_to] when given: one statement over the open-items index, run on the
    driver's cursor (`db.driver`): a million rows through SQLAlchemy's result rows and its SQLite date
    parsing cost several seconds more than the read itself. When facts dated after `as_of` exist, only
    the invoices open now or touched by such a fact are reconstructed (the others' open amount as of
    the date is today's: 0); the rest of the book is not joined to the later facts."""
    reconstruct = _has_facts_after(ctx, as_of)
    open_at, base = open_at_expr(ctx, as_of, reconstruct)
    q = (base.add_columns(Invoice.number, Customer.code, Customer.country, Invoice.issue_date, Invoice.due_date,
                          Invoice.currency, Invoice.amount_minor, open_at, Invoice.disputed)
         .join(Customer, Customer.id == Invoice.customer_id)
         .where(Invoice.document_type == "invoice", open_at > 0))
    if reconstruct:  # open as of the date: open now, or changed by a fact dated later (the rest is unchanged)
        c = ctx.company_id
        q = q.where(or_(Invoice.open_minor != literal_column("0"), Invoice.id.in_(union(
            select(Allocation.invoice_id).where(Allocation.company_id == c, Allocation.allocated_on > as_of),
            select(Adjustment.invoice_id).where(Adjustment.company_id == c, Adjustment.effective_on > as_of)))))
    if issued_from is not None:
        q = q.where(Invoice.issue_date >= issued_from)
    if issued_to is not None:
        q = q.where(Invoice.issue_date <= issued_to)
    ctx.session.flush()  # what the unit of work holds is read too, as through session.execute
    conn = ctx.session.connection()
    raw = DriverStatement(lambda: q).rows(conn, {})
    make = OpenInvoiceRow._make
    if conn.dialect.name != "sqlite":  # psycopg gives dates and booleans; sums of BIGINT are numeric
        return [make((n, c, k, i, d, cur, int(a), int(m), bool(disp))) for n, c, k, i, d, cur, a, m, disp in raw]
    day = _IsoDays()
    return [make((n, c, k, day[i], day[d], cur, a, int(m), bool(disp))) for n, c, k, i, d, cur, a, m, disp in raw]


class _IsoDays(dict[str, date]):
    """SQLite's ISO date text → date, each distinct text parsed once (a book has a few thousand dates)."""

    def __missing__(self, text: str) -> date:
        found = self[text] = date.fromisoformat(text[:10])
        return found



def sales_by_buyer(ctx: ServiceContext, start: date, end: date) -> list[tuple[str, str, str, int]]:
    """(customer code, its country, currency, invoiced minus credited minor units) of the documents issued
    in [start, end]."""
    q = (select(Customer.code, Customer.country, Invoice.currency, func.sum(Invoice.amount_minor))
         .join(Customer, Customer.id == Invoice.customer_id)
         .where(Invoice.company_id == ctx.company_id, Invoice.issue_date >= start, Invoice.issue_date <= end)
         .group_by(Customer.code, Customer.country, Invoice.currency))
    return [(code, country, cur, int(m)) for code, country, cur, m in ctx.session.execute(q)]
