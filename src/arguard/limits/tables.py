"""Limits tables. Requests and decisions are append-only facts; the order row keeps the latest check of
an order id (its history is in the audit log); the buyer state row is the per-buyer lock of the check.

Money: BIGINT minor units + currency. `limit_minor` on an order is its amount converted to the limit
currency when it was checked, so exposure sums need no rates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from arguard.db.base import Base, CompanyScoped, MoneyMinor, utcnow_column


class LimitPolicy(CompanyScoped, Base):
    """The company's limit currency and check policy (`model.CheckPolicy` fields in `params`)."""

    __tablename__ = "limits_policy"
    __table_args__ = (UniqueConstraint("company_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cost_of_capital: Mapped[str] = mapped_column(String(16), default="0.08")
    updated_at: Mapped[datetime] = utcnow_column()


class AppetiteCap(CompanyScoped, Base):
    """One risk-appetite cap: the most at stake in a scope (buyer/country/sector/grade/total/…) and key."""

    __tablename__ = "limits_appetite"
    __table_args__ = (UniqueConstraint("company_id", "scope", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    max_minor: Mapped[int] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))


class LimitRequest(CompanyScoped, Base):
    """A request for a limit (or a review of one). Decided when a decision names it."""

    __tablename__ = "limits_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int | None] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    requested_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = utcnow_column()


class LimitDecisionRow(CompanyScoped, Base):
    """One limit decision (see `model.LimitDecision`); `inputs` keeps what the decider saw."""

    __tablename__ = "limits_decisions"
    __table_args__ = (Index("ix_limits_decisions_company_customer", "company_id", "customer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("limits_requests.id"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    requested_minor: Mapped[int | None] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    decided_on: Mapped[date] = mapped_column(Date)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    cover_stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    conditions: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = utcnow_column()


class BuyerCreditState(CompanyScoped, Base):
    """Per-buyer credit state, and the row every order check of the buyer locks (`FOR UPDATE`).

    order_block: new orders held (monitoring reaction or credit manager); in_collections: the buyer is
    in collections (set by collections, or by API until that capability exists);
    expected_monthly_minor: what the seller expects to sell the buyer per month (limit currency)."""

    __tablename__ = "limits_buyer_state"
    __table_args__ = (UniqueConstraint("company_id", "customer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    order_block: Mapped[bool] = mapped_column(Boolean, default=False)
    block_reason: Mapped[str | None] = mapped_column(Text)
    in_collections: Mapped[bool] = mapped_column(Boolean, default=False)
    collections_reason: Mapped[str | None] = mapped_column(Text)
    expected_monthly_minor: Mapped[int | None] = mapped_column(MoneyMinor)
    checks: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CreditOrder(CompanyScoped, Base):
    """A sales order as the credit check knows it (one row per order id).

    status: released (reserves exposure) · pending (in the hold queue) · rejected · cancelled ·
    shipped (delivered; counts until invoiced). outcome/reasons: the latest check."""

    __tablename__ = "limits_orders"
    __table_args__ = (UniqueConstraint("company_id", "order_id"),
                      Index("ix_limits_orders_customer_status", "company_id", "customer_id", "status"),
                      Index("ix_limits_orders_released", "company_id", "ship_date",
                            postgresql_where=text("status = 'released'"), sqlite_where=text("status = 'released'")))
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    amount_minor: Mapped[int] = mapped_column(MoneyMinor)
    currency: Mapped[str] = mapped_column(String(3))
    limit_minor: Mapped[int] = mapped_column(MoneyMinor)
    ship_date: Mapped[date] = mapped_column(Date)
    country: Mapped[str | None] = mapped_column(String(2))
    sector: Mapped[str | None] = mapped_column(String(64))
    """The buyer's country and sector when the order was recorded: scope caps sum released orders
    without a join (a buyer's later move of country does not move its open orders)."""
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(24))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """What the check saw: exposure parts, limit, available (limit currency), so a replay answers alike."""
    source: Mapped[str] = mapped_column(String(16), default="check")
    version: Mapped[int] = mapped_column(Integer, default=1)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(128))
    comment: Mapped[str | None] = mapped_column(Text)



class ReleasedByDay(CompanyScoped, Base):
    """What released orders reserve, per scope (country, sector, total), key and ship date (minor units of
    the limit currency). Kept in the same transaction as every change of a released order, so the scope
    caps of the check read a few rows instead of summing the order book (README rule 40)."""

    __tablename__ = "limits_released_by_day"
    __table_args__ = (UniqueConstraint("company_id", "scope", "key", "ship_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    ship_date: Mapped[date] = mapped_column(Date)
    minor: Mapped[int] = mapped_column(MoneyMinor)
