"""Ledger services: the only place that reads or writes ledger tables. Every other capability records
invoices, payments and allocations through these functions.

Invariants kept here, in the same transaction as the facts:
- an allocation never exceeds the payment's unapplied amount nor the invoice's open amount
  (both rows are locked `FOR UPDATE` first, so concurrent allocations serialise on PostgreSQL);
- amounts combine only within one currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select, update

from arguard.core.errors import Conflict, NotFound, ValidationError
from arguard.core.money import Money
from arguard.ledger import reports
from arguard.ledger.model import CustomerRecord, InvoiceRecord, OpenItem, PaymentRecord
from arguard.ledger.tables import Adjustment, Allocation, Customer, CustomerAccount, Invoice, Payment
from arguard.platform.context import ServiceContext
from arguard.platform.events import publish

# ---------------------------------------------------------------- customers

def customer_record(row: Customer, ibans: Sequence[str] = ()) -> CustomerRecord:
    return CustomerRecord(
        code=row.code, name=row.name, country=row.country, sector=row.sector, currency=row.currency,
        terms_days=row.terms_days, tax_id=row.tax_id, email=row.email, language=row.language,
        ibans=tuple(ibans), aliases=tuple(row.aliases or ()), parent_code=row.parent_code)


def get_customer(ctx: ServiceContext, code: str) -> Customer:
    row = ctx.session.scalar(select(Customer).where(Customer.company_id == ctx.company_id, Customer.code == code))
    if row is None:
        raise NotFound(f"no customer {code!r}", code="customer_not_found")
    return row


def customer_ibans(ctx: ServiceContext, customer_id: int) -> list[str]:
    return list(ctx.session.scalars(select(CustomerAccount.iban).where(
        CustomerAccount.company_id == ctx.company_id, CustomerAccount.customer_id == customer_id)
        .order_by(CustomerAccount.id)))


def customer_ibans_of(ctx: ServiceContext, customer_ids: Sequence[int]) -> dict[int, list[str]]:
    """The bank accounts of several customers in one query (a page of the customer list)."""
    out: dict[int, list[str]] = {i: [] for i in customer_ids}
    if not out:
        return out
    for cid, iban in ctx.session.execute(select(CustomerAccount.customer_id, CustomerAccount.iban).where(
            CustomerAccount.company_id == ctx.company_id, CustomerAccount.customer_id.in_(list(out)))
            .order_by(CustomerAccount.id)):
        out[cid].append(iban)
    return out


_CUSTOMER_FIELDS = ("name", "country", "sector", "currency", "terms_days", "tax_id", "email", "language",
                    "parent_code")


def upsert_customer(ctx: ServiceContext, rec: CustomerRecord) -> tuple[Customer, bool]:
    """Create the customer or update its master data; returns (row, changed). Unchanged data is a no-op."""
    ctx.require("analyst")
    row = ctx.session.scalar(select(Customer).where(Customer.company_id == ctx.company_id,
                                                    Customer.code == rec.code))
    after = {f: getattr(rec, f) for f in _CUSTOMER_FIELDS}
    if row is None:
        row = Customer(company_id=ctx.company_id, code=rec.code, aliases=list(rec.aliases), **after)
        ctx.session.add(row)
        ctx.session.flush()
        changed, before = True, None
    else:
        before = {f: getattr(row, f) for f in _CUSTOMER_FIELDS}
        changed = before != after
        for f, v in after.items():
            setattr(row, f, v)
        new_aliases = sorted(set(row.aliases or ()) | set(rec.aliases))
        if new_aliases != sorted(row.aliases or ()):
            row.aliases, changed = new_aliases, True
    known = set(customer_ibans(ctx, row.id))
    for iban in rec.ibans:
        if iban not in known:
            ctx.session.add(CustomerAccount(company_id=ctx.company_id, customer_id=row.id, iban=iban))
            changed = True
    if changed:
        ctx.audit("customer.upsert", "customer", rec.code, before=before,
                  after={**after, "ibans": list(rec.ibans)})
    return row, changed


def add_alias(ctx: ServiceContext, code: str, alias: str, reason: str) -> None:
    row = get_customer(ctx, code)
    if alias not in (row.aliases or []):
        row.aliases = [*(row.aliases or []), alias]
        ctx.audit("customer.alias", "customer", code, reason=reason, after={"alias": alias})


def list_customers(ctx: ServiceContext, *, search: str | None = None, country: str | None = None,
                   sector: str | None = None, currency: str | None = None,
                   limit: int = 50, offset: int = 0) -> tuple[list[Customer], int]:
    q = select(Customer).where(Customer.company_id == ctx.company_id)
    if search:
        like = f"%{search}%"
        q = q.where(Customer.name.ilike(like) | Customer.code.ilike(like))
    if country:
        q = q.where(Customer.country == country.upper())
    if sector:
        q = q.where(Customer.sector == sector)
    if currency:
        q = q.where(Customer.currency == currency.upper())
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = list(ctx.session.scalars(q.order_by(Customer.code).limit(limit).offset(offset)))
    return rows, total


# ---------------------------------------------------------------- documents and payments

def add_invoice(ctx: ServiceContext, rec: InvoiceRecord, batch_id: int | None = None) -> Invoice | None:
    """Record an invoice or credit note once. The same document again is a no-op (returns None);
    the same number with other content is a Conflict: corrections are credit notes, not edits."""
    ctx.require("analyst")
    customer = get_customer(ctx, rec.customer_code)
    existing = ctx.session.scalar(select(Invoice).where(
        Invoice.company_id == ctx.company_id, Invoice.document_type == rec.document_type,
        Invoice.number == rec.number))
    if existing is not None:
        same = (existing.customer_id == customer.id and existing.amount_minor == rec.amount.minor
                and existing.currency == rec.amount.currency and existing.due_date == rec.due_date)
        if same:
            return None
        raise Conflict(f"{rec.document_type} {rec.number} exists with other content; issue a credit note "
                       "to correct it", code="document_conflict")
    opening = rec.open_amount if rec.open_amount is not None else rec.amount
    row = Invoice(company_id=ctx.company_id, customer_id=customer.id, number=rec.number,
                  document_type=rec.document_type, issue_date=rec.issue_date, due_date=rec.due_date,
                  currency=rec.amount.currency, amount_minor=rec.amount.minor, open_minor=opening.minor,
                  payment_reference=rec.payment_reference, order_number=rec.order_number, batch_id=batch_id)
    ctx.session.add(row)
    ctx.session.flush()
    reports.add_daily_sales(ctx, {(row.currency, rec.issue_date): [rec.amount.minor, 1]})
    settled = rec.amount.minor - opening.minor
    if settled:
        ctx.session.add(Adjustment(company_id=ctx.company_id, invoice_id=row.id, kind="opening_settlement",
                                   amount_minor=settled, currency=row.currency, effective_on=rec.issue_date,
                                   reason="settled before import"))
    publish(ctx, "ledger.invoice", rec.customer_code, {"number": rec.number, "type": rec.document_type})
    return row


def add_payment(ctx: ServiceContext, rec: PaymentRecord, *, source: str = "manual",
                batch_id: int | None = None) -> Payment | None:
    """Record a payment once (by external id); then apply it to the invoices it names, oldest first."""
    ctx.require("analyst")
    customer = get_customer(ctx, rec.customer_code) if rec.customer_code else None
    existing = ctx.session.scalar(select(Payment).where(Payment.company_id == ctx.company_id,
                                                        Payment.external_id == rec.external_id))
    if existing is not None:
        if existing.amount_minor == rec.amount.minor and existing.currency == rec.amount.currency:
            return None
        raise Conflict(f"payment {rec.external_id} exists with another amount", code="payment_conflict")
    row = Payment(company_id=ctx.company_id, external_id=rec.external_id,
                  customer_id=customer.id if customer else None, received_on=rec.received_on,
                  currency=rec.amount.currency, amount_minor=rec.amount.minor,
                  unapplied_minor=rec.amount.minor, reference=rec.reference, source=source, batch_id=batch_id)
    ctx.session.add(row)
    ctx.session.flush()
    for number in rec.invoice_numbers:
        inv = find_invoice(ctx, number)
        if inv is None or row.unapplied_minor <= 0 or inv.currency != row.currency:
            continue
        if customer is not None and inv.customer_id != customer.id:
            continue
        amount = min(row.unapplied_minor, max(inv.open_minor, 0))
        if amount > 0:
            allocate(ctx, row.id, inv.id, Money.from_minor(amount, row.currency), rec.received_on, source=source)
    publish(ctx, "ledger.payment", rec.customer_code or None, {"external_id": rec.external_id})
    return row


def find_invoice(ctx: ServiceContext, number: str, document_type: str = "invoice") -> Invoice | None:
    return ctx.session.scalar(select(Invoice).where(
        Invoice.company_id == ctx.company_id, Invoice.document_type == document_type, Invoice.number == number))


def allocate(ctx: ServiceContext, payment_id: int, invoice_id: int, amount: Money, on: date, *,
             source: str = "manual", reason: str | None = None) -> Allocation:
    """Apply part of a payment to an invoice, never beyond what is unapplied or open."""
    ctx.require("analyst")
    if amount.minor <= 0:
        raise ValidationError("an allocation must be positive; reverse one to undo it", code="bad_allocation")
    payment = ctx.session.scalar(select(Payment).where(
        Payment.company_id == ctx.company_id, Payment.id == payment_id).with_for_update())
    invoice = ctx.session.scalar(select(Invoice).where(
        Invoice.company_id == ctx.company_id, Invoice.id == invoice_id).with_for_update())
    if payment is None or invoice is None:
        raise NotFound("payment or invoice not found", code="allocation_target_not_found")
    if payment.currency != invoice.currency or amount.currency != invoice.currency:
        raise ValidationError(f"payment in {payment.currency} cannot settle an invoice in {invoice.currency} "
                              "without a conversion", code="currency_mismatch")
    if amount.minor > payment.unapplied_minor:
        raise Conflict(f"allocation {amount} exceeds the payment's unapplied "
                       f"{Money.from_minor(payment.unapplied_minor, payment.currency)}", code="over_allocation")
    if amount.minor > invoice.open_minor:
        raise Conflict(f"allocation {amount} exceeds invoice {invoice.number}'s open "
                       f"{Money.from_minor(invoice.open_minor, invoice.currency)}", code="over_allocation")
    # Conditional updates: a concurrent writer that slipped past the lock (SQLite) still cannot overdraw.
    done = ctx.session.execute(update(Invoice).where(Invoice.id == invoice.id, Invoice.open_minor >= amount.minor)
                               .values(open_minor=Invoice.open_minor - amount.minor)).rowcount  # type: ignore[attr-defined]
    done &= ctx.session.execute(update(Payment).where(Payment.id == payment.id,
                                                      Payment.unapplied_minor >= amount.minor)
                                .values(unapplied_minor=Payment.unapplied_minor - amount.minor)).rowcount  # type: ignore[attr-defined]
    if not done:
        raise Conflict("concurrent allocation used the amount first", code="over_allocation")
    alloc = Allocation(company_id=ctx.company_id, payment_id=payment.id, invoice_id=invoice.id,
                       amount_minor=amount.minor, currency=amount.currency, allocated_on=on, source=source)
    ctx.session.add(alloc)
    ctx.session.flush()
    ctx.session.refresh(invoice)
    ctx.session.refresh(payment)
    ctx.audit("allocation.create", "invoice", invoice.number, reason=reason,
              after={"payment": payment.external_id, "amount": str(amount.amount), "currency": amount.currency,
                     "source": source})
    publish(ctx, "ledger.allocation", None, {"invoice_id": invoice.id, "customer_id": invoice.customer_id})
    return alloc


def reverse_allocation(ctx: ServiceContext, allocation_id: int, reason: str, on: date | None = None) -> Allocation:
    """Undo an allocation by a reversing fact (negative amount); the original row stays.

    on: the reversal's date; by default the original's date, so that views as of earlier dates treat
    the wrong match as never made. Give today's date to keep past views as they were reported."""
    ctx.require("credit_manager")
    orig = ctx.session.scalar(select(Allocation).where(Allocation.company_id == ctx.company_id,
                                                       Allocation.id == allocation_id).with_for_update())
    if orig is None or orig.amount_minor <= 0:
        raise NotFound("no allocation to reverse", code="allocation_not_found")
    if ctx.session.scalar(select(Allocation.id).where(Allocation.reverses_id == orig.id)):
        raise Conflict("allocation already reversed", code="already_reversed")
    ctx.session.execute(update(Invoice).where(Invoice.id == orig.invoice_id)
                        .values(open_minor=Invoice.open_minor + orig.amount_minor))
    ctx.session.execute(update(Payment).where(Payment.id == orig.payment_id)
                        .values(unapplied_minor=Payment.unapplied_minor + orig.amount_minor))
    rev = Allocation(company_id=ctx.company_id, payment_id=orig.payment_id, invoice_id=orig.invoice_id,
                     amount_minor=-orig.amount_minor, currency=orig.currency,
                     allocated_on=max(on, orig.allocated_on) if on else orig.allocated_on,
                     reverses_id=orig.id, source="reversal")
    ctx.session.add(rev)
    ctx.session.flush()
    ctx.audit("allocation.reverse", "allocation", orig.id, reason=reason)
    return rev


