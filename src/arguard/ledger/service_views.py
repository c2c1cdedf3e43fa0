"""Ledger services, second half: reports, lists, disputes, payment history, FX, statements, projections.

Re-exported by `arguard.ledger.service`; callers import from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, and_, func, select

from arguard.core.errors import NotFound, ValidationError
from arguard.core.money import FxRate, FxTable, Money, check_currency
from arguard.ledger import metrics, reports
from arguard.ledger.model import (
    AgingReport,
    AgingRow,
    CustomerDetail,
    DsoFigures,
    PaymentHistoryLine,
    SettledItem,
    StatementOfAccount,
)
from arguard.ledger.statement import Movement, build_statement
from arguard.ledger.tables import Adjustment, Allocation, Customer, FxRateRow, Invoice, Payment
from arguard.platform.context import ServiceContext
from arguard.platform.events import publish
from arguard.platform.interface import company_base_currency

__all__ = [
    "add_fx_rate",
    "aging_and_dso",
    "aging_report",
    "base_currency",
    "convert",
    "customer_detail",
    "dso_report",
    "dso_series",
    "fx_table",
    "get_invoice",
    "get_payment",
    "list_allocations",
    "list_fx_rates",
    "list_invoices",
    "list_payments",
    "payment_history",
    "set_dispute",
    "statement_of_account",
    "verify_projections",
]


def _customer(ctx: ServiceContext, code: str) -> Customer:
    from arguard.ledger.service import get_customer  # the one customer-by-code look-up of the ledger

    return get_customer(ctx, code)


def base_currency(ctx: ServiceContext) -> str:
    return company_base_currency(ctx)


# ---------------------------------------------------------------- reports

def aging_report(ctx: ServiceContext, as_of: date, customer_code: str | None = None,
                 base_currency_code: str | None = None) -> AgingReport:
    """Aging per customer and currency, totals per currency, and the total converted into the base
    currency at the rates valid on as_of (left out, with the currencies named, when a rate is missing)."""
    cid = _customer(ctx, customer_code).id if customer_code else None
    rows, totals = reports.aging_rows_and_totals(ctx, as_of, cid)
    return _aging_report(ctx, as_of, rows, totals, base_currency_code)


def _aging_report(ctx: ServiceContext, as_of: date, rows: list[AgingRow], totals: list[AgingRow],
                  base_currency_code: str | None) -> AgingReport:
    base = base_currency_code or base_currency(ctx)
    table = fx_table(ctx)
    rates, missing = {}, []
    for t in totals:
        try:
            rates[t.currency] = table.rate(t.currency, base, as_of)
        except ValidationError:
            missing.append(t.currency)
    converted = metrics.convert_total(totals, base, rates) if totals and not missing else None
    return AgingReport(as_of=as_of, rows=tuple(rows), totals=tuple(totals), base_currency=base,
                       converted=converted, missing_rates=tuple(missing))


def aging_and_dso(ctx: ServiceContext, as_of: date, period_days: int = 90, customer_code: str | None = None,
                  base_currency_code: str | None = None) -> tuple[AgingReport, list[DsoFigures]]:
    """`aging_report` and `dso_report` of one date from one pass over the documents (the overview of a
    dashboard): the aging pass also sums the opening AR; closing and current AR are the aging totals;
    credit sales come from the per-day sales table. Each part equals its own report."""
    if period_days <= 0:
        raise ValidationError("period_days must be positive", code="bad_period")
    cid = _customer(ctx, customer_code).id if customer_code else None
    start = as_of - timedelta(days=period_days)
    scan = reports.aging_sums(ctx, as_of, cid, opening_at=start)
    rows, totals = reports.rows_and_totals(ctx, scan)
    balances = {t.currency: [sum(t.bucket_minor), t.bucket_minor[0], 0] for t in totals}
    for cur, minor in scan.opening.items():
        balances.setdefault(cur, [0, 0, 0])[2] = minor
    figures = reports.figures_of_balances(ctx, as_of, period_days, balances, cid, customer_code)
    return _aging_report(ctx, as_of, rows, totals, base_currency_code), figures


def dso_report(ctx: ServiceContext, as_of: date, period_days: int = 90,
               customer_code: str | None = None) -> list[DsoFigures]:
    """DSO (simple and count-back), best possible DSO, ADD and CEI per currency."""
    if period_days <= 0:
        raise ValidationError("period_days must be positive", code="bad_period")
    cid = _customer(ctx, customer_code).id if customer_code else None
    return reports.dso_figures(ctx, as_of, period_days, cid, customer_code)


def dso_series(ctx: ServiceContext, dates: Sequence[date], period_days: int = 90,
               customer_code: str | None = None) -> list[list[DsoFigures]]:
    """`dso_report` at each of several dates (e.g. 12 month-ends of a trend), computed in one pass: one
    list of per-currency figures per date, in the order given; each equals `dso_report` of that date."""
    if period_days <= 0:
        raise ValidationError("period_days must be positive", code="bad_period")
    cid = _customer(ctx, customer_code).id if customer_code else None
    return reports.dso_series(ctx, list(dates), period_days, cid, customer_code)


def customer_detail(ctx: ServiceContext, code: str, as_of: date) -> CustomerDetail:
    from arguard.ledger.service import customer_ibans, customer_record

    row = _customer(ctx, code)
    aging = reports.aging_rows(ctx, as_of, row.id)
    dso = reports.dso_figures(ctx, as_of, 90, row.id, code)
    c = ctx.company_id
    disputed = ctx.session.scalar(select(func.count()).where(
        Invoice.company_id == c, Invoice.customer_id == row.id, Invoice.disputed.is_(True),
        Invoice.open_minor != 0)) or 0
    last = ctx.session.scalar(select(func.max(Payment.received_on)).where(
        Payment.company_id == c, Payment.customer_id == row.id, Payment.received_on <= as_of))
    return CustomerDetail(customer=customer_record(row, customer_ibans(ctx, row.id)), as_of=as_of,
                          aging=tuple(aging), dso=tuple(dso), open_items=sum(a.items for a in aging),
                          disputed_items=int(disputed), last_payment_on=last)


# ---------------------------------------------------------------- documents

def get_invoice(ctx: ServiceContext, number: str, document_type: str = "invoice") -> Invoice:
    row = ctx.session.scalar(select(Invoice).where(Invoice.company_id == ctx.company_id,
                                                   Invoice.document_type == document_type,
                                                   Invoice.number == number))
    if row is None:
        raise NotFound(f"no {document_type} {number!r}", code="invoice_not_found")
    return row


def list_invoices(ctx: ServiceContext, *, customer_code: str | None = None, status: str | None = None,
                  overdue_as_of: date | None = None, due_from: date | None = None, due_to: date | None = None,
                  document_type: str | None = None, disputed: bool | None = None, limit: int = 50,
                  offset: int = 0) -> tuple[list[tuple[Invoice, str]], int]:
    """(invoice, customer code) rows and the total count. status: 'open' | 'closed'; overdue_as_of: only
    open items due before that date."""
    q: Select = (select(Invoice, Customer.code).join(Customer, Customer.id == Invoice.customer_id)
                 .where(Invoice.company_id == ctx.company_id))
    if customer_code:
        q = q.where(Customer.code == customer_code)
    if status == "open":
        q = q.where(Invoice.open_minor != 0)
    elif status == "closed":
        q = q.where(Invoice.open_minor == 0)
    elif status is not None:
        raise ValidationError("status is 'open' or 'closed'", code="bad_filter")
    if overdue_as_of is not None:
        q = q.where(Invoice.open_minor != 0, Invoice.due_date < overdue_as_of)
    if due_from is not None:
        q = q.where(Invoice.due_date >= due_from)
    if due_to is not None:
        q = q.where(Invoice.due_date <= due_to)
    if document_type:
        q = q.where(Invoice.document_type == document_type)
    if disputed is not None:
        q = q.where(Invoice.disputed.is_(disputed))
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = ctx.session.execute(q.order_by(Invoice.due_date, Invoice.number, Invoice.id).limit(limit).offset(offset))
    return [(i, code) for i, code in rows], total


def set_dispute(ctx: ServiceContext, number: str, disputed: bool, reason: str) -> Invoice:
    """Mark an invoice disputed by the buyer, or the dispute resolved (audited with the reason)."""
    ctx.require("analyst")
    inv = get_invoice(ctx, number)
    if inv.disputed != disputed:
        inv.disputed = disputed
        ctx.session.flush()
        ctx.audit("invoice.dispute" if disputed else "invoice.dispute_resolved", "invoice", number, reason=reason,
                  before={"disputed": not disputed}, after={"disputed": disputed})
        publish(ctx, "ledger.dispute", None, {"invoice_id": inv.id, "customer_id": inv.customer_id, "disputed": disputed})
    return inv


# ---------------------------------------------------------------- payments

def get_payment(ctx: ServiceContext, external_id: str) -> Payment:
    row = ctx.session.scalar(select(Payment).where(Payment.company_id == ctx.company_id,
                                                   Payment.external_id == external_id))
    if row is None:
        raise NotFound(f"no payment {external_id!r}", code="payment_not_found")
    return row


def list_payments(ctx: ServiceContext, *, customer_code: str | None = None, received_from: date | None = None,
                  received_to: date | None = None, unapplied_only: bool = False, limit: int = 50,
                  offset: int = 0) -> tuple[list[tuple[Payment, str | None]], int]:
    q: Select = (select(Payment, Customer.code).outerjoin(Customer, Customer.id == Payment.customer_id)
                 .where(Payment.company_id == ctx.company_id))
    if customer_code:
        q = q.where(Customer.code == customer_code)
    if received_from:
        q = q.where(Payment.received_on >= received_from)
    if received_to:
        q = q.where(Payment.received_on <= received_to)
    if unapplied_only:
        q = q.where(Payment.unapplied_minor != 0)
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = ctx.session.execute(q.order_by(Payment.received_on.desc(), Payment.id.desc()).limit(limit).offset(offset))
    return [(p, code) for p, code in rows], total


def payment_history(ctx: ServiceContext, code: str, as_of: date, limit: int = 200) -> list[PaymentHistoryLine]:
    """The customer's payments up to as_of, newest first, each with the documents it settled."""
    cust = _customer(ctx, code)
    pays = list(ctx.session.scalars(select(Payment).where(
        Payment.company_id == ctx.company_id, Payment.customer_id == cust.id, Payment.received_on <= as_of)
        .order_by(Payment.received_on.desc(), Payment.id.desc()).limit(limit)))
    allocs: Any = ctx.session.execute(
        select(Allocation.payment_id, Invoice.number, Invoice.due_date, Allocation.amount_minor)
        .join(Invoice, Invoice.id == Allocation.invoice_id)
        .where(Allocation.company_id == ctx.company_id, Allocation.allocated_on <= as_of,
               Allocation.payment_id.in_([p.id for p in pays]))) if pays else []
    settled: dict[int, dict[tuple[str, date], int]] = {}
    for pid, number, due, minor in allocs:
        per = settled.setdefault(pid, {})
        per[(number, due)] = per.get((number, due), 0) + int(minor)
    out = []
    for p in pays:
        items = tuple(SettledItem(number, due, Money.from_minor(m, p.currency), (p.received_on - due).days)
                      for (number, due), m in sorted(settled.get(p.id, {}).items()) if m)
        used = sum(i.amount.minor for i in items)
        out.append(PaymentHistoryLine(p.external_id, p.received_on, Money.from_minor(p.amount_minor, p.currency),
                                      Money.from_minor(p.amount_minor - used, p.currency), p.reference, items))
    return out


