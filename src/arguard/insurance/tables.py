"""Credit insurance tables. Policies, notifications, declarations, claims, recoveries and stop-supply flags
of one company. Money: BIGINT minor units + currency. Insured and discretionary limits live in the limits
capability (its decisions), reached through `limits.interface`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from arguard.db.base import Base, CompanyScoped, MoneyMinor, utcnow_column


class InsurancePolicyRow(CompanyScoped, Base):
    """A policy as loaded from its file (`terms`: the normalised file, see insurance.policy.policy_terms).
    Loading the same policy number again replaces its terms (audited with before and after)."""

    __tablename__ = "insurance_policies"
    __table_args__ = (UniqueConstraint("company_id", "policy_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_number: Mapped[str] = mapped_column(String(64))
    insurer: Mapped[str] = mapped_column(String(255))
    currency: Mapped[str] = mapped_column(String(3))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(128))
    loaded_at: Mapped[datetime] = utcnow_column()


class BuyerTag(CompanyScoped, Base):
    """A buyer marked as affiliate, public buyer or private person (for the policy's exclusions)."""

    __tablename__ = "insurance_buyer_tags"
    __table_args__ = (UniqueConstraint("company_id", "customer_code", "tag"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64))
    tag: Mapped[str] = mapped_column(String(32))


class Notification(CompanyScoped, Base):
    """A notification to the insurer: `overdue` (notified_on: sent) or `adverse_event` (event_on: the day
    the seller learned of it; notified_on: sent, None while still to do)."""

    __tablename__ = "insurance_notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_number: Mapped[str] = mapped_column(String(64), index=True)
    customer_code: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    event_on: Mapped[date | None] = mapped_column(Date)
    notified_on: Mapped[date | None] = mapped_column(Date)
    amount_minor: Mapped[int | None] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = utcnow_column()


class Declaration(CompanyScoped, Base):
    """A turnover or overdue declaration for a period: its content as generated from the ledger, and the
    day it was sent (None: not yet)."""

    __tablename__ = "insurance_declarations"
    __table_args__ = (UniqueConstraint("company_id", "policy_number", "kind", "period_start", "period_end"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_number: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    """Turnover declared, or the overdue total declared."""
    premium_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    sent_on: Mapped[date | None] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = utcnow_column()


class Claim(CompanyScoped, Base):
    """A claim on a buyer: cause insolvency / protracted_default / political; status draft → filed →
    under_review → paid | rejected (reason). `terms`: the indemnity computation; `file`: the claim file."""

    __tablename__ = "insurance_claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_number: Mapped[str] = mapped_column(String(64), index=True)
    customer_code: Mapped[str] = mapped_column(String(64), index=True)
    cause: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    opened_on: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    loss_minor: Mapped[int] = mapped_column(MoneyMinor)
    indemnity_minor: Mapped[int] = mapped_column(MoneyMinor)
    first_loss_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    paid_minor: Mapped[int] = mapped_column(MoneyMinor, default=0)
    terms: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    file: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = utcnow_column()


class Recovery(CompanyScoped, Base):
    """Money recovered on a claim after payout, split between insurer and seller."""

    __tablename__ = "insurance_recoveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("insurance_claims.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    insurer_minor: Mapped[int] = mapped_column(MoneyMinor)
    seller_minor: Mapped[int] = mapped_column(MoneyMinor)
    reference: Mapped[str | None] = mapped_column(String(128))
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = utcnow_column()


class StopSupply(CompanyScoped, Base):
    """A buyer on stop supply under a policy since a date (its MEP expired or it was notified); lifted_on
    set when its overdue items were settled."""

    __tablename__ = "insurance_stop_supply"
    __table_args__ = (UniqueConstraint("company_id", "policy_number", "customer_code", "since"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_number: Mapped[str] = mapped_column(String(64))
    customer_code: Mapped[str] = mapped_column(String(64), index=True)
    since: Mapped[date] = mapped_column(Date)
    lifted_on: Mapped[date | None] = mapped_column(Date)
