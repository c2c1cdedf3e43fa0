"""Ledger tables. Documents and payments are facts: never updated in substance, never deleted.

`open_minor` / `unapplied_minor` are projections kept in the same transaction as the facts that change
them (allocations, adjustments) so that aging over a million items needs no joins; `ledger.service.
verify_projections` recomputes them from the facts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from arguard.db.base import Base, CompanyScoped, MoneyMinor, utcnow_column


class Customer(CompanyScoped, Base):
    """A buyer the company sells to on credit. `code` is the company's own customer id."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("company_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    country: Mapped[str] = mapped_column(String(2))
    sector: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str | None] = mapped_column(String(3))
    terms_days: Mapped[int | None] = mapped_column(Integer)
    tax_id: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), default="en")
    parent_code: Mapped[str | None] = mapped_column(String(64))
    """Code of the group parent, for group exposure."""
    created_at: Mapped[datetime] = utcnow_column()


class CustomerAccount(CompanyScoped, Base):
    """A bank account (IBAN or other account number) the customer pays from."""

    __tablename__ = "customer_accounts"
    __table_args__ = (UniqueConstraint("company_id", "customer_id", "iban"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    iban: Mapped[str] = mapped_column(String(64), index=True)


class ImportBatch(CompanyScoped, Base):
    """One import run (file or API call) and what it did."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_inserted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    """Rows already present with the same content (a re-import)."""
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = utcnow_column()


class Invoice(CompanyScoped, Base):
    """An invoice or credit note. Amounts are signed: a credit note is negative."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("company_id", "document_type", "number"),
        # Covering index of the aging and DSO scans: rows come in (customer, currency) order with every
        # column they read, so a million items are summed without a sort and without touching the table.
        Index("ix_invoices_aging", "company_id", "customer_id", "currency", "due_date", "issue_date", "open_minor",
              "amount_minor"),
        # A buyer's open items with what the order check reads of them (currency, open amount, due date,
        # dispute), so its few open items are read from the index alone, not its whole history.
        Index("ix_invoices_open_items", "company_id", "customer_id", "currency", "due_date", "open_minor", "disputed",
              postgresql_where=text("open_minor <> 0"), sqlite_where=text("open_minor <> 0")),
        Index("ix_invoices_payment_reference", "payment_reference",
              postgresql_where=text("payment_reference IS NOT NULL"),
              sqlite_where=text("payment_reference IS NOT NULL")),
    )
    # The unique key (company_id, document_type, number) already leads with company_id: no index of its own,
    # one index less to maintain on a million-row import.
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    number: Mapped[str] = mapped_column(String(64))
    document_type: Mapped[str] = mapped_column(String(16), default="invoice")
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    open_minor: Mapped[int] = mapped_column(MoneyMinor)
    payment_reference: Mapped[str | None] = mapped_column(String(64))
    """The reference the buyer should quote when paying (indexed where present, for reconciliation)."""
    order_number: Mapped[str | None] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(Integer)
    """The import batch that wrote the document (`import_batches.id`). Deliberately no foreign key: the
    import writes the batch and its rows in one transaction and batches are never deleted, while
    PostgreSQL's per-row check of that key cost about a third of a million-row COPY's time."""
    disputed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """The buyer disputes the invoice (set and cleared by `set_dispute`, each change audited)."""
    created_at: Mapped[datetime] = utcnow_column()


class DailySales(Base):
    """Credit sales per currency and issue day (invoices minus credit notes), kept with the documents in the
    same transaction (documents are append-only, so only an insert changes it). DSO reads a few thousand
    rows of it instead of scanning the documents for sales; `verify_projections` recomputes it."""

    __tablename__ = "ledger_daily_sales"
    __table_args__ = (UniqueConstraint("company_id", "currency", "issue_date"),)
    # The unique key leads with company_id: no index of its own.
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), nullable=False)
    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    issue_date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    documents: Mapped[int] = mapped_column(Integer)


class Payment(CompanyScoped, Base):
    """Money received from a customer. `unapplied_minor` is what no allocation has used yet."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("company_id", "external_id"),
                      Index("ix_payments_company_received", "company_id", "received_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    unapplied_minor: Mapped[int] = mapped_column(MoneyMinor)
    reference: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32), default="import")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    created_at: Mapped[datetime] = utcnow_column()


class Allocation(CompanyScoped, Base):
    """Part of a payment applied to an invoice. A reversal is a new row with the negative amount."""

    __tablename__ = "allocations"
    __table_args__ = (Index("ix_allocations_company_on", "company_id", "allocated_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    allocated_on: Mapped[date] = mapped_column(Date)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id"))
    source: Mapped[str] = mapped_column(String(32), default="manual")
    created_at: Mapped[datetime] = utcnow_column()


class Adjustment(CompanyScoped, Base):
    """A change to an item's open amount that is not cash: write-off, settled before import, or a credit
    note applied to an invoice.

    kind: 'writeoff' | 'opening_settlement' | 'credit_applied'. A reversal is a new row with the negative
    amount. A credit note applied to an invoice is a pair of rows written together: on the invoice
    (+amount: it owes less) and on the credit note (−amount: less credit is left), each naming the other
    document in `counterpart_id`; the invoice's row is the application (its id identifies it).
    """

    __tablename__ = "adjustments"
    __table_args__ = (Index("ix_adjustments_company_on", "company_id", "effective_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("adjustments.id"))
    counterpart_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    """The other document of a credit-note application (the credit note on the invoice's row and back)."""
    created_at: Mapped[datetime] = utcnow_column()


class FxRateRow(CompanyScoped, Base):
    """Units of `quote` per unit of `base` from `valid_on`; the rate is kept as exact decimal text."""

    __tablename__ = "fx_rates"
    __table_args__ = (UniqueConstraint("company_id", "base", "quote", "valid_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    rate: Mapped[str] = mapped_column(String(32))
    valid_on: Mapped[date] = mapped_column(Date)


class LedgerSettings(CompanyScoped, Base):
    """A company's ledger settings (one row; none = the defaults). materiality: open leftovers at most
    `materiality_minor` (base currency) and at most `materiality_share_bp` basis points of the invoice
    are immaterial (ledger/materiality.py)."""

    __tablename__ = "ledger_settings"
    __table_args__ = (UniqueConstraint("company_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    materiality_minor: Mapped[int] = mapped_column(MoneyMinor)
    materiality_currency: Mapped[str] = mapped_column(String(3))
    materiality_share_bp: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime] = utcnow_column()
