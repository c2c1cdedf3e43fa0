"""Frozen records of trade credit insurance: the policy, insured items, cover, obligations, claims.

Pure: `core` only. Money is `Money` (Decimal + currency); the per-invoice records of the obligations
report (`InsuredItem`, `Cover`, `Obligation`) keep integer minor units of the policy currency and are
named tuples — immutable like the frozen dataclasses, and made four times faster, which a report over a
million invoices measures (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from arguard.core.money import Money

DECLARATION_FREQUENCIES: tuple[str, ...] = ("monthly", "quarterly")
BUYER_TAGS: tuple[str, ...] = ("affiliate", "public", "private_person")
"""What a buyer may be tagged as, for the policy's exclusions (affiliates of the seller, public buyers,
private persons)."""
CLAIM_CAUSES: tuple[str, ...] = ("insolvency", "protracted_default", "political")
CLAIM_STATUSES: tuple[str, ...] = ("draft", "filed", "under_review", "paid", "rejected")
NOTIFICATION_KINDS: tuple[str, ...] = ("overdue", "adverse_event")
OBLIGATION_STATUSES: tuple[str, ...] = ("ok", "due_soon", "notified", "missed")


@dataclass(frozen=True, slots=True)
class MaxLiability:
    """The most the insurer pays in one policy year: a fixed `amount`, or `multiple_of_premium` × the
    premium of the year (the larger of the declared premium and the minimum premium)."""

    amount: Money | None = None
    multiple_of_premium: Decimal | None = None

    def cap(self, premium: Money) -> Money:
        if self.amount is not None:
            return self.amount
        assert self.multiple_of_premium is not None
        return premium * self.multiple_of_premium


@dataclass(frozen=True, slots=True)
class PremiumTerms:
    """rate_pct: percent of declared insured turnover; minimum: minimum premium of the policy year;
    declaration: monthly | quarterly; buyer_fee: monitoring fee per insured buyer and declaration period."""

    rate_pct: Decimal
    minimum: Money
    declaration: str
    buyer_fee: Money


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Buyers the policy does not cover: countries (ISO 3166 alpha-2), buyers tagged as affiliates,
    public buyers or private persons (when the flag is true), and buyers named by code."""

    countries: frozenset[str] = frozenset()
    affiliates: bool = True
    public_buyers: bool = False
    private_persons: bool = True
    buyers: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Policy:
    """A trade credit insurance policy (see docs/formats.md, "Credit insurance policy file").

    Periods are counted in days: MEP end = original due date + max_extension_days; the overdue
    notification is due overdue_notification_days after the MEP ends; the claim claim_filing_days after
    the notification (or its deadline); a protracted default is payable waiting_period_days after the
    notification; an insolvency claim insolvency_payout_days after a complete file."""

    policy_number: str
    insurer: str
    currency: str
    start: date
    end: date
    indemnity_commercial_pct: Decimal
    indemnity_political_pct: Decimal
    max_credit_period_days: int
    max_extension_days: int
    overdue_notification_days: int
    adverse_event_notification_days: int
    claim_filing_days: int
    waiting_period_days: int
    insolvency_payout_days: int
    deductible_per_claim: Money
    aggregate_first_loss: Money
    non_qualifying_loss: Money
    max_liability: MaxLiability
    premium: PremiumTerms
    discretionary_max: Money
    discretionary_conditions: tuple[str, ...] = ()
    exclusions: Exclusions = field(default_factory=Exclusions)
    political_countries: frozenset[str] = frozenset()
    """Countries whose losses fall under the political indemnity percentage (optional key)."""

    def zero(self) -> Money:
        return Money.zero(self.currency)

    def covers_delivery_on(self, on: date) -> bool:
        return self.start <= on <= self.end


@dataclass(frozen=True, slots=True)
class InsuredBuyer:
    """What the rules need to know of a buyer. tags: affiliate / public / private_person;
    cover: (from, to or None, minor) spans of the insured (or discretionary) limit in force, in policy
    currency, oldest first — the limit that governs a delivery is the span containing its date;
    notifications: dates of the overdue notifications sent for the buyer, oldest first (each counts for
    the invoices overdue when it was sent);
    adverse_event_on: date the seller learned of an insolvency or other adverse event (None: none);
    adverse_notified_on: date that event was notified to the insurer; claim_filed_on: a claim filed."""

    code: str
    country: str
    tags: frozenset[str] = frozenset()
    cover: tuple[tuple[date, date | None, int], ...] = ()
    notifications: tuple[date, ...] = ()
    adverse_event_on: date | None = None
    adverse_notified_on: date | None = None
    claim_filed_on: date | None = None

    def limit_on(self, on: date) -> int | None:
        """Minor units of the limit in force on a date (None: none)."""
        found: int | None = None
        for start, end, minor in self.cover:
            if start <= on and (end is None or on <= end):
                found = minor
        return found


