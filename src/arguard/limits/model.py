"""Frozen records of credit limits, exposure and the order credit check. Pure: `core` only.

Money is `Money` (Decimal + currency). Every limit, cap and exposure of one company is expressed in the
company's limit currency (its base currency); the service converts other currencies with dated rates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from arguard.core.money import Money

LimitKind = Literal["internal", "insured", "discretionary"]
KINDS: tuple[str, ...] = ("internal", "insured", "discretionary")
"""internal: the seller's own credit decision; insured: granted by a credit insurer (its cover);
discretionary: self-set by the seller within the policy's discretionary maximum (overridden by any
insurer decision)."""

DECISION_STATUSES: tuple[str, ...] = (
    "approved", "partly_approved", "refused", "conditional", "reduced", "cancelled")
"""Answers to a limit request, in the spirit of UN/EDIFACT 4507 (approved, partly approved, not
approved, conditional, reduction, cancellation)."""

SETS_LIMIT: frozenset[str] = frozenset({"approved", "partly_approved", "conditional", "reduced", "cancelled"})
"""Statuses that put an amount in force (a cancellation puts zero in force). A refusal leaves the
limit that was in force as it was."""

Outcome = Literal["release", "shorten_terms", "hold", "require_guarantee", "require_prepayment"]
OUTCOMES: tuple[str, ...] = ("release", "shorten_terms", "hold", "require_guarantee", "require_prepayment")
"""Order check outcomes, from the mildest to the most restrictive; the check answers the most
restrictive outcome any reason asks for."""

RESERVING: frozenset[str] = frozenset({"release", "shorten_terms"})
"""Outcomes that let the order go ahead: it then counts in exposure (it reserves part of the limit)."""

SCOPES: tuple[str, ...] = ("buyer", "country", "sector", "grade", "total", "discretionary")
"""Risk-appetite scopes. buyer: the most any one buyer may have at stake; country/sector/grade: the
most at stake in one country / sector / grade (key = ISO code, sector code, grade; '*' = every one
without its own cap); total: the whole book; discretionary: the most a discretionary limit may be."""


def severity(outcome: str) -> int:
    return OUTCOMES.index(outcome)


@dataclass(frozen=True, slots=True)
class LimitDecision:
    """One recorded answer about a buyer's limit (append-only: a change is a new decision).

    kind: internal / insured / discretionary; status: one of DECISION_STATUSES;
    amount: granted amount (zero for refused/cancelled); requested: what was asked (None if unasked);
    decided_on: date of the decision; effective_from / effective_to: when it is in force (a reduction
    decided today takes effect after the notice period); review_on: when to look at it again;
    cover_stopped: the insurer withdrew cover (insured limits); seq: order of recording.
    """

    kind: str
    status: str
    amount: Money
    decided_on: date
    effective_from: date
    effective_to: date | None = None
    review_on: date | None = None
    requested: Money | None = None
    cover_stopped: bool = False
    conditions: str | None = None
    seq: int = 0

    def sets_limit_on(self, on: date) -> bool:
        return (self.status in SETS_LIMIT and self.effective_from <= on
                and (self.effective_to is None or on <= self.effective_to))


@dataclass(frozen=True, slots=True)
class CreditLine:
    """The limit that governs a buyer on one date.

    amount: the operating limit (None = no limit in force); source: which kind it came from;
    insured: the insurer's cover in force (None = never insured or expired); cover_stopped: an insured
    limit existed and the insurer has cancelled it or stopped cover; review_on: next review date;
    conditions: conditions attached to the governing decision.
    """

    amount: Money | None
    source: str | None
    insured: Money | None = None
    cover_stopped: bool = False
    review_on: date | None = None
    conditions: str | None = None


@dataclass(frozen=True, slots=True)
class Exposure:
    """What the seller has at stake with a buyer (or a group, a country, a sector).

    receivables: open items (invoices less credit notes and payments); shipped: delivered but not yet
    invoiced; orders: accepted orders not yet shipped, with ship date within the horizon.
    """

    receivables: Money
    shipped: Money
    orders: Money

    @property
    def total(self) -> Money:
        return self.receivables + self.shipped + self.orders

    @classmethod
    def zero(cls, currency: str) -> Exposure:
        z = Money.zero(currency)
        return cls(z, z, z)

    def __add__(self, other: Exposure) -> Exposure:
        return Exposure(self.receivables + other.receivables, self.shipped + other.shipped,
                        self.orders + other.orders)


@dataclass(frozen=True, slots=True)
class ScopeUse:
    """One risk-appetite cap and what is already at stake under it (this buyer included).

    unrated_items / unrated_currencies: open items of other buyers in the scope that `used` leaves out
    because no rate into the limit currency is known (then `used` is a floor, and the check says so)."""

    scope: str
    key: str
    cap: Money
    used: Money
    unrated_items: int = 0
    unrated_currencies: tuple[str, ...] = ()

    @property
    def headroom(self) -> Money:
        return self.cap - self.used


@dataclass(frozen=True, slots=True)
class GroupPosition:
    """The group a buyer belongs to: parent code, the group's exposure (all members), its limit."""

    parent_code: str
    exposure: Money
    limit: Money | None