def list_allocations(ctx: ServiceContext, *, invoice_number: str | None = None,
                     payment_external_id: str | None = None, limit: int = 200) -> list[dict[str, object]]:
    q = (select(Allocation, Invoice.number, Payment.external_id)
         .join(Invoice, Invoice.id == Allocation.invoice_id).join(Payment, Payment.id == Allocation.payment_id)
         .where(Allocation.company_id == ctx.company_id))
    if invoice_number:
        q = q.where(Invoice.number == invoice_number)
    if payment_external_id:
        q = q.where(Payment.external_id == payment_external_id)
    return [{"id": a.id, "invoice_number": num, "payment_id": ext, "amount": Money.from_minor(a.amount_minor,
             a.currency), "allocated_on": a.allocated_on, "reverses_id": a.reverses_id, "source": a.source}
            for a, num, ext in ctx.session.execute(q.order_by(Allocation.id).limit(limit))]


# ---------------------------------------------------------------- FX

def add_fx_rate(ctx: ServiceContext, base: str, quote: str, rate: Decimal | str, valid_on: date) -> FxRate:
    """Record units of `quote` per unit of `base` from `valid_on`. A rate for the same day and pair is a
    fact: recording it again with the same value is a no-op, with another value a Conflict."""
    from arguard.core.errors import Conflict

    ctx.require("analyst")
    base, quote = check_currency(base), check_currency(quote)
    try:
        value = Decimal(str(rate))
    except InvalidOperation:
        raise ValidationError(f"not a rate: {rate!r}", code="bad_rate") from None
    if base == quote or not value.is_finite() or value <= 0:
        raise ValidationError("a rate is positive and between two different currencies", code="bad_rate")
    existing = ctx.session.scalar(select(FxRateRow).where(
        FxRateRow.company_id == ctx.company_id, FxRateRow.base == base, FxRateRow.quote == quote,
        FxRateRow.valid_on == valid_on))
    if existing is not None:
        if Decimal(existing.rate) != value:
            raise Conflict(f"{base}/{quote} on {valid_on} is already {existing.rate}", code="fx_rate_conflict")
    else:
        ctx.session.add(FxRateRow(company_id=ctx.company_id, base=base, quote=quote, rate=str(value),
                                  valid_on=valid_on))
        ctx.session.flush()
        ctx.audit("fx.rate", "fx_rate", f"{base}/{quote}@{valid_on}", after={"rate": str(value)})
    return FxRate(base, quote, value, valid_on)


