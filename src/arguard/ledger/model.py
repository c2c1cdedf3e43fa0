"""Ledger domain records: frozen, exact, currency-aware. Pure: no database, clock or files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arguard.core.errors import Issue
from arguard.core.money import Money


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A buyer. code: the seller's own customer id; country: ISO 3166 alpha-2; terms_days: default
    payment terms; ibans: accounts it pays from; language: 'zh-CN' or 'en' for its documents."""

    code: str
    name: str
    country: str
    sector: str | None = None
    currency: str | None = None
    terms_days: int | None = None
    tax_id: str | None = None
    email: str | None = None
    language: str = "en"
    ibans: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    parent_code: str | None = None


@dataclass(frozen=True, slots=True)
class InvoiceRecord:
    """An invoice or credit note as issued. amount: signed (credit notes negative);
    open_amount: what was still open when imported (None = all of it)."""

    number: str
    customer_code: str
    issue_date: date
    due_date: date
    amount: Money
    document_type: str = "invoice"
    open_amount: Money | None = None
    payment_reference: str | None = None
    order_number: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """Money received. invoice_numbers: the invoices the payer said it pays (applied in that order)."""

    external_id: str
    customer_code: str
    received_on: date
    amount: Money
    invoice_numbers: tuple[str, ...] = ()
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An invoice or credit note with an open amount as of a date. days_past_due < 0 means not yet due;
    a credit (a credit note, or anything with a negative open amount) is never past due: 0 (rule 15)."""

    number: str
    customer_code: str
    document_type: str
    issue_date: date
    due_date: date
    amount: Money
    open: Money

    def days_past_due(self, as_of: date) -> int:
        if self.document_type == "credit_note" or self.open.amount < 0:
            return 0
        return (as_of - self.due_date).days


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of a statement of account: a document or a payment, with the running balance."""

    on: date
    kind: str
    reference: str
    due_date: date | None
    debit: Money
    credit: Money
    balance: Money


@dataclass(frozen=True, slots=True)
class StatementOfAccount:
    customer: CustomerRecord
    as_of: date
    currency: str
    opening_balance: Money
    lines: tuple[StatementLine, ...]
    closing_balance: Money
    open_items: tuple[OpenItem, ...] = field(default=())


BUCKET_NAMES: tuple[str, ...] = ("current", "1-30", "31-60", "61-90", "91-180", "181-365", ">365")
"""Aging buckets by days past due; `current` is not yet due (≤ 0 days)."""


@dataclass(frozen=True, slots=True)
class AgingRow:
    """Open amounts of one customer (or the total when customer_code is None) in one currency.

    Kept as integer minor units (a report of 20,000 customers stays light); read them as Money through
    `buckets` (one per `BUCKET_NAMES` entry), `total` (their sum: the open balance), `unapplied`
    (payments received and not yet allocated, shown beside the buckets, not inside), `overdue` and `net`.
    items: number of open documents."""

    customer_code: str | None
    currency: str
    bucket_minor: tuple[int, ...]
    unapplied_minor: int
    items: int

    @property
    def buckets(self) -> tuple[Money, ...]:
        return tuple(Money.from_minor(m, self.currency) for m in self.bucket_minor)

    @property
    def total(self) -> Money:
        return Money.from_minor(sum(self.bucket_minor), self.currency)

    @property
    def unapplied(self) -> Money:
        return Money.from_minor(self.unapplied_minor, self.currency)

    @property
    def overdue(self) -> Money:
        return Money.from_minor(sum(self.bucket_minor[1:]), self.currency)

    @property
    def net(self) -> Money:
        """What the customer owes after its unapplied cash."""
        return self.total - self.unapplied

    def as_dict(self) -> dict[str, str | int | None]:
        d: dict[str, str | int | None] = {"customer": self.customer_code, "currency": self.currency}
        d.update({name: str(m.amount) for name, m in zip(BUCKET_NAMES, self.buckets, strict=True)})
        d.update(total=str(self.total.amount), overdue=str(self.overdue.amount),
                 unapplied=str(self.unapplied.amount), items=self.items)
        return d


@dataclass(frozen=True, slots=True)
class AgingReport:
    """Aging as of a date: rows per customer and currency, totals per currency, and (when every
    currency has a rate on or before as_of) the totals converted into `base_currency`."""

    as_of: date
    rows: tuple[AgingRow, ...]
    totals: tuple[AgingRow, ...]
    base_currency: str | None = None
    converted: AgingRow | None = None
    missing_rates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DsoFigures:
    """Collection figures for one currency over the period (as_of − period_days, as_of].

    dso: simple DSO; dso_count_back: count-back DSO; bpdso: best possible DSO; add: average days
    delinquent (dso − bpdso); cei: collection effectiveness index in percent. None when undefined
    (no credit sales in the period, or a zero denominator)."""

    currency: str
    as_of: date
    period_days: int
    closing_ar: Money
    closing_current_ar: Money
    opening_ar: Money
    credit_sales: Money
    dso: Decimal | None
    dso_count_back: Decimal | None
    bpdso: Decimal | None
    add: Decimal | None
    cei: Decimal | None
    customer_code: str | None = None

    def as_dict(self) -> dict[str, str | int | None]:
        def s(v: Decimal | None) -> str | None:
            return None if v is None else str(v)

        return {"customer": self.customer_code, "currency": self.currency, "as_of": self.as_of.isoformat(),
                "period_days": self.period_days, "closing_ar": str(self.closing_ar.amount),
                "closing_current_ar": str(self.closing_current_ar.amount),
                "opening_ar": str(self.opening_ar.amount), "credit_sales": str(self.credit_sales.amount),
                "dso": s(self.dso), "dso_count_back": s(self.dso_count_back), "bpdso": s(self.bpdso),
                "add": s(self.add), "cei": s(self.cei)}


