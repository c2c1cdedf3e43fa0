"""Monitoring records: the facts about one buyer as of a date, rule settings and alert drafts.

Pure: no database, clock, network or files. Amounts in a snapshot are already converted to the
company's base currency (the service converts at the as-of date's rate), so rules compare like with like.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from arguard.core.errors import ValidationError
from arguard.core.money import Money, parse_amount

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
"""From least to most urgent. Delivery settings name a minimum severity."""

STATUSES: tuple[str, ...] = ("open", "acknowledged", "resolved")
REACTIONS: tuple[str, ...] = ("limit_review", "order_hold", "collections_task")

# Event types a user (API, file) may post, with the `details` each one carries; see docs/monitoring.md.
EVENT_TYPES: dict[str, str] = {
    "insolvency.filing": "insolvency proceedings filed or opened: court, case_number, source",
    "legal.action": "a lawsuit or enforcement against the buyer: description, amount, currency, source",
    "payment.default": "a default reported by someone else: amount, currency, creditor, source",
    "news.negative": "adverse news: headline, url, source",
    "rating.changed": "an external credit rating changed: agency, from, to, direction ('down'|'up')",
    "grade.changed": "arguard grade changed: from, to (1 best … 10 insolvent), pd",
    "statement.added": "new financial statements: fiscal_year_end (re-evaluates the buyer)",
    "limit.changed": "credit limit in force: amount, currency (used until the limits capability answers)",
    "insurer.decision": "credit insurer's decision on the buyer's cover: decision (approved, partly_approved, "
                        "reduced, withdrawn, refused, cancelled), amount, currency, previous_amount, "
                        "effective_on, reference",
    "insurance.deadline": "a policy deadline for this buyer: reference, kind (overdue_notification, claim, "
                          "mep_end, declaration), deadline_on, status ('open'|'met')",
    "promise.due": "a promise to pay: promise_id, amount, currency, due_on",
    "promise.broken": "a promise to pay was not kept: promise_id, amount, currency, due_on",
    "country.classification": "a new country risk table (no customer): valid_from, classes {ISO2: 0-7}",
}


def severity_rank(severity: str) -> int:
    if severity not in SEVERITIES:
        raise ValidationError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}",
                              code="invalid_severity")
    return SEVERITIES.index(severity)


@dataclass(frozen=True, slots=True)
class BuyerEvent:
    """A stored event about a buyer. id: the monitor event id (stable, so alerts keyed on it merge)."""

    id: int
    kind: str
    occurred_on: date
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OverdueItem:
    """An open document past its due date as of the snapshot date with a material open amount (leftovers
    within the ledger's materiality tolerance are not overdue items); `open` in base currency."""

    number: str
    due_date: date
    open: Money

    def days_past_due(self, as_of: date) -> int:
        return (as_of - self.due_date).days


@dataclass(frozen=True, slots=True)
class DbtWindow:
    """Payment behaviour in one window ending `ends_on`: amount paid and its amount-weighted average
    days beyond terms (max(0, paid on − due date))."""

    ends_on: date
    paid: Money
    dbt_days: Decimal


@dataclass(frozen=True, slots=True)
class GradeChange:
    event_id: int
    occurred_on: date
    from_grade: int | None
    to_grade: int


@dataclass(frozen=True, slots=True)
class CoverDecision:
    """An insurer's decision on the buyer's cover. amount/previous: the cover after and before."""

    event_id: int
    occurred_on: date
    decision: str
    amount: Money | None
    previous: Money | None
    effective_on: date | None
    reference: str | None


@dataclass(frozen=True, slots=True)
class Promise:
    """A promise to pay `amount` by `due_on`, made on `made_on`; `paid` = payments received from
    `made_on` up to the as-of date (base currency)."""

    event_id: int
    promise_id: str
    made_on: date
    due_on: date
    amount: Money
    paid_by: tuple[tuple[date, Money], ...] = ()

    def paid_until(self, until: date) -> Decimal:
        return sum((m.amount for d, m in self.paid_by if self.made_on <= d <= until), Decimal(0))


@dataclass(frozen=True, slots=True)
class Deadline:
    """A policy deadline (e.g. overdue notification) for the buyer; `met` once it was done."""

    event_id: int
    reference: str
    kind: str
    deadline_on: date
    met: bool = False


@dataclass(frozen=True, slots=True)
class CountryChange:
    """The buyer's country moved from one risk class to another (OECD scale 0 best … 7 worst)."""

    country: str
    from_class: int | None
    to_class: int
    valid_from: date
    event_id: int


@dataclass(frozen=True, slots=True)
class BuyerSnapshot:
    """Everything the rules know about one buyer as of `as_of`, amounts in `currency` (base).

    open_total: receivables open as of the date; shipped / orders: shipped-not-invoiced and released
    orders within the limits horizon (from the limits capability; zero without it); exposure: their sum
    (limits rule 17); limit: the credit limit in force (None = none set); dbt: payment windows oldest first;
    events: external events up to the date (adverse news, insolvency, ratings, broken promises …).
    """

    code: str
    name: str
    country: str
    sector: str | None
    as_of: date
    currency: str
    open_total: Money
    exposure: Money
    limit: Money | None = None
    overdue: tuple[OverdueItem, ...] = ()
    dbt: tuple[DbtWindow, ...] = ()
    grade_changes: tuple[GradeChange, ...] = ()
    cover: tuple[CoverDecision, ...] = ()
    promises: tuple[Promise, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    events: tuple[BuyerEvent, ...] = ()
    country_changes: tuple[CountryChange, ...] = ()
    shipped: Money | None = None
    orders: Money | None = None
    missing_rates: tuple[tuple[str, Money], ...] = ()
    """Open amounts left out of every figure above for want of an exchange rate on or before as_of:
    (currency, open amount in that currency) — itself a reason to alert (rule kind `missing_rate`)."""

    def overdue_total(self, min_days: int = 1) -> Money:
        total = Money.zero(self.currency)
        for item in self.overdue:
            if item.days_past_due(self.as_of) >= min_days:
                total = total + item.open
        return total


@dataclass(frozen=True, slots=True)
class PortfolioSnapshot:
    """Open receivables of the whole company as of a date, by buyer, country and sector (base currency)."""

    as_of: date
    currency: str
    total: Money
    by_dimension: Mapping[str, Mapping[str, Money]]
    """'buyer' | 'country' | 'sector' → value → open amount."""


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """One configured rule. id: unique per company; kind: which rule function; params: its settings."""

    id: str
    kind: str
    severity: str = "medium"
    enabled: bool = True
    reactions: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[RuleConfig, ...]

    def enabled(self) -> tuple[RuleConfig, ...]:
        return tuple(r for r in self.rules if r.enabled)


@dataclass(frozen=True, slots=True)
class AlertDraft:
    """An alert a rule wants raised. dedupe_key: the same fact always gives the same key, so a re-run
    or a duplicate event merges into the existing alert instead of raising a new one.
    evidence: JSON-able facts that raised it (amounts as strings)."""

    rule_id: str
    kind: str
    customer_code: str | None
    severity: str
    dedupe_key: str
    title: str
    evidence: Mapping[str, Any]
    as_of: date
    reactions: tuple[str, ...] = ()
    event_id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as stored (the row's columns, no session). source: the channel it came through."""

    id: int
    kind: str
    customer_code: str | None
    occurred_on: date
    details: Mapping[str, Any]
    source: str
    external_id: str | None


@dataclass(frozen=True, slots=True)
class AlertView:
    """What reactions and deliveries need of a stored alert (the row's columns, no session)."""

    id: int
    dedupe_key: str
    rule_id: str
    kind: str
    customer_code: str | None
    severity: str
    title: str
    evidence: Mapping[str, Any]
    first_as_of: date
    last_as_of: date
    status: str = "open"


ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("acknowledged", "resolved"),
    "acknowledged": ("resolved",),
    "resolved": (),
}


def check_transition(current: str, target: str) -> None:
    """Alerts move open → acknowledged → resolved (open → resolved is allowed); never back."""
    if target not in ALLOWED_TRANSITIONS.get(current, ()):
        raise ValidationError(f"an alert that is {current} cannot become {target}", code="bad_alert_transition")


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An event as posted (API or file). customer_code: the seller's customer id (None only for
    company-wide events such as a country table); external_id: the sender's id, makes re-posts no-ops."""

    type: str
    customer_code: str | None
    occurred_on: date
    details: Mapping[str, Any] = field(default_factory=dict)
    external_id: str | None = None


# details keys each type needs, and which of them are dates / amounts.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "grade.changed": ("to",),
    "limit.changed": ("amount", "currency"),
    "insurer.decision": ("decision",),
    "insurance.deadline": ("deadline_on",),
    "promise.due": ("amount", "currency", "due_on"),
    "country.classification": ("classes",),
}
_DATES = ("deadline_on", "due_on", "effective_on", "valid_from", "fiscal_year_end")
_AMOUNTS = ("amount", "previous_amount")
COVER_DECISIONS = ("approved", "partly_approved", "reduced", "withdrawn", "refused", "cancelled")