def list_fx_rates(ctx: ServiceContext, base: str | None = None, quote: str | None = None) -> list[FxRate]:
    q = select(FxRateRow).where(FxRateRow.company_id == ctx.company_id)
    if base:
        q = q.where(FxRateRow.base == base.upper())
    if quote:
        q = q.where(FxRateRow.quote == quote.upper())
    return [FxRate(r.base, r.quote, Decimal(r.rate), r.valid_on)
            for r in ctx.session.scalars(q.order_by(FxRateRow.base, FxRateRow.quote, FxRateRow.valid_on))]


def fx_table(ctx: ServiceContext) -> FxTable:
    return FxTable(list_fx_rates(ctx))


def convert(ctx: ServiceContext, money: Money, to: str, on: date) -> Money:
    """Convert at the rate valid on `on` (ValidationError `missing_fx_rate` if there is none)."""
    return fx_table(ctx).convert(money, check_currency(to), on)


# ---------------------------------------------------------------- statements

def statement_of_account(ctx: ServiceContext, code: str, as_of: date, since: date | None = None,
                         currency: str | None = None) -> list[StatementOfAccount]:
    """The customer's statement as of a date, one per currency it has movements in (or the one asked)."""
    from arguard.ledger.service import customer_ibans, customer_record

    cust = _customer(ctx, code)
    c = ctx.company_id
    moves: dict[str, list[Movement]] = {}
    docs = ctx.session.execute(select(Invoice.number, Invoice.document_type, Invoice.issue_date, Invoice.due_date,
                                      Invoice.currency, Invoice.amount_minor)
                               .where(Invoice.company_id == c, Invoice.customer_id == cust.id))
    for number, kind, issued, due, cur, minor in docs:
        moves.setdefault(cur, []).append(Movement(issued, kind, number, int(minor), due))
    for ext, on, cur, minor in ctx.session.execute(select(
            Payment.external_id, Payment.received_on, Payment.currency, Payment.amount_minor)
            .where(Payment.company_id == c, Payment.customer_id == cust.id)):
        moves.setdefault(cur, []).append(Movement(on, "payment", ext, -int(minor)))
    for number, kind, on, cur, minor in ctx.session.execute(select(
            Invoice.number, Adjustment.kind, Adjustment.effective_on, Adjustment.currency, Adjustment.amount_minor)
            .join(Invoice, Invoice.id == Adjustment.invoice_id)
            .where(and_(Adjustment.company_id == c, Invoice.customer_id == cust.id,
                        Adjustment.kind != "credit_applied"))):  # a credit note applied moves nothing owed
        moves.setdefault(cur, []).append(Movement(on, kind, number, -int(minor)))
    wanted = [check_currency(currency)] if currency else sorted(moves)
    items = reports.open_items_as_of(ctx, as_of, cust.id)
    record = customer_record(cust, customer_ibans(ctx, cust.id))
    return [build_statement(record, cur, as_of, moves.get(cur, []), items, since) for cur in wanted]


