"""Monitoring tables: events, rule files, alerts, reactions, tasks, webhooks, subscriptions, deliveries,
runs. Events are append-only facts; alerts change only along their lifecycle, each change audited.
Times used for scheduling (next attempt, snooze) are naive UTC so every database compares them alike.
"""

from __future__ import annotations

from datetime import date, datetime

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
)
from sqlalchemy.orm import Mapped, mapped_column

from arguard.db.base import Base, CompanyScoped, utcnow_column


class MonitorEvent(CompanyScoped, Base):
    """A fact about a buyer posted by API or file or published by another capability.
    fingerprint: SHA-256 of (external_id) or of the canonical content, so a re-post is a no-op."""

    __tablename__ = "monitor_events"
    __table_args__ = (UniqueConstraint("company_id", "fingerprint"),
                      Index("ix_monitor_events_company_customer", "company_id", "customer_code"))
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    customer_code: Mapped[str | None] = mapped_column(String(64))
    occurred_on: Mapped[date] = mapped_column(Date)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(32), default="api")
    external_id: Mapped[str | None] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = utcnow_column()


class RuleFile(CompanyScoped, Base):
    """One version of a company's rule file; the highest version is in force, older ones are history."""

    __tablename__ = "monitor_rule_files"
    __table_args__ = (UniqueConstraint("company_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = utcnow_column()


class Alert(CompanyScoped, Base):
    """An alert: open → acknowledged → resolved (with a note). dedupe_key merges repeats of one fact."""

    __tablename__ = "monitor_alerts"
    __table_args__ = (UniqueConstraint("company_id", "dedupe_key"),
                      Index("ix_monitor_alerts_company_status", "company_id", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255))
    rule_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    customer_code: Mapped[str | None] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(255))
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="open")
    first_as_of: Mapped[date] = mapped_column(Date)
    last_as_of: Mapped[date] = mapped_column(Date)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("monitor_events.id"))
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(DateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime())
    resolution_note: Mapped[str | None] = mapped_column(Text)


class Reaction(CompanyScoped, Base):
    """What an alert set in motion (limit review, order hold, collections task), with its cause.
    handler: the capability that took it ('limits', 'monitor'); reference: its id there."""

    __tablename__ = "monitor_reactions"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("monitor_alerts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    customer_code: Mapped[str | None] = mapped_column(String(64))
    handler: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(String(128))
    cause: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = utcnow_column()


class Task(CompanyScoped, Base):
    """A minimal work item (kind 'collections', 'limit_review', 'order_hold') until the capability that
    owns such work takes it over."""

    __tablename__ = "monitor_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    customer_code: Mapped[str | None] = mapped_column(String(64), index=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("monitor_alerts.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = utcnow_column()
    closed_at: Mapped[datetime | None] = mapped_column(DateTime())


class Webhook(CompanyScoped, Base):
    """A receiver of signed alert notifications. event_types: e.g. ['alert.raised'] or ['*']."""

    __tablename__ = "monitor_webhooks"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(1024))
    secret: Mapped[str] = mapped_column(String(255))
    """Kept as given: the HMAC needs it; never returned by the API."""
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_severity: Mapped[str] = mapped_column(String(16), default="info")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = utcnow_column()


class Subscription(CompanyScoped, Base):
    """How a user wants to hear about alerts: channel 'email' (at once) or 'digest' (daily)."""

    __tablename__ = "monitor_subscriptions"
    __table_args__ = (UniqueConstraint("company_id", "user_id", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    min_severity: Mapped[str] = mapped_column(String(16), default="high")
    rule_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Empty: every rule."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Delivery(CompanyScoped, Base):
    """One message to send (webhook POST or e-mail), retried with backoff; `dedupe` makes it unique."""

    __tablename__ = "monitor_deliveries"
    __table_args__ = (UniqueConstraint("company_id", "dedupe"),
                      Index("ix_monitor_deliveries_due", "status", "next_attempt_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("monitor_webhooks.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(1024))
    event_type: Mapped[str] = mapped_column(String(32))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("monitor_alerts.id", ondelete="CASCADE"))
    dedupe: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = utcnow_column()
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime())


class DeliveryAttempt(CompanyScoped, Base):
    """The delivery log: every try, its answer and how long it took."""

    __tablename__ = "monitor_delivery_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("monitor_deliveries.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)


class MonitorRun(CompanyScoped, Base):
    """One evaluation of every rule for a date (CLI, scheduler or API) and what it found."""

    __tablename__ = "monitor_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    trigger: Mapped[str] = mapped_column(String(32))
    buyers: Mapped[int] = mapped_column(Integer, default=0)
    drafts: Mapped[int] = mapped_column(Integer, default=0)
    raised: Mapped[int] = mapped_column(Integer, default=0)
    merged: Mapped[int] = mapped_column(Integer, default=0)
    issues: Mapped[list[str]] = mapped_column(JSON, default=list)
    seconds: Mapped[str] = mapped_column(String(16), default="0")
    started_at: Mapped[datetime] = mapped_column(DateTime())
