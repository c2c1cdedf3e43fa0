"""Recommended limits of many buyers at once (an underwriter's work list, issue 14): the same rule as
`service_limits.recommend` (limits README rules 10–16 and 43), with what it reads of each buyer read for all
of them in a few bulk queries — customers, grades and accounts, credit states (expected sales), own exposure
(open items and live orders) and the limit decisions of group members and their parents — in IN lists of
at most `CHUNK` ids. Each capped scope's exposure is read once (`recommend`'s `scope_totals`). Reached
through `limits.interface.recommended_limits`; a test compares it with `recommend` buyer by buyer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, bindparam, or_, select

from arguard.core.money import MissingRate, Money
from arguard.ledger import interface as ledger
from arguard.ledger.interface import CustomerRef
from arguard.limits import sources
from arguard.limits.exposure import order_part
from arguard.limits.model import Exposure, LimitDecision, Recommendation
from arguard.limits.recommend import recommend_limit
from arguard.limits.service_base import (
    LIVE,
    Rates,
    _invoiced_of_order,
    decision_record,
    exposure_facts,
    get_appetite,
    get_policy,
    line_of,
    scope_customers,
)
from arguard.limits.service_limits import profile_of
from arguard.limits.tables import BuyerCreditState, CreditOrder, LimitDecisionRow
from arguard.platform.context import ServiceContext

CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), CHUNK):
        yield wanted[i:i + CHUNK]


def recommended_limits_bulk(ctx: ServiceContext, codes: list[str], as_of: date) -> dict[str, Recommendation]:
    """{code: the buyer's `recommend`ation} of the buyers named, in the limit currency; a buyer the
    recommendation cannot value (a missing rate, an unknown code) is absent."""
    policy = get_policy(ctx)
    appetite = get_appetite(ctx)
    rates = Rates(ctx, policy.currency, as_of)
    horizon_end = as_of + timedelta(days=policy.check.horizon_days)
    customers = {c.code: c for c in ledger.customer_refs(ctx, codes=set(codes))}
    if not customers:
        return {}
    risks = _risks(ctx, customers, as_of)
    expected = _expected_sales(ctx, [c.id for c in customers.values()])

    def capped(c: CustomerRef) -> list[tuple[str, str]]:
        return [(scope, key) for scope, key in (("country", c.country), ("sector", c.sector), ("total", "*"))
                if key is not None and appetite.cap(scope, key) is not None]

    own_ids = [c.id for c in customers.values() if capped(c)]
    open_minor = _open_by_buyer(ctx, own_ids)
    orders = _orders_by_buyer(ctx, own_ids, horizon_end)
    members = [c for c in customers.values() if c.parent_code and c.parent_code != c.code]
    parents = {p.code: p for p in ledger.customer_refs(ctx, codes={c.parent_code for c in members
                                                                    if c.parent_code})} if members else {}
    decisions = _decisions(ctx, [c.id for c in members] + [p.id for p in parents.values()])

    def line_amount(customer_id: int) -> Money | None:
        return line_of(ctx, customer_id, as_of, appetite, decisions=decisions.get(customer_id, [])).amount

    totals: dict[tuple[str, str], Money] = {}
    out: dict[str, Recommendation] = {}
    for code in sorted(customers):
        c = customers[code]
        try:
            profile = profile_of(c, risks.get(code), expected.get(c.id), rates)
            used: dict[tuple[str, str], Money] = {}
            own: Money | None = None
            for scope, key in capped(c):
                if (scope, key) not in totals:
                    everyone = scope_customers(ctx, scope, key)
                    totals[(scope, key)] = exposure_facts(ctx, everyone, rates,
                                                          horizon_end=horizon_end).exposure.total
                if own is None:
                    receivables = Money.zero(rates.to)
                    for currency, minor in open_minor.get(c.id, []):
                        receivables = receivables + rates.minor(minor, currency)
                    shipped, released = orders.get(c.id, (0, 0))
                    own = Exposure(receivables, Money.from_minor(shipped, rates.to),
                                   Money.from_minor(released, rates.to)).total
                used[(scope, key)] = totals[(scope, key)] - own
            group: tuple[str, Money | None, Money | None] | None = None
            if c.parent_code and c.parent_code != c.code:
                parent = parents.get(c.parent_code)
                group = (c.parent_code, line_amount(c.id), None if parent is None else line_amount(parent.id))
            out[code] = recommend_limit(profile, appetite, used, group=group)
        except MissingRate:
            continue
    return out


def _risks(ctx: ServiceContext, customers: dict[str, CustomerRef], as_of: date) -> dict[str, sources.BuyerRisk]:
    grades = sources.GRADES
    bulk = getattr(grades, "risks_of", None)
    if bulk is not None:
        found: dict[str, sources.BuyerRisk] = bulk(ctx, {code: c.id for code, c in customers.items()}, as_of)
        return found
    out: dict[str, sources.BuyerRisk] = {}
    for code in customers:  # a grade source without a bulk read (tests, a seller's own): one by one
        one = grades.risk_of(ctx, code, as_of)
        if one is not None:
            out[code] = one
    return out


def _expected_sales(ctx: ServiceContext, ids: list[int]) -> dict[int, int]:
    s = BuyerCreditState
    out: dict[int, int] = {}
    for part in _chunks(ids):
        out.update({int(cid): int(m) for cid, m in ctx.session.execute(
            select(s.customer_id, s.expected_monthly_minor).where(
                s.company_id == ctx.company_id, s.customer_id.in_(part), s.expected_monthly_minor.is_not(None)))
            if m is not None})
    return out


def _open_by_buyer(ctx: ServiceContext, ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    out: dict[int, list[tuple[str, int]]] = {}
    if not ids:
        return out
    for cid, currency, minor in ledger.open_by_customer(ctx, ids):
        out.setdefault(cid, []).append((currency, minor))
    return out


def _orders_by_buyer(ctx: ServiceContext, ids: list[int], horizon_end: date) -> dict[int, tuple[int, int]]:
    """{customer id: (shipped-not-invoiced, released within the horizon)} in minor units of the limit
    currency: `service_base._orders_exposure` per buyer."""
    o = CreditOrder
    q = (select(o.customer_id, o.status, o.amount_minor, o.limit_minor, _invoiced_of_order())
         .where(o.company_id == bindparam("company"), o.customer_id.in_(bindparam("ids", expanding=True)),
                o.status.in_(LIVE), o.order_id != "", or_(o.status == "shipped", o.ship_date <= bindparam("horizon", type_=Date))))
    out: dict[int, list[int]] = {}
    for part in _chunks(ids):
        for cid, status, amount, limit_minor, inv in ctx.session.execute(
                q, {"company": ctx.company_id, "ids": part, "horizon": horizon_end}):
            sums = out.setdefault(int(cid), [0, 0])
            sums[0 if status == "shipped" else 1] += order_part(amount, limit_minor, inv)
    return {cid: (s, r) for cid, (s, r) in out.items()}


def _decisions(ctx: ServiceContext, ids: list[int]) -> dict[int, list[LimitDecision]]:
    d = LimitDecisionRow
    out: dict[int, list[LimitDecision]] = {}
    for part in _chunks(ids):
        rows: Any = ctx.session.execute(
            select(d.customer_id, d.kind, d.status, d.amount_minor, d.currency, d.decided_on, d.effective_from,
                   d.effective_to, d.review_on, d.requested_minor, d.cover_stopped, d.conditions, d.id)
            .where(d.company_id == ctx.company_id, d.customer_id.in_(part)).order_by(d.id))
        for r in rows:
            out.setdefault(int(r.customer_id), []).append(decision_record(r))
    return out