# ---------------------------------------------------------------- projections

def verify_projections(ctx: ServiceContext) -> list[str]:
    """Recompute open and unapplied amounts and the credit sales per day from the facts; describe every
    projection that differs."""
    c = ctx.company_id
    alloc_inv = (select(Allocation.invoice_id.label("ref"), func.sum(Allocation.amount_minor).label("m"))
                 .where(Allocation.company_id == c).group_by(Allocation.invoice_id).subquery())
    adj = (select(Adjustment.invoice_id.label("ref"), func.sum(Adjustment.amount_minor).label("m"))
           .where(Adjustment.company_id == c).group_by(Adjustment.invoice_id).subquery())
    expected = Invoice.amount_minor - func.coalesce(alloc_inv.c.m, 0) - func.coalesce(adj.c.m, 0)
    bad = [f"invoice {n}: open {o}, facts say {e}" for n, o, e in ctx.session.execute(
        select(Invoice.number, Invoice.open_minor, expected).outerjoin(alloc_inv, alloc_inv.c.ref == Invoice.id)
        .outerjoin(adj, adj.c.ref == Invoice.id).where(Invoice.company_id == c, Invoice.open_minor != expected))]
    alloc_pay = (select(Allocation.payment_id.label("ref"), func.sum(Allocation.amount_minor).label("m"))
                 .where(Allocation.company_id == c).group_by(Allocation.payment_id).subquery())
    expected_p = Payment.amount_minor - func.coalesce(alloc_pay.c.m, 0)
    bad += [f"payment {x}: unapplied {u}, facts say {e}" for x, u, e in ctx.session.execute(
        select(Payment.external_id, Payment.unapplied_minor, expected_p)
        .outerjoin(alloc_pay, alloc_pay.c.ref == Payment.id)
        .where(Payment.company_id == c, Payment.unapplied_minor != expected_p))]
    return bad + reports.daily_sales_differences(ctx)
