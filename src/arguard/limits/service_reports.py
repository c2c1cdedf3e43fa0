"""Limits services, read side: exposure against limit for every buyer, buyer status, JSON shapes.
Reached through `limits.service`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from arguard.core.money import MissingRate, Money
from arguard.ledger import interface as ledger
from arguard.limits import sources
from arguard.limits.exposure import credit_line, order_part
from arguard.limits.model import LimitDecision, Recommendation
from arguard.limits.service_base import (
    LIVE,
    Rates,
    customer_by_code,
    decision_record,
    get_appetite,
    get_policy,
)
from arguard.limits.tables import BuyerCreditState, CreditOrder, LimitDecisionRow
from arguard.platform.context import ServiceContext


def customer_codes(ctx: ServiceContext) -> dict[int, str]:
    return ledger.customer_codes(ctx)


def buyer_status(ctx: ServiceContext, code: str) -> dict[str, Any]:
    customer = customer_by_code(ctx, code)
    state = ctx.session.scalar(select(BuyerCreditState).where(BuyerCreditState.company_id == ctx.company_id,
                                                              BuyerCreditState.customer_id == customer.id))
    currency = get_policy(ctx).currency
    if state is None:
        return {"customer": code, "order_block": False, "block_reason": None, "in_collections": False,
                "collections_reason": None, "expected_monthly_sales": None}
    return {"customer": code, "order_block": state.order_block, "block_reason": state.block_reason,
            "in_collections": state.in_collections, "collections_reason": state.collections_reason,
            "expected_monthly_sales": None if state.expected_monthly_minor is None
            else str(Money.from_minor(state.expected_monthly_minor, currency).amount)}


def buyer_pd(ctx: ServiceContext, code: str, as_of: date) -> Decimal | None:
    customer_by_code(ctx, code)
    risk = sources.GRADES.risk_of(ctx, code, as_of)
    return None if risk is None or risk.pd is None else Decimal(str(risk.pd))


def recommendation_json(r: Recommendation) -> dict[str, Any]:
    return {"customer": r.customer_code, "amount": str(r.amount.amount), "currency": r.amount.currency,
            "binding_rule": r.binding.rule if r.binding else None,
            "explanation": r.binding.explanation if r.binding else None,
            "bounds": [{"rule": b.rule, "amount": str(b.amount.amount), "explanation": b.explanation}
                       for b in r.bounds], "notes": list(r.notes)}


def exposure_report(ctx: ServiceContext, as_of: date, *, limit: int = 50, offset: int = 0,
                    ) -> tuple[list[dict[str, Any]], int]:
    """Exposure against limit for every buyer with exposure or a limit, largest exposure first. A buyer
    with open items in a currency that has no rate to the limit currency on `as_of` names it in
    `missing_rates` (those items are not in its receivables: the figure is a floor, and says so)."""
    policy = get_policy(ctx)
    lc = policy.currency
    rates = Rates(ctx, lc, as_of)
    parts: dict[int, dict[str, int]] = defaultdict(lambda: {"receivables": 0, "shipped": 0, "orders": 0})
    missing: dict[int, set[str]] = defaultdict(set)
    for cid, currency, minor in ledger.open_by_customer(ctx):
        try:
            parts[cid]["receivables"] += rates.minor(int(minor), currency).minor
        except MissingRate:
            parts[cid]["receivables"] += 0
            missing[cid].add(currency)
    for cid, bucket, minor in _order_sums(ctx, as_of + timedelta(days=policy.check.horizon_days)):
        parts[cid][bucket] += minor
    decisions: dict[int, list[LimitDecision]] = defaultdict(list)
    for row in ctx.session.scalars(select(LimitDecisionRow).where(LimitDecisionRow.company_id == ctx.company_id)
                                   .order_by(LimitDecisionRow.id)):
        decisions[row.customer_id].append(decision_record(row))
    cap = get_appetite(ctx).cap("discretionary", "*")
    customers = {c.id: c for c in ledger.customer_refs(ctx, ids=set(parts) | set(decisions))}
    rows: list[dict[str, Any]] = []
    totals: dict[str, int] = {}
    for cid, c in customers.items():
        p = parts[cid]
        total = p["receivables"] + p["shipped"] + p["orders"]
        line = credit_line(decisions.get(cid, []), as_of, cap)
        lim = line.amount.minor if line.amount is not None else None
        rows.append({"customer": c.code, "name": c.name, "country": c.country, "sector": c.sector,
                     "parent": c.parent_code, "currency": lc,
                     **{k: _fmt(v, lc) for k, v in p.items()}, "exposure": _fmt(total, lc),
                     "limit": None if lim is None else _fmt(lim, lc), "limit_kind": line.source,
                     "available": None if lim is None else _fmt(lim - total, lc),
                     "utilisation": None if not lim else round(total / lim, 4),
                     "insured": None if line.insured is None else str(line.insured.amount),
                     "cover_stopped": line.cover_stopped, "missing_rates": sorted(missing.get(cid, ()))})
        totals[c.code] = total
    rows.sort(key=lambda r: (-totals[r["customer"]], r["customer"]))
    return rows[offset:offset + limit], len(rows)


def _order_sums(ctx: ServiceContext, horizon_end: date) -> list[tuple[int, str, int]]:
    invoiced = ledger.invoiced_against_order(CreditOrder.company_id, CreditOrder.customer_id, CreditOrder.order_id,
                                             CreditOrder.currency)
    q = select(CreditOrder.customer_id, CreditOrder.status, CreditOrder.ship_date, CreditOrder.amount_minor,
               CreditOrder.limit_minor, invoiced).where(CreditOrder.company_id == ctx.company_id,
                                                        CreditOrder.status.in_(LIVE))
    out = []
    for cid, status, ship, amount, limit_minor, inv in ctx.session.execute(q):
        if status != "shipped" and ship > horizon_end:
            continue
        part = order_part(amount, limit_minor, inv)
        out.append((cid, "shipped" if status == "shipped" else "orders", part))
    return out


def _fmt(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency).amount)


def recent_decisions(ctx: ServiceContext, limit: int = 50) -> list[LimitDecisionRow]:
    return list(ctx.session.scalars(select(LimitDecisionRow).where(LimitDecisionRow.company_id == ctx.company_id)
                                    .order_by(LimitDecisionRow.id.desc()).limit(limit)))
