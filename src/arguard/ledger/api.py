"""Ledger routes under /api/v1: customers, invoices, credit notes, payments, allocations, write-offs,
imports, reports, statements, FX rates. Routes are a few lines each; the service does the work and every
query is scoped to the API key's company. viewer reads; analyst imports and creates; credit_manager
writes off and reverses allocations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response

from arguard.api.deps import Analyst, CreditManager, Viewer
from arguard.api.pagination import Page, PageParams, page_params
from arguard.core.errors import NotFound
from arguard.core.money import Money
from arguard.ledger import importer, render, service
from arguard.ledger.api_models import (
    AgingReportRead,
    AgingRowRead,
    AllocationCreate,
    AllocationRead,
    AllocationReverse,
    CreditApplicationRead,
    CreditNoteApply,
    CreditNoteUnapply,
    CustomerCreate,
    CustomerDetailRead,
    CustomerRead,
    DisputeCreate,
    DsoRead,
    FxRateCreate,
    FxRateRead,
    ImportResultRead,
    InvoiceCreate,
    InvoiceRead,
    MoneyRead,
    OpenItemRead,
    PaymentCreate,
    PaymentHistoryRead,
    PaymentRead,
    WriteOffCreate,
)
from arguard.ledger.model import CreditApplication, InvoiceRecord, PaymentRecord
from arguard.ledger.tables import Invoice, Payment
from arguard.platform.context import ServiceContext

router = APIRouter(tags=["ledger"])
Paging = Annotated[PageParams, Depends(page_params)]
AsOf = Annotated[date | None, Query(description="Date of the view (default: today)")]


def _day(as_of: date | None) -> date:
    return as_of or date.today()


def _customer(ctx: ServiceContext, code: str) -> CustomerRead:
    row = service.get_customer(ctx, code)
    return CustomerRead.of(service.customer_record(row, service.customer_ibans(ctx, row.id)))


def _invoice(i: Invoice, code: str) -> InvoiceRead:
    return InvoiceRead(invoice_number=i.number, document_type=i.document_type, customer_id=code,
                       issue_date=i.issue_date, due_date=i.due_date, amount=MoneyRead.minor(i.amount_minor, i.currency),
                       open=MoneyRead.minor(i.open_minor, i.currency), disputed=bool(i.disputed),
                       payment_reference=i.payment_reference, order_number=i.order_number)


def _payment(p: Payment, code: str | None) -> PaymentRead:
    return PaymentRead(payment_id=p.external_id, customer_id=code, date=p.received_on,
                       amount=MoneyRead.minor(p.amount_minor, p.currency),
                       unapplied=MoneyRead.minor(p.unapplied_minor, p.currency), reference=p.reference,
                       source=p.source)


# ---------------------------------------------------------------- customers

@router.get("/customers", response_model=Page[CustomerRead])
def list_customers(ctx: Viewer, page: Paging, search: str | None = None, country: str | None = None,
                   sector: str | None = None, currency: str | None = None) -> Page[CustomerRead]:
    rows, total = service.list_customers(ctx, search=search, country=country, sector=sector, currency=currency,
                                         limit=page.limit, offset=page.offset)
    ibans = service.customer_ibans_of(ctx, [r.id for r in rows])
    return Page(items=[CustomerRead.of(service.customer_record(r, ibans[r.id])) for r in rows], total=total,
                limit=page.limit, offset=page.offset)


@router.post("/customers", response_model=CustomerRead)
def upsert_customer(ctx: Analyst, body: CustomerCreate) -> CustomerRead:
    """Create the customer or update its master data (validated like an imported row)."""
    row = importer.customer_row(0, {"customer_id": body.customer_id, "name": body.name, "country": body.country,
                                    "sector": body.sector, "currency": body.currency, "terms_days": body.terms_days,
                                    "tax_id": body.tax_id, "email": body.email, "language": body.language,
                                    "iban": ";".join(body.ibans), "aliases": ";".join(body.aliases),
                                    "parent_id": body.parent_id})
    service.upsert_customer(ctx, row.record)
    return _customer(ctx, body.customer_id)


@router.get("/customers/{code}", response_model=CustomerRead)
def get_customer(ctx: Viewer, code: str) -> CustomerRead:
    return _customer(ctx, code)


@router.get("/customers/{code}/detail", response_model=CustomerDetailRead)
def customer_detail(ctx: Viewer, code: str, as_of: AsOf = None) -> CustomerDetailRead:
    d = service.customer_detail(ctx, code, _day(as_of))
    return CustomerDetailRead(customer=CustomerRead.of(d.customer), as_of=d.as_of,
                              aging=[AgingRowRead.of(r) for r in d.aging], dso=[DsoRead.of(f) for f in d.dso],
                              open_items=d.open_items, disputed_items=d.disputed_items,
                              last_payment_on=d.last_payment_on)


@router.get("/customers/{code}/open-items", response_model=list[OpenItemRead])
def customer_open_items(ctx: Viewer, code: str, as_of: AsOf = None) -> list[OpenItemRead]:
    day = _day(as_of)
    return [OpenItemRead.of(i, day) for i in service.open_items(ctx, code, day)]


@router.get("/customers/{code}/payments", response_model=list[PaymentHistoryRead])
def customer_payments(ctx: Viewer, code: str, as_of: AsOf = None) -> list[PaymentHistoryRead]:
    return [PaymentHistoryRead.of(h) for h in service.payment_history(ctx, code, _day(as_of))]


@router.get("/customers/{code}/statement", responses={200: {"content": {t: {} for t in render.MEDIA_TYPES.values()}}})
def customer_statement(ctx: Viewer, code: str, as_of: AsOf = None, since: date | None = None,
                       currency: str | None = None,
                       format: Literal["json", "csv", "xlsx", "pdf"] = "json") -> Response:
    """Statement of account as of a date, in the customer's language (zh-CN or en)."""
    statements = service.statement_of_account(ctx, code, _day(as_of), since, currency)
    from arguard.platform.interface import company_name

    data = render.render(statements, format, company_name(ctx))
    headers = {} if format == "json" else {
        "Content-Disposition": f'attachment; filename="statement_{code}_{_day(as_of)}.{format}"'}
    return Response(data, media_type=render.MEDIA_TYPES[format], headers=headers)


