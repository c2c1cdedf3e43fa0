"""Reconciliation tables: the company's bank accounts, imported statements and their entries, the
engine's proposals with their applications, what confirmations and rejections taught, residuals left
for collections, and saved column mappings for bank CSV/XLSX exports.

Ledger facts (payments, allocations) are never written here: automatic and confirmed matches are posted
through `arguard.ledger.service`; these rows keep the reconciliation's own record and point at them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from arguard.db.base import Base, CompanyScoped, MoneyMinor, utcnow_column

PROPOSAL_STATUSES = ("auto", "suggested", "confirmed", "rejected", "unmatched")
RESIDUAL_KINDS = ("unapplied_cash", "overpayment", "short_payment", "bank_charges", "fx_difference")


class BankAccount(CompanyScoped, Base):
    """One of the company's own accounts that statements come from (IBAN or bank account number)."""

    __tablename__ = "recon_bank_accounts"
    __table_args__ = (UniqueConstraint("company_id", "account", name="uq_recon_bank_accounts_account"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    owner: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = utcnow_column()


class BankStatement(CompanyScoped, Base):
    """An imported statement. `statement_key` (account, id, sequence, balances) makes re-import a no-op.

    opening_minor / closing_minor: booked balances when reported; balance_ok: opening + booked entries
    = closing (None when a balance is missing); balance_warning: the numbers when it does not add up."""

    __tablename__ = "recon_statements"
    __table_args__ = (
        UniqueConstraint("company_id", "bank_account_id", "statement_key", name="uq_recon_statements_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("recon_bank_accounts.id"), index=True)
    statement_key: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))
    statement_ref: Mapped[str | None] = mapped_column(String(128))
    """The bank's statement id (MT940 :20:, camt Stmt/Id)."""
    sequence: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(512))
    file_sha256: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    opening_minor: Mapped[int | None] = mapped_column(MoneyMinor)
    closing_minor: Mapped[int | None] = mapped_column(MoneyMinor)
    from_date: Mapped[date | None] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    balance_ok: Mapped[bool | None] = mapped_column(Boolean)
    balance_warning: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    """What the import did: entries new/duplicate, auto, suggested, unmatched."""
    actor: Mapped[str] = mapped_column(String(128))
    imported_at: Mapped[datetime] = utcnow_column()


class BankEntry(CompanyScoped, Base):
    """One booking of a statement. `entry_key` is unique per company: the same booking reported again
    (an intraday camt.052 followed by the day's camt.053, an overlapping MT940) is stored once."""

    __tablename__ = "recon_entries"
    __table_args__ = (UniqueConstraint("company_id", "entry_key", name="uq_recon_entries_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("recon_statements.id"), index=True)
    entry_key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    booking_date: Mapped[date | None] = mapped_column(Date)
    value_date: Mapped[date | None] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(8))
    reversal: Mapped[bool] = mapped_column(Boolean, default=False)
    bank_ref: Mapped[str | None] = mapped_column(String(128))
    counterparty: Mapped[str | None] = mapped_column(String(255))
    counterparty_account: Mapped[str | None] = mapped_column(String(64))
    remittance: Mapped[str | None] = mapped_column(Text)


class Proposal(CompanyScoped, Base):
    """What the engine proposed for one payment (an entry, or one transaction of a batch entry).

    status: auto (applied at import) | suggested (waits for a credit manager) | confirmed | rejected |
    unmatched. confidence: 0..1; reasons: the evidence in words. payment_id: the ledger payment the
    money was booked as (auto, confirmed, or cash on a known customer's account), else None.
    residual_minor / residual_kind: what the payment left unapplied; shortfalls: [[invoice, amount, kind]]."""

    __tablename__ = "recon_proposals"
    __table_args__ = (Index("ix_recon_proposals_company_status", "company_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("recon_entries.id"), index=True)
    detail_index: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    booked_on: Mapped[date | None] = mapped_column(Date)
    customer_code: Mapped[str | None] = mapped_column(String(64), index=True)
    payer_name: Mapped[str | None] = mapped_column(String(255))
    payer_account: Mapped[str | None] = mapped_column(String(64))
    payer_key: Mapped[str] = mapped_column(String(400))
    remittance: Mapped[str | None] = mapped_column(Text)
    residual_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    residual_kind: Mapped[str] = mapped_column(String(16), default="")
    shortfalls: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    item_currency: Mapped[str | None] = mapped_column(String(3))
    item_amount_minor: Mapped[int | None] = mapped_column(MoneyMinor)
    """The payment in the currency of the items it settles, when that differs (instructed amount)."""
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = utcnow_column()


class ProposalLine(CompanyScoped, Base):
    """One invoice of a proposal and the amount proposed (in the invoice's currency); `applied_minor`
    what was booked in the ledger (allocation_id), which may be less when the invoice was paid meanwhile.

    A credit note the payer deducted is a line too, with a negative amount: `applied_minor` is the credit
    applied (negative) and `credit_applications` the ledger's credit-note applications (their ids), so a
    rejection can reverse them; an invoice line's `applied_minor` is then its cash plus the credit it got."""

    __tablename__ = "recon_proposal_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("recon_proposals.id", ondelete="CASCADE"), index=True)
    invoice_number: Mapped[str] = mapped_column(String(64))
    customer_code: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    applied_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id"))
    credit_applications: Mapped[list[int] | None] = mapped_column(JSON)


class LearnedAlias(CompanyScoped, Base):
    """What a confirmation taught: a payer name (normalised) or account -> customer."""

    __tablename__ = "recon_learned_aliases"
    __table_args__ = (UniqueConstraint("company_id", "kind", "key", name="uq_recon_learned_aliases_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    """'name' or 'account'."""
    key: Mapped[str] = mapped_column(String(255))
    customer_code: Mapped[str] = mapped_column(String(64))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("recon_proposals.id"))
    created_at: Mapped[datetime] = utcnow_column()


class RejectedPair(CompanyScoped, Base):
    """A (payer, invoice) pair a person rejected: the engine never proposes it again."""

    __tablename__ = "recon_rejected_pairs"
    __table_args__ = (UniqueConstraint("company_id", "payer_key", "invoice_number",
                                       name="uq_recon_rejected_pairs_pair"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    payer_key: Mapped[str] = mapped_column(String(400))
    invoice_number: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("recon_proposals.id"))
    created_at: Mapped[datetime] = utcnow_column()


class Residual(CompanyScoped, Base):
    """What a matched (or unmatched) payment left behind, for collections.

    kind: unapplied_cash (money not identified, or a duplicate payment) | overpayment (more than the
    invoices) | short_payment | bank_charges | fx_difference (an invoice left partly open).
    invoice_number: for the short kinds; customer_code when known; payment_id: the ledger payment holding
    unapplied money, when booked."""

    __tablename__ = "recon_residuals"
    __table_args__ = (Index("ix_recon_residuals_company_kind", "company_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("recon_proposals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    customer_code: Mapped[str | None] = mapped_column(String(64))
    invoice_number: Mapped[str | None] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    booked_on: Mapped[date | None] = mapped_column(Date)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    created_at: Mapped[datetime] = utcnow_column()
    resolution: Mapped[str | None] = mapped_column(String(32))
    """How a person settled it: 'written_off', 'applied', 'not_customer' (None: still open)."""
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SavedMapping(CompanyScoped, Base):
    """A named column mapping for one bank's CSV/XLSX export (`ColumnMapping.to_dict()`)."""

    __tablename__ = "recon_column_mappings"
    __table_args__ = (UniqueConstraint("company_id", "name", name="uq_recon_column_mappings_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    mapping: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = utcnow_column()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
