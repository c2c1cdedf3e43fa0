"""Collections records: the dunning policy and what a dunning run sees and decides. Pure: no database,
clock, network or files.

Amounts are `Decimal` in a named currency (`Money` where a currency travels with the amount).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arguard.core.money import Money

CHANNELS: tuple[str, ...] = ("email", "letter", "phone", "agency", "legal")
"""How a level reaches the buyer: an e-mail with the letter attached, a printed letter, a call by a
collector, a hand-over to a collection agency, a hand-over to a lawyer."""
HANDOVER_CHANNELS: tuple[str, ...] = ("agency", "legal")
BASES: dict[str, int] = {"act/365": 365, "act/360": 360}
"""Day-count bases of the interest: actual days over 365 (or 360)."""
CLEARING_PARTS: tuple[str, ...] = ("costs", "interest", "principal")
LANGUAGES: tuple[str, ...] = ("en", "zh-CN")


@dataclass(frozen=True, slots=True)
class DunningLevel:
    """One step of the dunning ladder.

    name: stable identifier (`reminder`, `final_notice` …); days_overdue: the level applies from this
    many days after the due date (negative: a friendly reminder before the due date; 0: on the due date);
    channel: one of `CHANNELS`; fee: charged once per action at this level, in the policy currency;
    templates: letter body per language ('en', 'zh-CN'), `$placeholders` filled by the letter renderer."""

    name: str
    days_overdue: int
    channel: str
    fee: Decimal = Decimal(0)
    templates: Mapping[str, str] = field(default_factory=dict)

    @property
    def pre_due(self) -> bool:
        return self.days_overdue <= 0


@dataclass(frozen=True, slots=True)
class StricterLevels:
    """Buyers graded `grade_from`…`grade_to` (1 best … 10 insolvent) reach each level `steps` steps
    earlier: an invoice at level k for others is at level k + steps for them (never past the last)."""

    grade_from: int
    grade_to: int
    steps: int = 1

    def applies(self, grade: int | None) -> bool:
        return grade is not None and self.grade_from <= grade <= self.grade_to


@dataclass(frozen=True, slots=True)
class Sequential:
    """At most one level higher than the buyer's previous action per run, and no new action within
    `min_gap_days` of the previous one."""

    min_gap_days: int = 0


@dataclass(frozen=True, slots=True)
class DunningPolicy:
    """The company's dunning policy (loaded from YAML, see docs/formats.md).

    currency: currency of fees, compensation and `min_overdue_amount`; levels: ordered by days_overdue;
    interest_rate_pct / interest_basis: simple late-payment interest (None: none charged);
    compensation_per_invoice: fixed recovery cost per overdue invoice (EU 2011/7/EU: EUR 40);
    clearing_order: what a recovery in a case pays first (costs, interest, principal by default, as BGB
    §367 and most EU laws say); stricter: grade-dependent earlier levels; sequential: None = jump
    straight to the level the days overdue say."""

    name: str
    currency: str
    min_overdue_amount: Decimal
    levels: tuple[DunningLevel, ...]
    interest_rate_pct: Decimal | None = None
    interest_basis: str = "act/365"
    compensation_per_invoice: Decimal = Decimal(0)
    clearing_order: tuple[str, ...] = CLEARING_PARTS
    stricter: tuple[StricterLevels, ...] = ()
    sequential: Sequential | None = None

    def level(self, name: str) -> DunningLevel:
        for lv in self.levels:
            if lv.name == name:
                return lv
        raise KeyError(name)

    def index(self, name: str) -> int:
        return [lv.name for lv in self.levels].index(name)


@dataclass(frozen=True, slots=True)
class DunningItem:
    """An open document of a buyer as it stood on the run date.

    amount: as issued (credit notes negative); open: still open on the run date; reductions: every
    dated change of the open amount up to the run date (payments applied, credit notes applied,
    write-offs; positive = less owed, negative = a reversal), so interest can follow a changing balance;
    disputed: the buyer disputes it (left out of dunning until resolved)."""

    number: str
    customer_code: str
    document_type: str
    issue_date: date
    due_date: date
    amount: Money
    open: Money
    reductions: tuple[tuple[date, Decimal], ...] = ()
    disputed: bool = False

    def days_overdue(self, as_of: date) -> int:
        """N days overdue on as_of: as_of − due date (0 on the due date, negative before)."""
        return (as_of - self.due_date).days


@dataclass(frozen=True, slots=True)
class BuyerFacts:
    """What the run knows about one buyer: its open items as of the run date, its unapplied cash, its
    grade, and its previous dunning action (for the sequential mode)."""

    customer_code: str
    items: tuple[DunningItem, ...]
    unapplied: tuple[Money, ...] = ()
    grade: int | None = None
    previous_level: str | None = None
    previous_on: date | None = None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One overdue (or, for a pre-due reminder, soon due) invoice of an action, with its own level."""

    number: str
    due_date: date
    days_overdue: int
    open: Money
    level: str
    interest: Money


@dataclass(frozen=True, slots=True)
class CreditLine:
    """Credit the buyer holds, netted off what the action asks: an open credit note or unapplied cash."""

    reference: str
    kind: str
    amount: Money


