"""Indemnity, recoveries and premium. Pure: no database, clock or files.

Rules (numbered as in insurance/README.md):
11. Indemnity of a claim, every term shown: the eligible loss is the covered, undisputed open amount
    within the limit in force at delivery (disputed and uncovered amounts are excluded); a loss below the
    non-qualifying loss threshold pays nothing; then the deductible per claim, then what is left of the
    aggregate first loss of the policy year (shared by every claim of the year, in the order filed), are
    taken off; the rest × indemnity % (commercial, or political for a political cause); capped by what
    remains of the maximum liability of the year (a fixed amount, or a multiple of the year's premium —
    at least the minimum premium). Amounts are rounded half to even to the cent (as `Money` does).
12. Recoveries after payout are shared pro rata: the insurer receives indemnity / loss of every amount
    recovered, never more in total than it paid; the rest (and any surplus) goes to the seller.
13. Premium of a declaration period = insured turnover × rate % + per-buyer fee × insured buyers; the
    minimum premium of the year is due in full: the last declaration tops the year up to it.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from arguard.core.money import Money
from arguard.insurance.model import Indemnity, IndemnityTerm, Policy, PremiumDue, RecoveryShare


def _pct_of(m: Money, pct: Decimal) -> Money:
    return m * (pct / 100)


def indemnity(policy: Policy, *, cause: str, covered: Money, excluded: Money, limit: Money | None,
              first_loss_used_before: Money, paid_before: Money, year_premium: Money) -> Indemnity:
    """The indemnity of one claim (rule 11). covered: the covered, undisputed open amount claimed;
    excluded: disputed or uncovered amounts of the buyer left out; limit: the limit in force at delivery
    (None: already applied invoice by invoice); first_loss_used_before / paid_before: absorbed by and paid
    on earlier claims of the policy year; year_premium: the premium of the year (for the cap)."""
    zero = policy.zero()
    terms = [IndemnityTerm("gross_loss", covered + excluded, "insurance.explain.gross_loss"),
             IndemnityTerm("excluded", -excluded, "insurance.explain.excluded")]
    eligible = covered if limit is None else min(covered, limit)
    terms.append(IndemnityTerm("eligible_loss", eligible, "insurance.explain.eligible_loss") if limit is None
                 else IndemnityTerm("eligible_loss", eligible, "insurance.explain.eligible_loss_limit",
                                    (("limit", str(limit.amount)),)))
    if eligible < policy.non_qualifying_loss or eligible.amount <= 0:
        terms.append(IndemnityTerm("non_qualifying_loss", policy.non_qualifying_loss,
                                   "insurance.explain.below_non_qualifying_loss"))
        return Indemnity(zero, tuple(terms), zero, False)
    terms.append(IndemnityTerm("non_qualifying_loss", policy.non_qualifying_loss,
                               "insurance.explain.non_qualifying_loss_reached"))
    deductible = min(policy.deductible_per_claim, eligible)
    after = eligible - deductible
    terms.append(IndemnityTerm("deductible_per_claim", -deductible, "insurance.explain.deductible_per_claim"))
    afl_left = max(policy.aggregate_first_loss - first_loss_used_before, zero)
    afl = min(afl_left, after)
    after = after - afl
    terms.append(IndemnityTerm("aggregate_first_loss", -afl, "insurance.explain.aggregate_first_loss",
                               (("left", str(afl_left.amount)), ("total", str(policy.aggregate_first_loss.amount)))))
    terms.append(IndemnityTerm("insured_loss", after, "insurance.explain.insured_loss"))
    pct = policy.indemnity_political_pct if cause == "political" else policy.indemnity_commercial_pct
    gross = _pct_of(after, pct)
    terms.append(IndemnityTerm("indemnity_pct", gross, "insurance.explain.indemnity_pct", (("pct", str(pct)),)))
    cap = policy.max_liability.cap(max(year_premium, policy.premium.minimum))
    remaining = max(cap - paid_before, zero)
    terms.append(IndemnityTerm("remaining_max_liability", remaining, "insurance.explain.remaining_max_liability",
                               (("cap", str(cap.amount)), ("paid", str(paid_before.amount)))))
    amount = min(gross, remaining)
    terms.append(IndemnityTerm("indemnity", amount, "insurance.explain.capped" if amount < gross
                               else "insurance.explain.payable"))
    return Indemnity(amount, tuple(terms), afl, True)


def share_recovery(received: Money, recovered_before: Money, loss: Money, indemnity_paid: Money) -> RecoveryShare:
    """Split one recovery after payout (rule 12). loss: the claimed loss; indemnity_paid: what the insurer
    paid; recovered_before: earlier recoveries on the same claim."""
    def insurer_total(recovered: Money) -> Money:
        if loss.amount <= 0:
            return Money.zero(loss.currency)
        return min(recovered * (indemnity_paid.amount / loss.amount), indemnity_paid)

    insurer = insurer_total(recovered_before + received) - insurer_total(recovered_before)
    return RecoveryShare(received, insurer, received - insurer)


def declaration_periods(policy: Policy) -> list[tuple[date, date]]:
    """The declaration periods of the policy year: calendar months or quarters, clipped to the period."""
    step = 3 if policy.premium.declaration == "quarterly" else 1
    out: list[tuple[date, date]] = []
    y, m = policy.start.year, policy.start.month
    if step == 3:
        m = 3 * ((m - 1) // 3) + 1
    while date(y, m, 1) <= policy.end:
        ey, em = (y, m + step - 1) if m + step - 1 <= 12 else (y + 1, m + step - 13)
        end = date(ey, em, calendar.monthrange(ey, em)[1])
        out.append((max(date(y, m, 1), policy.start), min(end, policy.end)))
        y, m = (y, m + step) if m + step <= 12 else (y + 1, m + step - 12)
    return out


def premium_due(policy: Policy, period: tuple[date, date], turnover: Money, buyers: int,
                earlier: Sequence[Money] = (), last: bool = False) -> PremiumDue:
    """Premium of one declaration period (rule 13); `earlier`: premiums of the year's earlier periods;
    `last`: the year's last period, which tops the year up to the minimum premium."""
    premium = _pct_of(turnover, policy.premium.rate_pct)
    fees = policy.premium.buyer_fee * buyers
    total = premium + fees
    if last:
        so_far = sum(earlier, policy.zero()) + total
        if so_far < policy.premium.minimum:
            total = total + (policy.premium.minimum - so_far)
    return PremiumDue(period[0], period[1], turnover, policy.premium.rate_pct, premium, buyers, fees, total)
