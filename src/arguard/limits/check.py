"""The order credit check: one order against one buyer's situation → one outcome and every reason.

Pure: the service gathers the `BuyerSituation` (under a per-buyer lock) and stores the result.
Each reason says what it alone asks for; the answer is the most restrictive of them (model.OUTCOMES).
Reasons whose outcome is 'release' are notes: they are reported but do not stop the order.
"""

from __future__ import annotations

from arguard.core.money import Money
from arguard.limits.groups import group_limit_flag, group_reason
from arguard.limits.model import BuyerSituation, CheckPolicy, CheckResult, Reason, severity


def _m(money: Money) -> str:
    return str(money.amount)


def limit_reasons(amount: Money, s: BuyerSituation, policy: CheckPolicy) -> list[Reason]:
    line = s.line
    after = s.exposure.total + amount
    out: list[Reason] = []
    if line.amount is None:
        out.append(Reason("limit.none", "hold", f"no credit limit in force for {s.customer_code}",
                          {"exposure_after": _m(after)}))
    else:
        excess = after - line.amount
        if excess.amount > 0:
            big = line.amount.amount == 0 or excess.amount > line.amount.amount * policy.guarantee_excess_share
            out.append(Reason("limit.exceeded", "require_guarantee" if big else "hold",
                              f"limit {line.amount} exceeded by {excess}",
                              {"limit": _m(line.amount), "exposure_after": _m(after), "excess": _m(excess),
                               "limit_kind": line.source}))
        if line.conditions:
            out.append(Reason("limit.conditional", "release", f"limit granted on conditions: {line.conditions}",
                              {"conditions": line.conditions}))
    if line.cover_stopped:
        out.append(Reason("insured.cover_stopped", "require_guarantee",
                          "the credit insurer has stopped cover for this buyer: secure the order otherwise"))
    if line.review_on is not None and line.review_on < s.as_of:
        out.append(Reason("limit.review_overdue", "release", f"limit review was due on {line.review_on}",
                          {"review_on": line.review_on.isoformat()}))
    return out


def behaviour_reasons(s: BuyerSituation, policy: CheckPolicy) -> list[Reason]:
    out: list[Reason] = []
    days = s.oldest_overdue_days
    if days > policy.overdue_shorten_days:
        outcome = ("require_prepayment" if days > policy.overdue_prepay_days
                   else "hold" if days > policy.overdue_hold_days else "shorten_terms")
        out.append(Reason("overdue.oldest", outcome, f"oldest item {days} days overdue", {"days": days}))
    if s.disputed is not None:
        out.append(Reason("buyer.dispute", "hold", f"buyer in dispute over {s.disputed}",
                          {"disputed": _m(s.disputed)}))
    if s.in_collections:
        out.append(Reason("buyer.collections", "require_prepayment", "buyer is in collections"))
    if s.block_reason is not None:
        out.append(Reason("buyer.blocked", "hold", f"new orders blocked: {s.block_reason}",
                          {"block_reason": s.block_reason}))
    return out


def grade_reasons(s: BuyerSituation, policy: CheckPolicy) -> list[Reason]:
    g = s.grade
    if g is None:
        return [Reason("grade.none", "release", "buyer not graded yet")]
    data = {"grade": g, "pd": s.pd}
    if g >= policy.grade_prepay:
        return [Reason("grade.high", "require_prepayment", f"grade {g} ≥ {policy.grade_prepay}", data)]
    if g >= policy.grade_guarantee:
        return [Reason("grade.high", "require_guarantee", f"grade {g} ≥ {policy.grade_guarantee}", data)]
    if g >= policy.grade_shorten:
        return [Reason("grade.weak", "shorten_terms", f"grade {g} ≥ {policy.grade_shorten}", data)]
    return []


def appetite_reasons(amount: Money, s: BuyerSituation) -> list[Reason]:
    out: list[Reason] = []
    for use in s.scopes:
        after = use.used + amount
        where = "whole book" if use.scope == "total" else f"{use.scope} {use.key}"  # the book's key is '*'
        if after.amount > use.cap.amount:
            out.append(Reason(f"appetite.{use.scope}", "hold",
                              f"{where} limit reached: {after} at stake against {use.cap}",
                              {"scope": use.scope, "key": use.key, "cap": _m(use.cap), "after": _m(after),
                               "excess": _m(after - use.cap)}))
        if use.unrated_items:
            currencies = ", ".join(use.unrated_currencies)
            out.append(Reason("rates.missing", "release",
                              f"{where} total excludes {use.unrated_items} open item(s) without a "
                              f"rate into {use.cap.currency} ({currencies}): {use.used} at stake is a floor",
                              {"scope": use.scope, "key": use.key, "items": use.unrated_items,
                               "currencies": currencies}))
    g = s.group
    flag = group_limit_flag(s.customer_code, g.parent_code, s.line.amount, g.limit) if g is not None else None
    if flag is not None:
        out.append(group_reason(flag))
    if g is not None and g.limit is not None and (g.exposure + amount).amount > g.limit.amount:
        out.append(Reason("group.limit_exceeded", "hold",
                          f"group {g.parent_code} limit {g.limit} exceeded by {g.exposure + amount - g.limit}",
                          {"parent": g.parent_code, "limit": _m(g.limit), "after": _m(g.exposure + amount)}))
    return out


def check_order(amount: Money, situation: BuyerSituation, policy: CheckPolicy) -> CheckResult:
    """Decide one order of `amount` (in the limit currency) for the buyer in `situation`."""
    if amount.amount <= 0:
        raise ValueError("an order amount is positive")
    reasons = (limit_reasons(amount, situation, policy) + behaviour_reasons(situation, policy)
               + grade_reasons(situation, policy) + appetite_reasons(amount, situation))
    reasons.sort(key=lambda r: -severity(r.outcome))
    outcome = reasons[0].outcome if reasons else "release"
    after = situation.exposure.total + amount
    limit = situation.line.amount
    return CheckResult(outcome=outcome, reasons=tuple(reasons), exposure_after=after, limit=limit,
                       available=None if limit is None else limit - after)
