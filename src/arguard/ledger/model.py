"""Ledger domain records: frozen, exact, currency-aware. Pure: no database, clock or files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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
    """An invoice or credit note with an open amount as of a date. days_past_due < 0 means not yet due."""

    number: str
    customer_code: str
    document_type: str
    issue_date: date
    due_date: date
    amount: Money
    open: Money

    def days_past_due(self, as_of: date) -> int:
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