class InsuredItem(NamedTuple):
    """An open invoice of the ledger as the policy sees it (open amount in policy-currency minor units).
    delivered_on: the invoice date, taken as the delivery date."""

    number: str
    customer_code: str
    delivered_on: date
    due_date: date
    open_minor: int
    disputed: bool = False


class Cover(NamedTuple):
    """Whether an invoice is covered, how much of its open amount, and why not (reason codes, README
    rule 6): covered_minor ≤ open_minor; reasons empty when fully covered."""

    covered: bool
    covered_minor: int
    reasons: tuple[str, ...] = ()


class Obligation(NamedTuple):
    """The policy's deadlines for one overdue invoice delivered in the policy period, as of a date.

    amount_at_stake: the indemnity that a missed deadline loses (covered open amount × indemnity %);
    zero when the invoice has no cover."""

    number: str
    customer_code: str
    delivered_on: date
    due_date: date
    days_overdue: int
    open_minor: int
    mep_end: date
    notification_deadline: date
    notified_on: date | None
    claim_deadline: date
    waiting_period_end: date
    adverse_event_deadline: date | None
    status: str
    cover: Cover
    at_stake_minor: int
    disputed: bool = False
    next_deadline: date | None = None


@dataclass(frozen=True, slots=True)
class ObligationsReport:
    """Every overdue invoice delivered in the policy period, with the buyers whose MEP has expired
    (stop supply: deliveries from the date are not covered)."""

    policy_number: str
    currency: str
    as_of: date
    obligations: tuple[Obligation, ...]
    stop_supply: dict[str, date] = field(default_factory=dict)
    unconverted: dict[str, int] = field(default_factory=dict)
    """Open invoices left out per currency for want of a rate to the policy currency."""


@dataclass(frozen=True, slots=True)
class IndemnityTerm:
    """One line of an indemnity computation: a name, the amount, and how it came about — a message key of
    insurance/messages.py (`insurance.explain.*`) with the figures it names (`values`), written in a
    language by `explain(language)`; `explanation` is the English sentence."""

    name: str
    amount: Money
    key: str
    values: tuple[tuple[str, str], ...] = ()

    def explain(self, language: str = "en") -> str:
        from arguard.insurance.messages import explanation

        return explanation(self.key, dict(self.values), language)

    @property
    def explanation(self) -> str:
        return self.explain("en")


@dataclass(frozen=True, slots=True)
class Indemnity:
    """The indemnity of one claim with every term shown. first_loss_used: how much of the aggregate
    first loss this claim absorbed (the next claim of the year starts from it)."""

    amount: Money
    terms: tuple[IndemnityTerm, ...]
    first_loss_used: Money
    qualifies: bool


@dataclass(frozen=True, slots=True)
class RecoveryShare:
    """A recovery after payout split between insurer and seller (surplus beyond the paid indemnity's
    share goes to the seller)."""

    received: Money
    insurer: Money
    seller: Money


@dataclass(frozen=True, slots=True)
class PremiumDue:
    """The premium of one declaration period."""

    period_start: date
    period_end: date
    turnover: Money
    rate_pct: Decimal
    premium: Money
    buyers: int
    buyer_fees: Money
    total: Money


UNDERWRITING_FLAGS: tuple[str, ...] = ("approved_above_recommendation", "requested_above_recommendation",
                                       "weak_grade_with_cover")
"""Where an insurer's underwriter and the risk engine disagree (`underwriting.disagreements`)."""


@dataclass(frozen=True, slots=True)
class RiskReason:
    """One of the risk engine's top reasons for a buyer's PD: stable code, label in English and 中文, and
    whether it raises or lowers the PD."""

    code: str
    label: str
    label_zh: str
    direction: str


@dataclass(frozen=True, slots=True)
class UnderwritingLine:
    """One insured-limit request or insurer decision beside the risk engine's view of the buyer.

    requested_on / requested: the request sent to the insurer (None: the insurer decided without one);
    status: the insurer's decision (approved, partly_approved, refused, conditional, reduced, cancelled) or
    `pending` while it has not answered; decided: the amount it granted; effective_from / effective_to:
    when that decision is in force; exposure: the buyer's open invoices on the view's date (policy
    currency); cover_now: the insured (or discretionary) limit in force on that date (None: none);
    grade / pd: the buyer's newest grading (None: never graded); recommended: the limits capability's
    recommended limit, decided by `binding_rule` (`binding_explanation`); reasons: the grading's top
    reasons; flags: the disagreements (`UNDERWRITING_FLAGS`)."""

    customer_code: str
    customer_name: str
    request_id: int | None
    requested_on: date | None
    requested: Money | None
    status: str
    decided_on: date | None
    decided: Money | None
    effective_from: date | None
    effective_to: date | None
    conditions: str | None
    reference: str | None
    exposure: Money
    cover_now: Money | None
    grade: int | None
    pd: float | None
    recommended: Money | None
    binding_rule: str | None
    binding_explanation: str | None
    reasons: tuple[RiskReason, ...] = ()
    flags: tuple[str, ...] = ()