# ---------------------------------------------------------------- invoices and credit notes

@router.get("/invoices", response_model=Page[InvoiceRead])
def list_invoices(ctx: Viewer, page: Paging, customer: str | None = None,
                  status: Literal["open", "closed"] | None = None,
                  overdue: bool = Query(False, description="Only open items past due on as_of"), as_of: AsOf = None,
                  due_from: date | None = None, due_to: date | None = None,
                  document_type: Literal["invoice", "credit_note"] | None = None,
                  disputed: bool | None = None) -> Page[InvoiceRead]:
    rows, total = service.list_invoices(ctx, customer_code=customer, status=status,
                                        overdue_as_of=_day(as_of) if overdue else None, due_from=due_from,
                                        due_to=due_to, document_type=document_type, disputed=disputed,
                                        limit=page.limit, offset=page.offset)
    return Page(items=[_invoice(i, c) for i, c in rows], total=total, limit=page.limit, offset=page.offset)


def _add_document(ctx: ServiceContext, body: InvoiceCreate, kind: str) -> InvoiceRead:
    amount = Money.of(body.amount, body.currency)
    open_ = Money.of(body.open_amount, body.currency) if body.open_amount is not None else None
    if kind == "credit_note":
        amount = Money(-abs(amount.amount), amount.currency)
        open_ = Money(-abs(open_.amount), open_.currency) if open_ is not None else None
    (row,) = importer.invoice_rows([InvoiceRecord(body.invoice_number, body.customer_id, body.issue_date,
                                                  body.due_date, amount, kind, open_, body.payment_reference,
                                                  body.order_number)])
    service.add_invoice(ctx, InvoiceRecord(row.number, row.customer_code, row.issue_date, row.due_date,
                                           Money.from_minor(row.amount_minor, row.currency), row.document_type,
                                           Money.from_minor(row.open_minor, row.currency), row.payment_reference,
                                           row.order_number))
    return _invoice(service.get_invoice(ctx, row.number, kind), row.customer_code)


@router.post("/invoices", response_model=InvoiceRead)
def create_invoice(ctx: Analyst, body: InvoiceCreate) -> InvoiceRead:
    """Record an invoice once; the same invoice again is a no-op, other content under its number a 409."""
    return _add_document(ctx, body, "invoice")


@router.post("/credit-notes", response_model=InvoiceRead)
def create_credit_note(ctx: Analyst, body: InvoiceCreate) -> InvoiceRead:
    """Record a credit note (stored negative) — the way to correct an invoice."""
    return _add_document(ctx, body, "credit_note")