@dataclass(frozen=True, slots=True)
class BuyerSituation:
    """Everything the order check sees about one buyer on `as_of` (the order itself excluded).

    exposure: the buyer's exposure without this order; line: the limit governing the ship date;
    oldest_overdue_days: days past due of the oldest overdue open invoice (0 = none overdue);
    grade / pd: current grade 1…10 and 12-month PD (None = ungraded);
    disputed: open amount under dispute (None = no dispute); in_collections: handed to collections;
    block_reason: an order block set by monitoring or a credit manager (None = not blocked);
    scopes: country/sector caps that apply and their use; group: the buyer's group, if any.
    """

    customer_code: str
    as_of: date
    exposure: Exposure
    line: CreditLine
    oldest_overdue_days: int = 0
    grade: int | None = None
    pd: float | None = None
    disputed: Money | None = None
    in_collections: bool = False
    block_reason: str | None = None
    scopes: tuple[ScopeUse, ...] = ()
    group: GroupPosition | None = None


@dataclass(frozen=True, slots=True)
class CheckPolicy:
    """The company's rules for the order check (defaults are common practice, tune per company).

    overdue_*_days: oldest item overdue more than this → shorten terms / hold / require prepayment;
    grade_*: grade at or above → shorten terms / require guarantee or L/C / require prepayment;
    guarantee_excess_share: an excess over the limit larger than this share of the limit asks for a
    guarantee instead of a review; horizon_days: open orders count in exposure when they ship within
    this many days; notice_days: a limit reduction takes effect this many days after notice;
    scope_snapshot_seconds: country/sector/total caps read the receivables and shipments of the whole
    scope from a snapshot at most this old (released orders are always read live).
    """

    overdue_shorten_days: int = 0
    overdue_hold_days: int = 30
    overdue_prepay_days: int = 90
    grade_shorten: int = 7
    grade_guarantee: int = 8
    grade_prepay: int = 9
    guarantee_excess_share: Decimal = Decimal("0.5")
    horizon_days: int = 90
    notice_days: int = 30
    scope_snapshot_seconds: int = 60

    def as_dict(self) -> dict[str, Any]:
        return {f: (str(v) if isinstance(v := getattr(self, f), Decimal) else v)
                for f in self.__slots__}  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason that applied to an order. code: stable id (`limit.exceeded`); outcome: what this
    reason alone asks for; message: plain words; data: the figures behind it (JSON-able)."""

    code: str
    outcome: str
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The answer for one order: the most restrictive outcome and every reason that applied.

    exposure_after: the buyer's exposure with this order; available: limit − exposure_after
    (None without a limit; negative = over the limit)."""

    outcome: str
    reasons: tuple[Reason, ...]
    exposure_after: Money
    limit: Money | None
    available: Money | None

    @property
    def reserves(self) -> bool:
        return self.outcome in RESERVING


@dataclass(frozen=True, slots=True)
class Appetite:
    """The company's risk appetite: the most it will have at stake per scope (see SCOPES).

    caps: (scope, key) → cap; key '*' is the default for every key without its own cap; the 'total'
    and 'discretionary' scopes use key '*'. currency: the limit currency of every cap.
    """

    currency: str
    caps: Mapping[tuple[str, str], Money] = field(default_factory=dict)

    def cap(self, scope: str, key: str | None) -> Money | None:
        if key is not None and (scope, key) in self.caps:
            return self.caps[(scope, key)]
        return self.caps.get((scope, "*"))


@dataclass(frozen=True, slots=True)
class BuyerProfile:
    """What the limit recommendation knows about a buyer.

    grade / pd: current grade 1…10 and PD (None = ungraded); equity, sales (annual), working_capital
    (current assets − short-term liabilities): from its latest accounts, in the limit currency (None =
    unknown); expected_monthly_sales: what the seller expects to sell it per month; terms_days: the
    payment terms; country_class: OECD country risk class 0…7 (None = unknown).
    """

    code: str
    country: str
    sector: str | None = None
    grade: int | None = None
    pd: float | None = None
    equity: Money | None = None
    sales: Money | None = None
    working_capital: Money | None = None
    expected_monthly_sales: Money | None = None
    terms_days: int = 30
    country_class: int | None = None


@dataclass(frozen=True, slots=True)
class Bound:
    """One rule that limits the recommendation: rule id, the most it allows, why."""

    rule: str
    amount: Money
    explanation: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A recommended limit: the smallest of all bounds (rounded down), the bound that decided it."""

    customer_code: str
    amount: Money
    binding: Bound | None
    bounds: tuple[Bound, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CreditPosition:
    """What limits tells others of a buyer on a date, in the limit currency: the limit in force (None:
    none) and the order parts of its exposure — shipped not yet invoiced, released orders (limits rule
    17). None where it could not be valued (a rate is missing)."""

    customer_code: str
    limit: Money | None
    shipped: Money | None = None
    orders: Money | None = None


@dataclass(frozen=True, slots=True)
class CoverRecord:
    """One insurer (or discretionary) limit request and its decision, as an underwriter reads them.

    request_id / requested_on / requested: the request sent (None: the insurer decided without one, e.g. a
    limit list); decision: the insurer's answer (None: still waiting); reference: the insurer's decision
    reference; reason: the decision's stated reason. Amounts in the limit currency."""

    customer_code: str
    kind: str
    request_id: int | None
    requested_on: date | None
    requested: Money | None
    decision: LimitDecision | None = None
    reference: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class LimitReview:
    """A limit request or review as opened (limits.interface.request_review): id, when, why, and the
    cause that keeps it to one open review per cause (e.g. 'alert:42')."""

    id: int
    customer_code: str
    kind: str
    requested_on: date
    reason: str | None
    cause: str | None


@dataclass(frozen=True, slots=True)
class BuyerCredit:
    """A buyer's credit state after a change through limits.interface: new orders blocked (and why), in
    collections (and why)."""

    customer_code: str
    order_block: bool
    block_reason: str | None
    in_collections: bool
    collections_reason: str | None
