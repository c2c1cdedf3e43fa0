"""Open items as the ledger stood on a date, with their dated history, for the whole company in a few set
queries (the dunning run over a million documents): one for the documents open on the date, one for the
allocations and adjustments of those documents up to the date, one for unapplied cash. Used by
collections (issue 13) through `ledger.interface`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, select, union_all

from arguard.core.money import Money
from arguard.ledger import reports
from arguard.ledger.history import ItemHistory
from arguard.ledger.model import CustomerRecord, OpenItem
from arguard.ledger.tables import Adjustment, Allocation, Customer, Invoice
from arguard.platform.context import ServiceContext


def _as_date(v: Any) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def items_with_history(ctx: ServiceContext, as_of: date, customer_codes: Sequence[str] | None = None,
                       history_due_before: date | None = None) -> list[ItemHistory]:
    """Every document open on as_of (issued on or before it; payments and adjustments dated after it
    undone), each with its reductions dated on or before as_of. history_due_before: read the history only
    of invoices due before that date (interest needs no history of invoices not yet due)."""
    reconstruct = reports._has_facts_after(ctx, as_of)
    open_at, base = reports.open_at_expr(ctx, as_of, reconstruct)
    q = base.add_columns(Invoice.id, Invoice.number, Customer.code, Invoice.document_type, Invoice.issue_date,
                         Invoice.due_date, Invoice.currency, Invoice.amount_minor, open_at.label("open_at"),
                         Invoice.disputed).join(Customer, Customer.id == Invoice.customer_id)
    if reconstruct:
        q = q.where(open_at != 0)
    if customer_codes is not None:
        q = q.where(Customer.code.in_(list(customer_codes)))
    rows = ctx.session.execute(q).all()
    hist_before = history_due_before or as_of
    wanted = {r[0] for r in rows if _as_date(r[5]) < hist_before and r[3] == "invoice"}
    history: dict[int, list[tuple[date, Money]]] = {}
    if wanted:
        ids = select(Invoice.id).where(Invoice.company_id == ctx.company_id, Invoice.issue_date <= as_of,
                                       Invoice.due_date < hist_before, Invoice.document_type == "invoice")
        if customer_codes is not None:
            ids = ids.join(Customer, Customer.id == Invoice.customer_id).where(Customer.code.in_(list(customer_codes)))
        if not reconstruct:
            ids = ids.where(Invoice.open_minor != 0)
        c = ctx.company_id
        facts = union_all(
            select(Allocation.invoice_id, Allocation.allocated_on, Allocation.amount_minor, Allocation.currency)
            .where(and_(Allocation.company_id == c, Allocation.allocated_on <= as_of, Allocation.invoice_id.in_(ids))),
            select(Adjustment.invoice_id, Adjustment.effective_on, Adjustment.amount_minor, Adjustment.currency)
            .where(and_(Adjustment.company_id == c, Adjustment.effective_on <= as_of, Adjustment.invoice_id.in_(ids))))
        for iid, on, minor, cur in ctx.session.execute(select(facts.subquery())):
            if iid in wanted:
                history.setdefault(iid, []).append((_as_date(on), Money.from_minor(int(minor), cur)))
    out = []
    for iid, number, code, kind, issued, due, cur, amount, open_minor, disputed in rows:
        item = OpenItem(number=number, customer_code=code, document_type=kind, issue_date=_as_date(issued),
                        due_date=_as_date(due), amount=Money.from_minor(int(amount), cur),
                        open=Money.from_minor(int(open_minor), cur))
        out.append(ItemHistory(item, bool(disputed), tuple(sorted(history.get(iid, ()), key=lambda h: h[0]))))
    return out


def unapplied_cash(ctx: ServiceContext, as_of: date) -> dict[str, list[Money]]:
    """Cash received from each customer on or before as_of and not applied to a document on that date."""
    reconstruct = reports._has_facts_after(ctx, as_of)
    sums = reports.unapplied_sums(ctx, as_of, reconstruct)
    codes = reports.customer_codes(ctx, sorted({cid for cid, _, _ in sums}))
    out: dict[str, list[Money]] = {}
    for cid, cur, minor in sums:
        out.setdefault(codes[cid], []).append(Money.from_minor(minor, cur))
    return out


def customers_by_code(ctx: ServiceContext, codes: Sequence[str] | None = None) -> dict[str, CustomerRecord]:
    """Master data of the named customers (every customer when codes is None), in one query."""
    from arguard.ledger.service import customer_record

    q = select(Customer).where(Customer.company_id == ctx.company_id)
    if codes is not None:
        q = q.where(Customer.code.in_(list(codes)))
    return {row.code: customer_record(row) for row in ctx.session.scalars(q)}


def document_customer(ctx: ServiceContext, number: str, document_type: str = "invoice") -> str | None:
    """The customer code of a document (None when there is no such document)."""
    return ctx.session.scalar(select(Customer.code).join(Invoice, Invoice.customer_id == Customer.id).where(
        Invoice.company_id == ctx.company_id, Invoice.document_type == document_type, Invoice.number == number))


def render_statements(ctx: ServiceContext, code: str, as_of: date, fmt: str = "pdf") -> bytes:
    """The customer's statement of account as of a date, rendered (pdf, csv, xlsx, json) in its language."""
    from arguard.ledger.render import render
    from arguard.ledger.service import statement_sender
    from arguard.ledger.service_views import statement_of_account

    return render(statement_of_account(ctx, code, as_of), fmt, statement_sender(ctx))