@router.get("/invoices/{number}", response_model=InvoiceRead)
def get_invoice(ctx: Viewer, number: str,
                document_type: Literal["invoice", "credit_note"] = "invoice") -> InvoiceRead:
    inv = service.get_invoice(ctx, number, document_type)
    return _invoice(inv, service.reports.customer_codes(ctx, [inv.customer_id])[inv.customer_id])


@router.post("/invoices/{number}/dispute", response_model=InvoiceRead)
def dispute_invoice(ctx: Analyst, number: str, body: DisputeCreate) -> InvoiceRead:
    inv = service.set_dispute(ctx, number, body.disputed, body.reason)
    return _invoice(inv, service.reports.customer_codes(ctx, [inv.customer_id])[inv.customer_id])


@router.post("/write-offs", response_model=InvoiceRead)
def write_off(ctx: CreditManager, body: WriteOffCreate) -> InvoiceRead:
    service.write_off(ctx, body.invoice_number, Money.of(body.amount, body.currency), body.on, body.reason)
    return get_invoice(ctx, body.invoice_number)


# ---------------------------------------------------------------- payments and allocations

@router.get("/payments", response_model=Page[PaymentRead])
def list_payments(ctx: Viewer, page: Paging, customer: str | None = None, received_from: date | None = None,
                  received_to: date | None = None, unapplied: bool = False) -> Page[PaymentRead]:
    rows, total = service.list_payments(ctx, customer_code=customer, received_from=received_from,
                                        received_to=received_to, unapplied_only=unapplied, limit=page.limit,
                                        offset=page.offset)
    return Page(items=[_payment(p, c) for p, c in rows], total=total, limit=page.limit, offset=page.offset)


@router.post("/payments", response_model=PaymentRead)
def create_payment(ctx: Analyst, body: PaymentCreate) -> PaymentRead:
    """Record a payment once; it is applied to the invoices it names, in that order."""
    (row,) = importer.payment_rows([PaymentRecord(body.payment_id, body.customer_id, body.date,
                                                  Money.of(body.amount, body.currency), tuple(body.invoice_numbers),
                                                  body.reference)])
    service.get_customer(ctx, row.customer_code)
    service.add_payment(ctx, PaymentRecord(row.external_id, row.customer_code, row.received_on,
                                           Money.from_minor(row.amount_minor, row.currency), row.invoice_numbers,
                                           row.reference), source="api")
    return get_payment(ctx, row.external_id)


@router.get("/payments/{payment_id}", response_model=PaymentRead)
def get_payment(ctx: Viewer, payment_id: str) -> PaymentRead:
    p = service.get_payment(ctx, payment_id)
    code = service.reports.customer_codes(ctx, [p.customer_id]).get(p.customer_id) if p.customer_id else None
    return _payment(p, code)


def _allocation(a: dict[str, object]) -> AllocationRead:
    return AllocationRead(id=a["id"], invoice_number=a["invoice_number"], payment_id=a["payment_id"],  # type: ignore[arg-type]
                          amount=MoneyRead.of(a["amount"]), allocated_on=a["allocated_on"],  # type: ignore[arg-type]
                          reverses_id=a["reverses_id"], source=a["source"])  # type: ignore[arg-type]


@router.get("/allocations", response_model=list[AllocationRead])
def list_allocations(ctx: Viewer, invoice_number: str | None = None,
                     payment_id: str | None = None) -> list[AllocationRead]:
    return [_allocation(a) for a in service.list_allocations(ctx, invoice_number=invoice_number,
                                                             payment_external_id=payment_id)]


@router.post("/allocations", response_model=AllocationRead)
def create_allocation(ctx: Analyst, body: AllocationCreate) -> AllocationRead:
    """Apply part of a payment to an invoice (never beyond what is unapplied or open: 409)."""
    pay = service.get_payment(ctx, body.payment_id)
    inv = service.get_invoice(ctx, body.invoice_number)
    alloc = service.allocate(ctx, pay.id, inv.id, Money.of(body.amount, body.currency), body.on, source="api",
                             reason=body.reason)
    return _allocation(next(a for a in service.list_allocations(ctx, invoice_number=inv.number)
                            if a["id"] == alloc.id))


@router.post("/allocations/{allocation_id}/reverse", response_model=AllocationRead)
def reverse_allocation(ctx: CreditManager, allocation_id: int, body: AllocationReverse) -> AllocationRead:
    rev = service.reverse_allocation(ctx, allocation_id, body.reason, body.on)
    found = [a for a in service.list_allocations(ctx, limit=100000) if a["id"] == rev.id]
    if not found:
        raise NotFound("reversal not found", code="allocation_not_found")
    return _allocation(found[0])


