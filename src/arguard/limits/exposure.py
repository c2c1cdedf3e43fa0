"""Which limit is in force on a date, and how exposures add up. Pure: no database, clock or files.

Rules (numbered as in limits/README.md):
2. Per kind, the governing decision on a date is the most recently recorded one that has already taken
   effect; it is in force until its `effective_to`. A later decision supersedes a pending reduction.
3. A refusal changes nothing in force; a cancellation puts zero in force.
4. Any insurer decision overrides the discretionary limit; a discretionary limit never exceeds the
   policy's discretionary maximum.
5. The operating limit is the internal limit when one is in force, else the insured cover, else the
   discretionary limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from arguard.core.money import Money
from arguard.limits.model import SETS_LIMIT, CreditLine, LimitDecision


def governing(decisions: Iterable[LimitDecision], kind: str, on: date) -> LimitDecision | None:
    """The decision of `kind` that governs `on` (it may have expired: check `in_force`)."""
    found: LimitDecision | None = None
    for d in decisions:
        if (d.kind == kind and d.status in SETS_LIMIT and d.effective_from <= on
                and (found is None or d.seq > found.seq)):
            found = d
    return found


def in_force(decision: LimitDecision | None, on: date) -> bool:
    return decision is not None and (decision.effective_to is None or on <= decision.effective_to)


def limit_on(decisions: Iterable[LimitDecision], kind: str, on: date) -> Money | None:
    """The amount of `kind` in force on `on`, or None when none is."""
    d = governing(decisions, kind, on)
    return d.amount if d is not None and in_force(d, on) else None


def credit_line(decisions: Sequence[LimitDecision], on: date, discretionary_cap: Money | None = None,
                ) -> CreditLine:
    """The limit that governs deliveries on `on` (rules 2–5)."""
    internal = governing(decisions, "internal", on)
    insured = governing(decisions, "insured", on)
    insurer_spoke = any(d.kind == "insured" and d.decided_on <= on for d in decisions)
    cover_stopped = insured is not None and (
        insured.cover_stopped or insured.status == "cancelled" or not in_force(insured, on))
    insured_amount = insured.amount if insured is not None and not cover_stopped else None

    cover: Money | None = None
    cover_source: str | None = None
    cover_decision: LimitDecision | None = None
    if insurer_spoke:
        if insured is not None:
            cover = insured_amount if insured_amount is not None else Money.zero(insured.amount.currency)
            cover_source, cover_decision = "insured", insured
    else:
        disc = governing(decisions, "discretionary", on)
        if in_force(disc, on):
            assert disc is not None
            cover = disc.amount if discretionary_cap is None else min(disc.amount, discretionary_cap)
            cover_source, cover_decision = "discretionary", disc

    amount: Money | None = cover
    source: str | None = cover_source
    ruling: LimitDecision | None = cover_decision
    if internal is not None and in_force(internal, on):
        amount, source, ruling = internal.amount, "internal", internal
    return CreditLine(amount=amount, source=source, insured=insured_amount, cover_stopped=cover_stopped,
                      review_on=ruling.review_on if ruling else None,
                      conditions=ruling.conditions if ruling else None)


def order_part(amount_minor: int, limit_minor: int, invoiced_minor: int | None) -> int:
    """What an order still puts at stake, in minor units of the limit currency: its value in the limit
    currency (`limit_minor`, fixed when it was checked) times the share of its amount not yet invoiced
    against it (never negative: over-invoicing is the ledger's). The one home of this rule."""
    amount, limit = int(amount_minor), int(limit_minor)
    rest = max(0, amount - int(invoiced_minor or 0))
    if rest == amount:
        return limit
    return (limit * rest) // amount if amount else 0
