"""Limits services, second part: limit requests and decisions, buyer credit state, recommendation and
terms advice. Reached through `limits.service`.

Rules (limits/README.md, rules 6–9): every decision states why and records what the decider saw
(exposure, limit in force, recommendation) in the audit log; a reduction or cancellation takes effect
after the policy's notice period unless the insurer stopped cover; a refusal leaves the limit in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from arguard.core.errors import Conflict, NotFound, ValidationError
from arguard.core.money import Money
from arguard.ledger import interface as ledger
from arguard.ledger.interface import CustomerRef
from arguard.limits import sources
from arguard.limits.model import DECISION_STATUSES, KINDS, Appetite, BuyerProfile, CreditLine, Recommendation
from arguard.limits.recommend import recommend_limit
from arguard.limits.service_base import (
    Rates,
    _amount,
    audit,
    buyer_exposure,
    buyer_state,
    customer_by_code,
    exposure_facts,
    get_appetite,
    get_policy,
    line_of,
    scope_customers,
)
from arguard.limits.tables import BuyerCreditState, LimitDecisionRow, LimitRequest
from arguard.limits.terms import TermsAdvice, recommend_terms
from arguard.platform.context import ServiceContext
from arguard.platform.events import publish

# ---------------------------------------------------------------- limit requests and decisions

def request_limit(ctx: ServiceContext, code: str, *, kind: str = "internal", amount: Money | None = None,
                  on: date, reason: str | None = None, cause: str | None = None) -> LimitRequest:
    """Record a request for a limit (amount None = 'review the limit'). Audited."""
    ctx.require("analyst")
    _check_kind(kind)
    customer = customer_by_code(ctx, code)
    currency = get_policy(ctx).currency
    if amount is not None and (amount.currency != currency or amount.amount <= 0):
        raise ValidationError(f"a requested limit is a positive amount in {currency}", code="invalid_amount")
    row = LimitRequest(company_id=ctx.company_id, customer_id=customer.id, kind=kind,
                       amount_minor=None if amount is None else amount.minor, currency=currency, requested_on=on,
                       actor=ctx.actor, reason=reason, cause=cause)
    ctx.session.add(row)
    ctx.session.flush()
    audit(ctx, "limit.request", "customer", code, reason=reason,
          after={"request_id": row.id, "kind": kind, "amount": _amount(amount), "cause": cause})
    return row


def request_review(ctx: ServiceContext, customer_code: str, reason: str, cause: str | None = None,
                   on: date | None = None) -> LimitRequest:
    """Monitoring reaction: open a limit review for the buyer (one open review per cause)."""
    customer = customer_by_code(ctx, customer_code)
    if cause:
        for req in open_requests(ctx, customer_id=customer.id):
            if req.cause == cause:
                return req
    return request_limit(ctx, customer_code, kind="internal", amount=None, reason=reason, cause=cause,
                         on=on or datetime.now(UTC).date())


def open_reviews_by_buyer(ctx: ServiceContext, cause_prefix: str = "") -> dict[str, int]:
    """Buyer code → id of its undecided limit review whose cause starts with `cause_prefix` (monitoring
    asks with 'alert:'); the newest when a buyer has several."""
    pending = {r.customer_id: r.id for r in open_requests(ctx) if str(r.cause or "").startswith(cause_prefix)}
    codes = ledger.customer_codes(ctx, pending)
    return {codes[cid]: rid for cid, rid in pending.items() if cid in codes}


def open_requests(ctx: ServiceContext, customer_id: int | None = None) -> list[LimitRequest]:
    decided = select(LimitDecisionRow.request_id).where(LimitDecisionRow.company_id == ctx.company_id,
                                                       LimitDecisionRow.request_id.is_not(None))
    q = select(LimitRequest).where(LimitRequest.company_id == ctx.company_id, LimitRequest.id.not_in(decided))
    if customer_id is not None:
        q = q.where(LimitRequest.customer_id == customer_id)
    return list(ctx.session.scalars(q.order_by(LimitRequest.id)))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError(f"unknown limit kind {kind!r}; kinds are {', '.join(KINDS)}", code="invalid_kind")


@dataclass(frozen=True)
class DecisionInput:
    """A limit decision as a credit manager (or an insurer's answer) states it."""

    kind: str
    status: str
    amount: Money | None
    reason: str
    effective_from: date | None = None
    effective_to: date | None = None
    review_on: date | None = None
    request_id: int | None = None
    conditions: str | None = None
    reference: str | None = None
    cover_stopped: bool = False


def decide_limit(ctx: ServiceContext, code: str, d: DecisionInput, *, on: date) -> LimitDecisionRow:
    """Record a limit decision with what the decider saw (credit manager; audited).

    A reduction or cancellation takes effect after the policy's notice period unless a date is given;
    a refusal leaves the limit in force as it was."""
    ctx.require("credit_manager")
    _check_kind(d.kind)
    if d.status not in DECISION_STATUSES:
        raise ValidationError(f"unknown decision {d.status!r}; decisions are {', '.join(DECISION_STATUSES)}",
                              code="invalid_decision")
    if not d.reason or not d.reason.strip():
        raise ValidationError("every limit decision states why", code="reason_required")
    customer = customer_by_code(ctx, code)
    policy = get_policy(ctx)
    appetite = get_appetite(ctx)
    zero = Money.zero(policy.currency)
    amount = zero if d.status in ("refused", "cancelled") else d.amount
    if amount is None or amount.currency != policy.currency or amount.amount < 0:
        raise ValidationError(f"a granted limit is an amount in {policy.currency}", code="invalid_amount")
    request = _request_of(ctx, d.request_id, customer.id)
    requested = None if request is None or request.amount_minor is None else Money.from_minor(
        request.amount_minor, request.currency)
    current = line_of(ctx, customer.id, on, appetite)
    _validate_amount(d, amount, requested, current, appetite)
    notice = d.status in ("reduced", "cancelled") and not d.cover_stopped
    effective_from = d.effective_from or (on + timedelta(days=policy.check.notice_days) if notice else on)
    inputs = decision_inputs(ctx, customer, on, current)
    row = LimitDecisionRow(
        company_id=ctx.company_id, customer_id=customer.id, request_id=d.request_id, kind=d.kind, status=d.status,
        amount_minor=amount.minor, requested_minor=None if requested is None else requested.minor,
        currency=policy.currency, decided_on=on, effective_from=effective_from, effective_to=d.effective_to,
        review_on=d.review_on, cover_stopped=d.cover_stopped, conditions=d.conditions, reference=d.reference,
        actor=ctx.actor, reason=d.reason, inputs=inputs)
    ctx.session.add(row)
    ctx.session.flush()
    audit(ctx, "limit.decide", "customer", code, reason=d.reason,
          before={"limit": _amount(current.amount), "kind": current.source},
          after={"decision_id": row.id, "kind": d.kind, "status": d.status, "amount": str(amount.amount),
                 "effective_from": effective_from, "effective_to": d.effective_to, "review_on": d.review_on,
                 "cover_stopped": d.cover_stopped, "conditions": d.conditions, "inputs": inputs})
    publish(ctx, "limits.decision", code, {"kind": d.kind, "status": d.status, "amount": str(amount.amount),
                                           "currency": amount.currency, "effective_from": effective_from.isoformat(),
                                           "cover_stopped": d.cover_stopped})
    return row


def _request_of(ctx: ServiceContext, request_id: int | None, customer_id: int) -> LimitRequest | None:
    if request_id is None:
        return None
    req = ctx.session.get(LimitRequest, request_id)
    if req is None or req.company_id != ctx.company_id or req.customer_id != customer_id:
        raise NotFound(f"no limit request {request_id} for this customer", code="request_not_found")
    done = ctx.session.scalar(select(LimitDecisionRow.id).where(LimitDecisionRow.company_id == ctx.company_id,
                                                                LimitDecisionRow.request_id == request_id))
    if done is not None:
        raise Conflict(f"limit request {request_id} is already decided", code="request_decided")
    return req


def _validate_amount(d: DecisionInput, amount: Money, requested: Money | None, current: CreditLine,
                     appetite: Appetite) -> None:
    if d.status == "partly_approved" and requested is not None and amount >= requested:
        raise ValidationError("a partial approval grants less than was requested", code="invalid_amount")
    if d.status == "reduced" and current.amount is not None and amount >= current.amount:
        raise ValidationError(f"a reduction grants less than the {current.amount} in force", code="invalid_amount")
    cap = appetite.cap("discretionary", "*")
    if d.kind == "discretionary" and cap is not None and amount > cap:
        raise ValidationError(f"a discretionary limit may not exceed the policy's {cap}", code="over_discretion")


def decision_inputs(ctx: ServiceContext, customer: CustomerRef, on: date, current: CreditLine) -> dict[str, Any]:
    """What a decider sees: exposure, limit in force, grade, the recommendation."""
    try:
        exposure = buyer_exposure(ctx, customer.code, on)
        rec = recommend(ctx, customer.code, on)
    except ValidationError as exc:
        return {"error": exc.message}
    return {"exposure": exposure["exposure"], "limit_in_force": _amount(current.amount),
            "oldest_overdue_days": exposure["oldest_overdue_days"], "recommended": str(rec.amount.amount),
            "binding_rule": rec.binding.rule if rec.binding else None}


def limit_history(ctx: ServiceContext, code: str) -> list[LimitDecisionRow]:
    customer = customer_by_code(ctx, code)
    return list(ctx.session.scalars(select(LimitDecisionRow).where(
        LimitDecisionRow.company_id == ctx.company_id, LimitDecisionRow.customer_id == customer.id)
        .order_by(LimitDecisionRow.id)))


# ---------------------------------------------------------------- buyer credit state

def set_order_block(ctx: ServiceContext, customer_code: str, blocked: bool, reason: str,
                    cause: str | None = None) -> BuyerCreditState:
    """Monitoring reaction (or a credit manager): hold every new order of the buyer, or lift the hold."""
    ctx.require("analyst")
    state = buyer_state(ctx, customer_by_code(ctx, customer_code))
    before = {"order_block": state.order_block, "reason": state.block_reason}
    state.order_block, state.block_reason = blocked, (reason if blocked else None)
    state.updated_at = datetime.now(UTC)
    ctx.session.flush()
    audit(ctx, "limits.order_block" if blocked else "limits.order_unblock", "customer", customer_code,
          reason=reason, before=before, after={"order_block": blocked, "cause": cause})
    return state


def set_collections(ctx: ServiceContext, customer_code: str, in_collections: bool, reason: str) -> BuyerCreditState:
    """Mark the buyer as in collections (until a collections capability reports it itself)."""
    ctx.require("analyst")
    state = buyer_state(ctx, customer_by_code(ctx, customer_code))
    before = {"in_collections": state.in_collections}
    state.in_collections, state.collections_reason = in_collections, (reason if in_collections else None)
    state.updated_at = datetime.now(UTC)
    ctx.session.flush()
    audit(ctx, "limits.collections", "customer", customer_code, reason=reason, before=before,
          after={"in_collections": in_collections})
    return state


def set_expected_sales(ctx: ServiceContext, customer_code: str, monthly: Money | None) -> None:
    ctx.require("analyst")
    currency = get_policy(ctx).currency
    if monthly is not None and monthly.currency != currency:
        raise ValidationError(f"expected sales are in the limit currency {currency}", code="invalid_currency")
    state = buyer_state(ctx, customer_by_code(ctx, customer_code))
    before = state.expected_monthly_minor
    state.expected_monthly_minor = None if monthly is None else monthly.minor
    audit(ctx, "limits.expected_sales", "customer", customer_code,
          before={"monthly_minor": before}, after={"monthly": _amount(monthly)})


# ---------------------------------------------------------------- recommendation and terms

def buyer_profile(ctx: ServiceContext, customer: CustomerRef, as_of: date, rates: Rates,
                  grades: sources.GradeSource | None = None) -> BuyerProfile:
    risk = (grades or sources.GRADES).risk_of(ctx, customer.code, as_of)
    state = ctx.session.scalar(select(BuyerCreditState).where(BuyerCreditState.company_id == ctx.company_id,
                                                              BuyerCreditState.customer_id == customer.id))
    return profile_of(customer, risk, None if state is None else state.expected_monthly_minor, rates)


def profile_of(customer: CustomerRef, risk: sources.BuyerRisk | None, expected_monthly_minor: int | None,
               rates: Rates) -> BuyerProfile:
    """A buyer's profile from what was read of it: its grade and accounts (None: ungraded), its expected
    monthly sales (minor units of the limit currency, None: unknown); accounts converted by `rates`."""

    def conv(m: Money | None) -> Money | None:
        return None if m is None else rates.convert(m)

    expected = None if expected_monthly_minor is None else Money.from_minor(expected_monthly_minor, rates.to)
    return BuyerProfile(
        code=customer.code, country=customer.country, sector=customer.sector,
        grade=risk.grade if risk else None, pd=risk.pd if risk else None,
        equity=conv(risk.equity) if risk else None, sales=conv(risk.sales) if risk else None,
        working_capital=conv(risk.working_capital) if risk else None, expected_monthly_sales=expected,
        terms_days=customer.terms_days or 30, country_class=country_class(customer.country))


def country_class(iso2: str) -> int | None:
    """The OECD class the buyer's country is treated as (the risk capability's country table)."""
    from arguard.risk.interface import country_class as risk_country_class

    return risk_country_class(iso2)


def recommend(ctx: ServiceContext, code: str, as_of: date, grades: sources.GradeSource | None = None,
              scope_totals: dict[tuple[str, str], Money] | None = None) -> Recommendation:
    """The recommended limit of a buyer with every bound and the one that decided it. `scope_totals`: for
    many buyers at once, a dict kept between calls of the same date, holding each capped scope's whole
    exposure once; a buyer's "others" are then that total less its own exposure instead of one read of the
    scope per buyer. Each read converts its per-currency sums once, so the difference may be a cent per
    foreign currency off the direct read (seen on the demo: a non-binding appetite bound 0.01 higher); the
    customer page and the order check keep the direct read."""
    policy = get_policy(ctx)
    customer = customer_by_code(ctx, code)
    rates = Rates(ctx, policy.currency, as_of)
    profile = buyer_profile(ctx, customer, as_of, rates, grades)
    appetite = get_appetite(ctx)
    horizon_end = as_of + timedelta(days=policy.check.horizon_days)
    used: dict[tuple[str, str], Money] = {}
    own: Money | None = None
    for scope, key in (("country", profile.country), ("sector", profile.sector), ("total", "*")):
        if key is None or appetite.cap(scope, key) is None:
            continue
        if scope_totals is None:
            others = scope_customers(ctx, scope, key, exclude_id=customer.id)
            used[(scope, key)] = exposure_facts(ctx, others, rates, horizon_end=horizon_end).exposure.total
            continue
        if (scope, key) not in scope_totals:
            everyone = scope_customers(ctx, scope, key)
            scope_totals[(scope, key)] = exposure_facts(ctx, everyone, rates, horizon_end=horizon_end).exposure.total
        if own is None:
            own = exposure_facts(ctx, [customer.id], rates, horizon_end=horizon_end).exposure.total
        used[(scope, key)] = scope_totals[(scope, key)] - own
    from arguard.limits.service_groups import group_limits

    return recommend_limit(profile, appetite, used, group=group_limits(ctx, customer, as_of))


def terms_advice(ctx: ServiceContext, code: str, as_of: date, grades: sources.GradeSource | None = None,
                 ) -> TermsAdvice:
    customer = customer_by_code(ctx, code)
    risk = (grades or sources.GRADES).risk_of(ctx, code, as_of)
    from arguard.limits.service_overdue import oldest_material_overdue_days

    return recommend_terms(risk.grade if risk else None,
                           oldest_overdue_days=oldest_material_overdue_days(ctx, customer.id, as_of),
                           requested_days=customer.terms_days, country_class=country_class(customer.country))


def import_decisions(ctx: ServiceContext, items: list[tuple[str, DecisionInput]], *, on: date, source: str,
                     chunk: int = 500) -> int:
    """Record many decisions at once (an insurer's limit list, a migration, the demo). Each is checked
    like `decide_limit`, without the per-buyer inputs; the audit log gets one entry per `chunk`
    decisions listing every one (buyer, kind, status, amount, dates) with the source as the reason."""
    ctx.require("credit_manager")
    currency = get_policy(ctx).currency
    ids = ledger.customer_ids(ctx, [code for code, _ in items])
    rows: list[dict[str, Any]] = []
    for code, d in items:
        _check_kind(d.kind)
        if d.status not in DECISION_STATUSES:
            raise ValidationError(f"unknown decision {d.status!r}", code="invalid_decision")
        if code not in ids:
            raise NotFound(f"no customer {code!r}", code="customer_not_found")
        amount = Money.zero(currency) if d.status in ("refused", "cancelled") or d.amount is None else d.amount
        if amount.currency != currency:
            raise ValidationError(f"limits are in {currency}", code="invalid_currency")
        rows.append({"company_id": ctx.company_id, "customer_id": ids[code], "kind": d.kind, "status": d.status,
                     "amount_minor": amount.minor, "currency": currency, "decided_on": on,
                     "effective_from": d.effective_from or on, "effective_to": d.effective_to,
                     "review_on": d.review_on, "cover_stopped": d.cover_stopped, "conditions": d.conditions,
                     "reference": d.reference, "actor": ctx.actor, "reason": d.reason,
                     "inputs": {"source": source}, "request_id": None, "requested_minor": None})
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        ctx.session.execute(insert(LimitDecisionRow), part)
        audit(ctx, "limit.import", "limits", source, reason=f"{len(part)} decisions from {source}",
              after=[{"customer": items[start + i][0], "kind": r["kind"], "status": r["status"],
                      "amount": str(Money.from_minor(r["amount_minor"], currency).amount),
                      "effective_from": r["effective_from"], "review_on": r["review_on"],
                      "cover_stopped": r["cover_stopped"]} for i, r in enumerate(part)])
    return len(rows)


def import_expected_sales(ctx: ServiceContext, monthly: dict[str, Money], source: str) -> int:
    """Expected monthly sales for many buyers (from the sales plan); one audit entry."""
    ctx.require("analyst")
    currency = get_policy(ctx).currency
    ids = ledger.customer_ids(ctx, monthly)
    existing = {s.customer_id: s for s in ctx.session.scalars(select(BuyerCreditState).where(
        BuyerCreditState.company_id == ctx.company_id))}
    for code, money in monthly.items():
        if money.currency != currency:
            raise ValidationError(f"expected sales are in {currency}", code="invalid_currency")
        cid = ids.get(code)
        if cid is None:
            raise NotFound(f"no customer {code!r}", code="customer_not_found")
        state = existing.get(cid)
        if state is None:
            state = BuyerCreditState(company_id=ctx.company_id, customer_id=cid, order_block=False,
                                     in_collections=False, checks=0)
            ctx.session.add(state)
        state.expected_monthly_minor = money.minor
    ctx.session.flush()
    audit(ctx, "limits.expected_sales", "limits", source, reason=f"{len(monthly)} buyers from {source}",
          after={code: str(m.amount) for code, m in monthly.items()})
    return len(monthly)