@dataclass(frozen=True, slots=True)
class DunningAction:
    """What the run decides for one buyer. Amounts are in `currency` (the invoices' currency; the base
    currency when the buyer's overdue items are in several). total_due = overdue_total + interest_total
    + fee + compensation − credits_total."""

    customer_code: str
    level: str
    channel: str
    currency: str
    invoices: tuple[InvoiceLine, ...]
    overdue_total: Money
    interest_total: Money
    fee: Money
    compensation: Money
    credits: tuple[CreditLine, ...] = ()

    @property
    def credits_total(self) -> Money:
        return sum((c.amount for c in self.credits), Money.zero(self.currency))

    @property
    def total_due(self) -> Money:
        return self.overdue_total + self.interest_total + self.fee + self.compensation - self.credits_total

    def as_dict(self) -> dict[str, object]:
        """The issue's JSON shape (amounts as strings); `credits` / `credits_total` only when the buyer
        holds credit, `currency` always."""
        out: dict[str, object] = {
            "customer_id": self.customer_code, "level": self.level, "channel": self.channel,
            "currency": self.currency,
            "invoices": [{"invoice_number": i.number, "due_date": i.due_date.isoformat(),
                          "days_overdue": i.days_overdue, "open_amount": str(i.open.amount),
                          "currency": i.open.currency, "level": i.level, "interest": str(i.interest.amount)}
                         for i in self.invoices],
            "overdue_total": str(self.overdue_total.amount), "interest_total": str(self.interest_total.amount),
            "fee": str(self.fee.amount), "compensation": str(self.compensation.amount)}
        if self.credits:
            out["credits"] = [{"reference": c.reference, "kind": c.kind, "amount": str(c.amount.amount)}
                              for c in self.credits]
            out["credits_total"] = str(self.credits_total.amount)
        out["total_due"] = str(self.total_due.amount)
        return out


def action_from_dict(d: Mapping[str, object]) -> DunningAction:
    """Read an action back from its JSON (`DunningAction.as_dict`), e.g. to render a recorded letter."""
    cur = str(d["currency"])

    def m(key: str, source: Mapping[str, object] = d, currency: str = cur) -> Money:
        return Money.of(str(source[key]), currency)

    invoices = tuple(InvoiceLine(str(i["invoice_number"]), date.fromisoformat(str(i["due_date"])),
                                 int(str(i["days_overdue"])), m("open_amount", i, str(i["currency"])), str(i["level"]),
                                 m("interest", i, str(i["currency"])))
                     for i in d["invoices"])  # type: ignore[attr-defined]
    credits = tuple(CreditLine(str(c["reference"]), str(c["kind"]), m("amount", c))
                    for c in d.get("credits") or ())  # type: ignore[attr-defined]
    return DunningAction(str(d["customer_id"]), str(d["level"]), str(d["channel"]), cur, invoices,
                         m("overdue_total"), m("interest_total"), m("fee"), m("compensation"), credits)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A buyer with overdue items and no action, and why (below the minimum, covered by credit,
    sequential gap, every overdue item disputed)."""

    customer_code: str
    reason: str


@dataclass(frozen=True, slots=True)
class DunningResult:
    as_of: date
    policy: str
    actions: tuple[DunningAction, ...]
    skipped: tuple[Skipped, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"as_of": self.as_of.isoformat(), "policy": self.policy,
                "actions": [a.as_dict() for a in self.actions]}


@dataclass(frozen=True, slots=True)
class Clearing:
    """How a recovery was split by the clearing order."""

    costs: Decimal
    interest: Decimal
    principal: Decimal
    surplus: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A buyer on a collector's worklist. value = PD × overdue amount × days overdue of the oldest
    item / 365 (base currency): what a call is worth, higher first."""

    customer_code: str
    name: str
    collector: str | None
    overdue: Money
    oldest_days: int
    pd: Decimal
    pd_known: bool
    grade: int | None
    level: str | None
    value: Money
    open_promises: int = 0

    def explanation(self) -> str:
        pd = f"PD {self.pd * 100:.1f} %" + ("" if self.pd_known else " (not graded: default)")
        return (f"{pd} × overdue {self.overdue.amount:,} {self.overdue.currency} × {self.oldest_days} days "
                f"/ 365 = {self.value.amount:,}")


@dataclass(frozen=True, slots=True)
class DunningStep:
    """One step taken to collect from a buyer, as its history shows it (a claim file, a hand-over).

    on: the day of the step; kind: `dunning` (an action of a recorded dunning run) or `contact` (a call,
    e-mail, visit or letter a collector logged); level: the dunning level (None for a contact); channel:
    email, letter, phone, agency, legal (a contact: its channel); reference: the letter's reference (the
    name of the PDF the buyer received: `level-buyer-date`) or `contact-<id>`; outcome: how it went —
    recorded (letter kept for printing), sent, failed, to_send, queued (call or hand-over), or a contact's
    outcome; amount: what the step asked (total due; None for a contact); invoices: the invoices it named."""

    on: date
    kind: str
    level: str | None
    channel: str
    reference: str
    outcome: str
    amount: Money | None = None
    invoices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PromiseRecord:
    """A promise to pay: made on `made_on` to pay `amount` by `due_on`; status open, kept or broken; paid:
    what the buyer paid towards it when last checked."""

    reference: str
    customer_code: str
    made_on: date
    due_on: date
    amount: Money
    status: str
    paid: Money


@dataclass(frozen=True, slots=True)
class DisputeRecord:
    """A buyer's dispute of an invoice: reason code, status open or resolved, and the resolution."""

    invoice_number: str
    customer_code: str
    reason_code: str
    status: str
    opened_on: date
    resolved_on: date | None = None
    resolution: str | None = None