MAX_DETAILS_CHARS = 64 * 1024
"""An event's details are facts for rules, not a document store."""


def validate_event(rec: EventRecord) -> list[tuple[str, str]]:
    """Problems with an event as (field, reason); empty when it can be recorded."""
    problems: list[tuple[str, str]] = []
    if rec.type not in EVENT_TYPES:
        return [("type", f"unknown event type {rec.type!r}; types are {', '.join(EVENT_TYPES)}")]
    if rec.type != "country.classification" and not rec.customer_code:
        problems.append(("customer_id", "this event type needs the customer id"))
    d = rec.details
    if len(json.dumps(d, default=str, ensure_ascii=False)) > MAX_DETAILS_CHARS:
        too_large = f"details are larger than {MAX_DETAILS_CHARS // 1024} KiB; send a reference to the document"
        return [("details", too_large)]
    problems += [(f"details.{k}", "required") for k in _REQUIRED.get(rec.type, ()) if d.get(k) in (None, "")]
    for k in _DATES:
        if d.get(k) not in (None, ""):
            try:
                date.fromisoformat(str(d[k]))
            except ValueError:
                problems.append((f"details.{k}", f"{d[k]!r} is not a date (YYYY-MM-DD)"))
    for k in _AMOUNTS:
        if d.get(k) not in (None, ""):
            try:
                if d.get("currency"):
                    Money.of(str(d[k]), str(d["currency"]))
                else:
                    parse_amount(str(d[k]))
            except ValidationError as exc:
                problems.append((f"details.{k}", exc.message))
    for k in ("to", "from"):
        if rec.type == "grade.changed" and d.get(k) is not None and (
                not isinstance(d[k], int) or not 1 <= d[k] <= 10):
            problems.append((f"details.{k}", "a grade is a whole number 1-10"))
    if rec.type == "insurer.decision" and d.get("decision") and str(d["decision"]).lower() not in COVER_DECISIONS:
        problems.append(("details.decision", f"decision is one of {', '.join(COVER_DECISIONS)}"))
    if rec.type == "country.classification" and d.get("classes") is not None:
        classes = d["classes"]
        if not isinstance(classes, dict) or any(
                v is not None and (not isinstance(v, int) or not 0 <= v <= 7) for v in classes.values()):
            problems.append(("details.classes", "classes map ISO country codes to a class 0-7 (or null)"))
    return problems


@dataclass(frozen=True, slots=True)
class TaskView:
    """A follow-up task an alert opened (collections, a call …): its kind, buyer, alert and status."""

    id: int
    kind: str
    customer_code: str | None
    alert_id: int | None
    status: str
    note: str | None