def _application(a: CreditApplication) -> CreditApplicationRead:
    return CreditApplicationRead(id=a.id, credit_note_number=a.credit_note_number, invoice_number=a.invoice_number,
                                 customer_id=a.customer_code, amount=MoneyRead.of(a.amount), applied_on=a.applied_on,
                                 reverses_id=a.reverses_id, reason=a.reason)


@router.post("/credit-notes/{credit_note_number}/apply", response_model=list[CreditApplicationRead])
def apply_credit_note(ctx: Analyst, credit_note_number: str, body: CreditNoteApply) -> list[CreditApplicationRead]:
    """Apply a credit note to invoices of the same customer and currency (never beyond the credit left or an
    invoice's open amount: 409)."""
    cn = service.get_invoice(ctx, credit_note_number, "credit_note")
    amounts = [Money.of(a, cn.currency) for a in body.amounts] if body.amounts is not None else None
    return [_application(a) for a in service.apply_credit_note(ctx, credit_note_number, body.invoice_numbers,
                                                               body.on, amounts=amounts, reason=body.reason)]


@router.post("/credit-notes/{credit_note_number}/unapply", response_model=list[CreditApplicationRead])
def unapply_credit_note(ctx: CreditManager, credit_note_number: str,
                        body: CreditNoteUnapply) -> list[CreditApplicationRead]:
    """Reverse the credit note's applications to one invoice (reversing facts; the originals stay)."""
    return [_application(a) for a in service.unapply_credit_note(ctx, credit_note_number, body.invoice_number,
                                                                 body.reason, body.on)]


@router.get("/credit-applications", response_model=list[CreditApplicationRead])
def list_credit_applications(ctx: Viewer, invoice_number: str | None = None, credit_note_number: str | None = None,
                             customer: str | None = None) -> list[CreditApplicationRead]:
    return [_application(a) for a in service.list_credit_applications(
        ctx, invoice_number=invoice_number, credit_note_number=credit_note_number, customer_code=customer)]


# ---------------------------------------------------------------- imports, reports, FX

@router.post("/imports/{kind}", response_model=ImportResultRead)
def import_file(ctx: Analyst, kind: Literal["customers", "invoices", "payments"],
                file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX")],
                dry_run: bool = False) -> ImportResultRead:
    """Import a file: counts plus every rejected row (line, column, reason); dry_run validates only."""
    result = service.import_bytes(ctx, kind, file.file.read(), file.filename or f"{kind}.csv", dry_run=dry_run)
    return ImportResultRead.model_validate(result.as_dict())


@router.get("/reports/aging", response_model=AgingReportRead)
def aging(ctx: Viewer, as_of: AsOf = None, customer: str | None = None,
          base_currency: str | None = None) -> AgingReportRead:
    r = service.aging_report(ctx, _day(as_of), customer, base_currency)
    return AgingReportRead(as_of=r.as_of, rows=[AgingRowRead.of(x) for x in r.rows],
                           totals=[AgingRowRead.of(x) for x in r.totals], base_currency=r.base_currency,
                           converted=AgingRowRead.of(r.converted) if r.converted else None,
                           missing_rates=list(r.missing_rates))


@router.get("/reports/dso", response_model=list[DsoRead])
def dso(ctx: Viewer, as_of: AsOf = None, period_days: int = Query(90, ge=1, le=3650),
        customer: str | None = None) -> list[DsoRead]:
    return [DsoRead.of(f) for f in service.dso_report(ctx, _day(as_of), period_days, customer)]


@router.get("/fx-rates", response_model=list[FxRateRead])
def list_fx_rates(ctx: Viewer, base: str | None = None, quote: str | None = None) -> list[FxRateRead]:
    return [FxRateRead(base=r.base, quote=r.quote, rate=str(r.rate), valid_on=r.valid_on)
            for r in service.list_fx_rates(ctx, base, quote)]


@router.post("/fx-rates", response_model=FxRateRead)
def add_fx_rate(ctx: Analyst, body: FxRateCreate) -> FxRateRead:
    r = service.add_fx_rate(ctx, body.base, body.quote, body.rate, body.valid_on)
    return FxRateRead(base=r.base, quote=r.quote, rate=str(r.rate), valid_on=r.valid_on)
