"""Pydantic shapes of the ledger API (`ThingCreate` in, `ThingRead` out). Money is a string amount plus
an ISO 4217 currency, never a float; dates are ISO `YYYY-MM-DD`."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator

from arguard.core.errors import ValidationError
from arguard.core.money import Money, parse_amount
from arguard.ledger.model import AgingRow, CustomerRecord, DsoFigures, OpenItem, PaymentHistoryLine


class MoneyRead(BaseModel):
    amount: str = Field(examples=["1234.50"])
    currency: str = Field(examples=["EUR"])

    @classmethod
    def of(cls, m: Money) -> MoneyRead:
        return cls(amount=str(m.amount), currency=m.currency)

    @classmethod
    def minor(cls, minor: int, currency: str) -> MoneyRead:
        return cls.of(Money.from_minor(minor, currency))


def _amount(v: object) -> str:
    if isinstance(v, float):
        raise ValueError("send amounts as strings (e.g. \"1234.50\"), never as floats")  # noqa: TRY004
    text = str(v).strip()
    try:
        parse_amount(text)  # the one amount rule; the currency's decimals are checked with the record
    except ValidationError as exc:
        raise ValueError(exc.message) from None
    return text


class CustomerCreate(BaseModel):
    customer_id: str = Field(max_length=64)
    name: str = Field(max_length=255)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2")
    sector: str | None = None
    currency: str | None = None
    terms_days: int | None = Field(default=None, ge=0, le=3650)
    tax_id: str | None = None
    email: str | None = None
    language: str | None = Field(default=None, description="zh-CN or en (default by country)")
    ibans: list[str] = []
    aliases: list[str] = []
    parent_id: str | None = None


class CustomerRead(BaseModel):
    customer_id: str
    name: str
    country: str
    sector: str | None
    currency: str | None
    terms_days: int | None
    tax_id: str | None
    email: str | None
    language: str
    ibans: list[str]
    aliases: list[str]
    parent_id: str | None

    @classmethod
    def of(cls, r: CustomerRecord) -> CustomerRead:
        return cls(customer_id=r.code, name=r.name, country=r.country, sector=r.sector, currency=r.currency,
                   terms_days=r.terms_days, tax_id=r.tax_id, email=r.email, language=r.language,
                   ibans=list(r.ibans), aliases=list(r.aliases), parent_id=r.parent_code)


class InvoiceCreate(BaseModel):
    invoice_number: str = Field(max_length=64)
    customer_id: str
    issue_date: date
    due_date: date
    amount: str = Field(description="Decimal string; credit notes may be given positive or negative")
    currency: str
    open_amount: str | None = None
    payment_reference: str | None = None
    order_number: str | None = None

    check_amount = field_validator("amount", "open_amount", mode="before")(lambda v: None if v is None else _amount(v))


class InvoiceRead(BaseModel):
    invoice_number: str
    document_type: str
    customer_id: str
    issue_date: date
    due_date: date
    amount: MoneyRead
    open: MoneyRead
    disputed: bool
    payment_reference: str | None
    order_number: str | None


class DisputeCreate(BaseModel):
    disputed: bool = True
    reason: str = Field(min_length=1)


class WriteOffCreate(BaseModel):
    invoice_number: str
    amount: str
    currency: str
    on: date
    reason: str = Field(min_length=1)

    check_amount = field_validator("amount", mode="before")(_amount)


class PaymentCreate(BaseModel):
    payment_id: str = Field(max_length=128)
    customer_id: str
    date: date
    amount: str
    currency: str
    invoice_numbers: list[str] = Field(default=[], description="Applied in this order, each up to its open amount")
    reference: str | None = None

    check_amount = field_validator("amount", mode="before")(_amount)


class PaymentRead(BaseModel):
    payment_id: str
    customer_id: str | None
    date: date
    amount: MoneyRead
    unapplied: MoneyRead
    reference: str | None
    source: str


class SettledRead(BaseModel):
    invoice_number: str
    due_date: date
    amount: MoneyRead
    days_late: int


class PaymentHistoryRead(BaseModel):
    payment_id: str
    date: date
    amount: MoneyRead
    unapplied: MoneyRead
    reference: str | None
    settled: list[SettledRead]

    @classmethod
    def of(cls, h: PaymentHistoryLine) -> PaymentHistoryRead:
        return cls(payment_id=h.external_id, date=h.received_on, amount=MoneyRead.of(h.amount),
                   unapplied=MoneyRead.of(h.unapplied), reference=h.reference,
                   settled=[SettledRead(invoice_number=s.number, due_date=s.due_date, amount=MoneyRead.of(s.amount),
                                        days_late=s.days_late) for s in h.settled])


class AllocationCreate(BaseModel):
    payment_id: str
    invoice_number: str
    amount: str
    currency: str
    on: date
    reason: str | None = None

    check_amount = field_validator("amount", mode="before")(_amount)


class AllocationReverse(BaseModel):
    reason: str = Field(min_length=1)
    on: date | None = Field(default=None, description="Date of the reversal (default: the allocation's date)")


class CreditNoteApply(BaseModel):
    invoice_numbers: list[str] = Field(min_length=1, description="Invoices of the same customer and currency, "
                                       "settled in this order")
    amounts: list[str] | None = Field(default=None, description="One decimal amount per invoice (default: as "
                                      "much as the credit left and the invoice's open amount allow)")
    on: date
    reason: str | None = None


class CreditNoteUnapply(BaseModel):
    invoice_number: str
    reason: str = Field(min_length=1)
    on: date | None = Field(default=None, description="Date of the reversal (default: the application's date)")


class CreditApplicationRead(BaseModel):
    id: int
    credit_note_number: str
    invoice_number: str
    customer_id: str
    amount: MoneyRead
    applied_on: date
    reverses_id: int | None
    reason: str | None


class AllocationRead(BaseModel):
    id: int
    invoice_number: str
    payment_id: str
    amount: MoneyRead
    allocated_on: date
    reverses_id: int | None
    source: str


class OpenItemRead(BaseModel):
    invoice_number: str
    customer_id: str
    document_type: str
    issue_date: date
    due_date: date
    amount: MoneyRead
    open: MoneyRead
    days_past_due: int

    @classmethod
    def of(cls, i: OpenItem, as_of: date) -> OpenItemRead:
        return cls(invoice_number=i.number, customer_id=i.customer_code, document_type=i.document_type,
                   issue_date=i.issue_date, due_date=i.due_date, amount=MoneyRead.of(i.amount),
                   open=MoneyRead.of(i.open), days_past_due=i.days_past_due(as_of))


class AgingRowRead(BaseModel):
    customer_id: str | None
    currency: str
    buckets: dict[str, str] = Field(description="current, 1-30, 31-60, 61-90, 91-180, 181-365, >365")
    total: str
    overdue: str
    unapplied: str
    items: int

    @classmethod
    def of(cls, r: AgingRow) -> AgingRowRead:
        d = r.as_dict()
        from arguard.ledger.model import BUCKET_NAMES

        return cls(customer_id=r.customer_code, currency=r.currency, buckets={b: str(d[b]) for b in BUCKET_NAMES},
                   total=str(r.total.amount), overdue=str(r.overdue.amount), unapplied=str(r.unapplied.amount),
                   items=r.items)


class AgingReportRead(BaseModel):
    as_of: date
    rows: list[AgingRowRead]
    totals: list[AgingRowRead]
    base_currency: str | None
    converted: AgingRowRead | None
    missing_rates: list[str]


class DsoRead(BaseModel):
    customer_id: str | None
    currency: str
    as_of: date
    period_days: int
    closing_ar: str
    closing_current_ar: str
    opening_ar: str
    credit_sales: str
    dso: str | None
    dso_count_back: str | None
    bpdso: str | None
    add: str | None
    cei: str | None

    @classmethod
    def of(cls, f: DsoFigures) -> DsoRead:
        d = f.as_dict()
        d["customer_id"] = d.pop("customer")
        return cls.model_validate(d)


class CustomerDetailRead(BaseModel):
    customer: CustomerRead
    as_of: date
    aging: list[AgingRowRead]
    dso: list[DsoRead]
    open_items: int
    disputed_items: int
    last_payment_on: date | None


class FxRateCreate(BaseModel):
    base: str
    quote: str
    rate: str = Field(description="Units of quote per one unit of base, as a decimal string")
    valid_on: date

    check_amount = field_validator("rate", mode="before")(_amount)


class FxRateRead(BaseModel):
    base: str
    quote: str
    rate: str
    valid_on: date


class IssueRead(BaseModel):
    source: str
    line: int | None
    column: str | None
    reason: str


class ImportResultRead(BaseModel):
    kind: str
    source: str
    dry_run: bool
    batch_id: int | None
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    issues: list[IssueRead]
    warnings: list[IssueRead]
