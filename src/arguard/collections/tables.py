"""Collections tables: the policy, dunning runs and their actions (letters, e-mails), tasks, assignments,
contacts, promises, disputes, cases with their costs and recoveries, write-off requests and statements
sent. Every row is company-scoped; buyers are named by their customer code (the ledger's key); money is
BIGINT minor units + currency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from arguard.db.base import Base, CompanyScoped, MoneyMinor, utcnow_column


class CollectionsPolicy(CompanyScoped, Base):
    """The company's dunning policy: the YAML as loaded and its parsed form."""

    __tablename__ = "collections_policy"
    __table_args__ = (UniqueConstraint("company_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = utcnow_column()


class DunningRun(CompanyScoped, Base):
    """One recorded dunning run per date (a second run of the same date answers the first)."""

    __tablename__ = "collections_runs"
    __table_args__ = (UniqueConstraint("company_id", "as_of"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    policy: Mapped[str] = mapped_column(String(64))
    actions: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = utcnow_column()


class DunningActionRow(CompanyScoped, Base):
    """What a run decided for one buyer (`payload`: the action's JSON), its letter and how it went out.

    status: recorded (letter kept), to_send → sent | failed (e-mail), queued (call, hand-over)."""

    __tablename__ = "collections_actions"
    __table_args__ = (Index("ix_collections_actions_customer", "company_id", "customer_code", "as_of"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("collections_runs.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    customer_code: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    overdue_minor: Mapped[int] = mapped_column(MoneyMinor)
    total_due_minor: Mapped[int] = mapped_column(MoneyMinor)
    oldest_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Days overdue of the action's oldest item on the run date (the worklist sorts on it)."""
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    letter: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="recorded")
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CollectionsTask(CompanyScoped, Base):
    """Work for a person: a call, an agency or legal hand-over to prepare, an unconfirmed statement."""

    __tablename__ = "collections_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str | None] = mapped_column(Text)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("collections_actions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = utcnow_column()


class Assignment(CompanyScoped, Base):
    """Which collector works a buyer."""

    __tablename__ = "collections_assignments"
    __table_args__ = (UniqueConstraint("company_id", "customer_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64))
    collector: Mapped[str] = mapped_column(String(128), index=True)
    assigned_by: Mapped[str] = mapped_column(String(128))
    assigned_at: Mapped[datetime] = utcnow_column()


class Contact(CompanyScoped, Base):
    """One contact with a buyer (call, e-mail, visit, letter) and what came of it."""

    __tablename__ = "collections_contacts"
    __table_args__ = (Index("ix_collections_contacts_customer", "company_id", "customer_code", "contacted_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64))
    contacted_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = utcnow_column()


class PromiseRow(CompanyScoped, Base):
    """A promise to pay `amount` by `due_on`; status open → kept | broken (checked against payments)."""

    __tablename__ = "collections_promises"
    __table_args__ = (UniqueConstraint("company_id", "reference"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))
    customer_code: Mapped[str] = mapped_column(String(64), index=True)
    made_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="open")
    paid_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    checked_on: Mapped[date | None] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(128))


class DisputeRow(CompanyScoped, Base):
    """A buyer's dispute of an invoice: reason code, owner, status open → resolved, resolution."""

    __tablename__ = "collections_disputes"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_number: Mapped[str] = mapped_column(String(64), index=True)
    customer_code: Mapped[str] = mapped_column(String(64))
    reason_code: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)


class CaseRow(CompanyScoped, Base):
    """A hand-over to a collection agency or a lawyer: what was claimed, costs, recoveries, status."""

    __tablename__ = "collections_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    handler: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    principal_minor: Mapped[int] = mapped_column(MoneyMinor)
    interest_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    costs_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    invoices: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)


class CaseEntry(CompanyScoped, Base):
    """A cost charged to a case or a recovery, with how the recovery cleared costs, interest, principal."""

    __tablename__ = "collections_case_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("collections_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    entry_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    costs_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    interest_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    principal_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    surplus_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    note: Mapped[str | None] = mapped_column(Text)


class WriteOffRequest(CompanyScoped, Base):
    """A proposed write-off; booked through the ledger when someone else approves it."""

    __tablename__ = "collections_writeoffs"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_number: Mapped[str] = mapped_column(String(64))
    customer_code: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="requested")
    requested_by: Mapped[str] = mapped_column(String(128))
    requested_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_on: Mapped[date | None] = mapped_column(Date)


class StatementSent(CompanyScoped, Base):
    """A statement of account sent to a buyer and its answer: sent → confirmed | objected (or failed)."""

    __tablename__ = "collections_statements"
    __table_args__ = (UniqueConstraint("company_id", "customer_code", "as_of"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(8))
    balances: Mapped[dict[str, str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="sent")
    sent_on: Mapped[date | None] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date)
    answer_note: Mapped[str | None] = mapped_column(Text)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_reminder_on: Mapped[date | None] = mapped_column(Date)
    error: Mapped[str | None] = mapped_column(Text)