def write_off(ctx: ServiceContext, number: str, amount: Money, on: date, reason: str) -> Adjustment:
    """Write off part or all of an invoice's open amount (a credit manager's decision)."""
    ctx.require("credit_manager")
    inv = ctx.session.scalar(select(Invoice).where(Invoice.company_id == ctx.company_id,
                                                   Invoice.document_type == "invoice",
                                                   Invoice.number == number).with_for_update())
    if inv is None:
        raise NotFound(f"no invoice {number!r}", code="invoice_not_found")
    if amount.currency != inv.currency or not 0 < amount.minor <= inv.open_minor:
        raise ValidationError(f"write-off must be positive, in {inv.currency}, at most the open amount",
                              code="bad_writeoff")
    inv.open_minor -= amount.minor
    adj = Adjustment(company_id=ctx.company_id, invoice_id=inv.id, kind="writeoff", amount_minor=amount.minor,
                     currency=amount.currency, effective_on=on, reason=reason)
    ctx.session.add(adj)
    ctx.session.flush()
    ctx.audit("invoice.writeoff", "invoice", number, reason=reason,
              after={"amount": str(amount.amount), "currency": amount.currency})
    publish(ctx, "ledger.writeoff", None, {"invoice_id": inv.id, "customer_id": inv.customer_id})
    return adj