@dataclass(frozen=True, slots=True)
class SettledItem:
    """Part of a payment applied to one document; days_late = payment date − due date (negative: early)."""

    number: str
    due_date: date
    amount: Money
    days_late: int


@dataclass(frozen=True, slots=True)
class PaymentHistoryLine:
    """A payment of a customer with what it settled (as of the report date)."""

    external_id: str
    received_on: date
    amount: Money
    unapplied: Money
    reference: str | None
    settled: tuple[SettledItem, ...]


@dataclass(frozen=True, slots=True)
class CreditApplication:
    """Part of a credit note applied to an invoice of the same customer and currency (or the reversal of
    one: negative amount, `reverses_id` set). `id` is the application's own identifier."""

    id: int
    credit_note_number: str
    invoice_number: str
    customer_code: str
    amount: Money
    applied_on: date
    reverses_id: int | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class CustomerDetail:
    """One buyer with its balances as of a date."""

    customer: CustomerRecord
    as_of: date
    aging: tuple[AgingRow, ...]
    dso: tuple[DsoFigures, ...]
    open_items: int
    disputed_items: int
    last_payment_on: date | None


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did (or, with dry_run, would do).

    rows_read: data rows in the file; inserted: new facts (or customers) written; updated: customers whose
    master data changed; unchanged: rows already in the ledger with the same content (a re-import);
    rejected: rows not imported, each explained in `issues`; warnings: imported rows with a remark
    (e.g. a payment naming an unknown invoice stays unapplied)."""

    kind: str
    source: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    issues: tuple[Issue, ...]
    warnings: tuple[Issue, ...] = ()
    dry_run: bool = False
    batch_id: int | None = None
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.issues

    def as_dict(self) -> dict[str, object]:
        def issue(i: Issue) -> dict[str, object]:
            return {"source": i.source, "line": i.line, "column": i.field, "reason": i.reason}

        return {"kind": self.kind, "source": self.source, "dry_run": self.dry_run, "batch_id": self.batch_id,
                "rows_read": self.rows_read, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected,
                "issues": [issue(i) for i in self.issues], "warnings": [issue(i) for i in self.warnings]}


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """Part of a receipt meant for one invoice: `amount` in the invoice's currency (capped when posted
    at what the invoice still has open and what is left of the receipt)."""

    invoice_number: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Receipt:
    """Money received, to be recorded once (by `external_id`) and applied to the invoices of `lines`.

    customer_code: the payer's customer (None: money not yet known to be a customer's).
    reason: why it is applied this way (written on each allocation's audit entry)."""

    external_id: str
    customer_code: str | None
    received_on: date
    amount: Money
    reference: str | None = None
    lines: tuple[ReceiptLine, ...] = ()
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PostedReceipt:
    """What posting a receipt did: its ledger payment, what is left unapplied, and per line applied
    (invoice number, minor units applied, allocation id) — lines that got nothing are left out."""

    external_id: str
    payment_id: int
    currency: str
    unapplied_minor: int
    applied: tuple[tuple[str, int, int], ...]


# What other capabilities get back from the ledger's commands and look-ups (ledger.interface): the row as it
# stood when the call returned, never the ORM row itself (issue 10: typed interfaces).


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """An invoice or credit note as the ledger holds it: amounts in minor units of `currency`;
    open_minor is what is still open (negative on a credit note with credit left)."""

    id: int
    customer_id: int
    number: str
    document_type: str
    issue_date: date
    due_date: date
    currency: str
    amount_minor: int
    open_minor: int
    disputed: bool


@dataclass(frozen=True, slots=True)
class StoredPayment:
    """A payment as the ledger holds it: unapplied_minor is what is not yet allocated to invoices."""

    id: int
    external_id: str
    customer_id: int | None
    received_on: date
    currency: str
    amount_minor: int
    unapplied_minor: int
    reference: str | None


@dataclass(frozen=True, slots=True)
class StoredAllocation:
    """Part of a payment applied to an invoice (negative amount: a reversal of `reverses_id`)."""

    id: int
    payment_id: int
    invoice_id: int
    amount_minor: int
    currency: str
    allocated_on: date
    reverses_id: int | None


@dataclass(frozen=True, slots=True)
class StoredAdjustment:
    """A change of an invoice's open amount that is not cash (a write-off, …)."""

    id: int
    invoice_id: int
    kind: str
    amount_minor: int
    currency: str
    effective_on: date
    reason: str | None