# ---------------------------------------------------------------- views

def open_items(ctx: ServiceContext, customer_code: str | None = None, as_of: date | None = None,
               limit: int | None = None) -> list[OpenItem]:
    """Documents with a non-zero open amount as of a date (now when as_of is None), oldest due first."""
    cid = get_customer(ctx, customer_code).id if customer_code else None
    return reports.open_items_as_of(ctx, as_of, cid, limit)


# Reports, lists, disputes, payment history, FX, statements and imports live in their own modules; callers
# use them from here.
from arguard.ledger.bulk import import_bytes, import_file, import_records
from arguard.ledger.service_credits import (
    apply_credit_note,
    list_credit_applications,
    reverse_credit_application,
    unapply_credit_note,
)
from arguard.ledger.service_views import (
    add_fx_rate,
    aging_and_dso,
    aging_report,
    base_currency,
    convert,
    customer_detail,
    dso_report,
    dso_series,
    fx_table,
    get_invoice,
    get_payment,
    list_allocations,
    list_fx_rates,
    list_invoices,
    list_payments,
    payment_history,
    set_dispute,
    statement_of_account,
    verify_projections,
)

__all__ = [
    "add_alias",
    "add_fx_rate",
    "add_invoice",
    "add_payment",
    "aging_and_dso",
    "aging_report",
    "allocate",
    "apply_credit_note",
    "base_currency",
    "convert",
    "customer_detail",
    "customer_ibans",
    "customer_ibans_of",
    "customer_record",
    "dso_report",
    "dso_series",
    "find_invoice",
    "fx_table",
    "get_customer",
    "get_invoice",
    "get_payment",
    "import_bytes",
    "import_file",
    "import_records",
    "list_allocations",
    "list_credit_applications",
    "list_customers",
    "list_fx_rates",
    "list_invoices",
    "list_payments",
    "open_items",
    "payment_history",
    "reverse_allocation",
    "reverse_credit_application",
    "set_dispute",
    "statement_of_account",
    "unapply_credit_note",
    "upsert_customer",
    "verify_projections",
    "write_off",
]


# ---------------------------------------------------------------- added for the dashboard (web engineer)

from arguard.ledger.model import DsoFigures as DsoFiguresT


def customer_countries(ctx: ServiceContext) -> list[str]:
    """The countries the company's customers are in (ISO 3166 alpha-2, sorted): the dashboard's filter."""
    return list(ctx.session.scalars(select(Customer.country).where(Customer.company_id == ctx.company_id)
                                    .distinct().order_by(Customer.country)))


def dso_history(ctx: ServiceContext, dates: Sequence[date], period_days: int = 90) -> list[list[DsoFiguresT]]:
    """`dso_report` at each date (e.g. month-ends for a trend), one list of per-currency figures per date:
    `dso_series`, one pass over the ledger for all the dates."""
    return dso_series(ctx, dates, period_days)


def statement_sender(ctx: ServiceContext) -> str:
    """The company's name, printed as the sender on statements of account."""
    from arguard.platform.interface import company_name

    return company_name(ctx)


__all__ += ["customer_countries", "dso_history", "statement_sender"]
