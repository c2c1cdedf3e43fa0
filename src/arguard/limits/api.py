"""Limits routes: the order credit check, orders and the hold queue, limits, appetite, exposure, terms.

Routes are a few lines each; everything else is in `limits.service`. `as_of` defaults to today.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from arguard.api.deps import Admin, Analyst, CreditManager, Viewer, authenticated, known_key
from arguard.api.pagination import Page, PageParams, page_params
from arguard.api.routers import MatchedFirst
from arguard.core.money import Money
from arguard.db.session import get_engine, session_scope
from arguard.limits import service
from arguard.limits.orders_io import order_from_mapping
from arguard.limits.tables import CreditOrder, LimitDecisionRow, LimitRequest
from arguard.limits.terms import discount_economics

router = APIRouter(tags=["limits"])
check_router = MatchedFirst(tags=["limits"])
"""The order credit check alone: included before every other router (routes are matched in order, and
this one is called many times a second)."""
Paging = Annotated[PageParams, Depends(page_params)]


def today() -> date:
    return datetime.now(UTC).date()


# ---------------------------------------------------------------- shapes

class CreditCheckIn(BaseModel):
    order_id: str = Field(min_length=1, max_length=64)
    customer: str
    amount: Decimal = Field(gt=0)
    currency: str = Field(min_length=3, max_length=3)
    ship_date: date
    as_of: date | None = None


class CommentIn(BaseModel):
    comment: str = Field(min_length=1)


class ShipIn(BaseModel):
    shipped_on: date


class OrdersIn(BaseModel):
    orders: list[dict[str, Any]]
    as_of: date | None = None


class RequestIn(BaseModel):
    customer: str
    kind: str = "internal"
    amount: Decimal | None = None
    reason: str | None = None
    on: date | None = None


class DecisionIn(BaseModel):
    customer: str
    kind: str
    status: str
    amount: Decimal | None = None
    reason: str
    on: date | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    review_on: date | None = None
    request_id: int | None = None
    conditions: str | None = None
    reference: str | None = None
    cover_stopped: bool = False


class AppetiteIn(BaseModel):
    scope: str
    key: str = "*"
    amount: Decimal | None = None
    reason: str | None = None


class BuyerStatusIn(BaseModel):
    order_block: bool | None = None
    block_reason: str | None = None
    in_collections: bool | None = None
    collections_reason: str | None = None
    expected_monthly_sales: Decimal | None = None


class PolicyIn(BaseModel):
    currency: str | None = None
    cost_of_capital: Decimal | None = None
    params: dict[str, Any] = {}


def order_json(row: CreditOrder, code: str) -> dict[str, Any]:
    return {"order_id": row.order_id, "customer": code, "status": row.status, "decision": row.outcome,
            "amount": str(Money.from_minor(row.amount_minor, row.currency).amount), "currency": row.currency,
            "ship_date": row.ship_date, "reasons": row.reasons, "figures": row.figures, "version": row.version,
            "checked_at": row.checked_at, "decided_by": row.decided_by, "comment": row.comment}


def decision_json(row: LimitDecisionRow) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "status": row.status, "currency": row.currency,
            "amount": str(Money.from_minor(row.amount_minor, row.currency).amount),
            "requested": None if row.requested_minor is None else str(Money.from_minor(row.requested_minor,
                                                                                       row.currency).amount),
            "decided_on": row.decided_on, "effective_from": row.effective_from, "effective_to": row.effective_to,
            "review_on": row.review_on, "cover_stopped": row.cover_stopped, "conditions": row.conditions,
            "reference": row.reference, "actor": row.actor, "reason": row.reason, "request_id": row.request_id}


def request_json(row: LimitRequest, code: str | None = None) -> dict[str, Any]:
    return {"id": row.id, "customer": code, "kind": row.kind, "currency": row.currency,
            "amount": None if row.amount_minor is None else str(Money.from_minor(row.amount_minor,
                                                                                 row.currency).amount),
            "requested_on": row.requested_on, "actor": row.actor, "reason": row.reason, "cause": row.cause}


# ---------------------------------------------------------------- the order credit check and orders

CHECK_THREADS = anyio.CapacityLimiter(16)
"""At most this many checks run at once per process; the rest wait their turn without a thread."""


@check_router.post("/credit-check", response_model=dict[str, Any])
async def credit_check(body: CreditCheckIn, token: Annotated[str, Depends(known_key)]) -> JSONResponse:
    """Check one sales order: release, hold, require prepayment / a guarantee or L/C, or shorten terms,
    with every reason. Idempotent per order id; a changed amount is checked again."""
    answer = await anyio.to_thread.run_sync(_check_unit, token, body, limiter=CHECK_THREADS)
    return JSONResponse(answer)  # plain JSON values already: no second pass through the encoder


def _check_unit(token: str, body: CreditCheckIn) -> dict[str, Any]:
    # The whole unit of work, commit included, runs in this one thread. A check waits on the buyer's
    # lock held by another check; if commits ran in a dependency's teardown they would need a second
    # thread from the same pool, and a pool full of waiting checks would never let the holder commit.
    # The API key is checked in the same unit of work.
    with session_scope(get_engine()) as session:
        ctx = authenticated(session, token, "analyst")
        order = service.OrderCheck(body.order_id, body.customer, Money.of(body.amount, body.currency),
                                   body.ship_date)
        answer = service.check_order(ctx, order, as_of=body.as_of or today()).to_json()
    ctx.run_after_commit()
    return answer


@router.post("/orders")
def import_orders(body: OrdersIn, ctx: Analyst) -> dict[str, Any]:
    """Record orders from the order book (open orders are checked, shipped ones recorded)."""
    lines, issues = [], []
    for i, raw in enumerate(body.orders, start=1):
        line, found = order_from_mapping(raw, "api", i)
        issues += found
        if line is not None:
            lines.append(line)
    results, more = service.import_orders(ctx, lines, as_of=body.as_of or today(), source="api")
    return {"results": results, "issues": [vars_of(i) for i in issues + more]}


def vars_of(issue: Any) -> dict[str, Any]:
    return {"source": issue.source, "line": issue.line, "field": issue.field, "reason": issue.reason}


@router.get("/orders")
def list_orders(ctx: Viewer, paging: Paging, status: str | None = None, customer: str | None = None,
                ) -> Page[dict[str, Any]]:
    rows, total = service.list_orders(ctx, status=status, customer_code=customer, limit=paging.limit,
                                      offset=paging.offset)
    return Page(items=[order_json(o, c) for o, c in rows], total=total, limit=paging.limit, offset=paging.offset)


@router.post("/orders/{order_id}/cancel")
def cancel_order(order_id: str, body: CommentIn, ctx: Analyst) -> dict[str, Any]:
    row = service.cancel_order(ctx, order_id, body.comment)
    return {"order_id": row.order_id, "status": row.status}


@router.post("/orders/{order_id}/ship")
def ship_order(order_id: str, body: ShipIn, ctx: Analyst) -> dict[str, Any]:
    row = service.ship_order(ctx, order_id, body.shipped_on)
    return {"order_id": row.order_id, "status": row.status}


@router.get("/limits/holds")
def hold_queue(ctx: Viewer, paging: Paging) -> Page[dict[str, Any]]:
    rows, total = service.hold_queue(ctx, limit=paging.limit, offset=paging.offset)
    return Page(items=[order_json(o, c) for o, c in rows], total=total, limit=paging.limit, offset=paging.offset)


@router.post("/limits/holds/{order_id}/release")
def release(order_id: str, body: CommentIn, ctx: CreditManager) -> dict[str, Any]:
    row = service.release_order(ctx, order_id, body.comment)
    return {"order_id": row.order_id, "status": row.status, "decided_by": row.decided_by}


@router.post("/limits/holds/{order_id}/reject")
def reject(order_id: str, body: CommentIn, ctx: CreditManager) -> dict[str, Any]:
    row = service.reject_order(ctx, order_id, body.comment)
    return {"order_id": row.order_id, "status": row.status, "decided_by": row.decided_by}


# ---------------------------------------------------------------- limits, requests, decisions

@router.get("/limits/requests")
def open_requests(ctx: Viewer) -> list[dict[str, Any]]:
    codes = service.customer_codes(ctx)
    return [request_json(r, codes.get(r.customer_id)) for r in service.open_requests(ctx)]


@router.post("/limits/requests")
def request_limit(body: RequestIn, ctx: Analyst) -> dict[str, Any]:
    currency = service.get_policy(ctx).currency
    row = service.request_limit(ctx, body.customer, kind=body.kind, on=body.on or today(), reason=body.reason,
                                amount=None if body.amount is None else Money.of(body.amount, currency))
    return request_json(row, body.customer)


@router.post("/limits/decisions")
def decide(body: DecisionIn, ctx: CreditManager) -> dict[str, Any]:
    currency = service.get_policy(ctx).currency
    d = service.DecisionInput(
        kind=body.kind, status=body.status, amount=None if body.amount is None else Money.of(body.amount, currency),
        reason=body.reason, effective_from=body.effective_from, effective_to=body.effective_to,
        review_on=body.review_on, request_id=body.request_id, conditions=body.conditions, reference=body.reference,
        cover_stopped=body.cover_stopped)
    return decision_json(service.decide_limit(ctx, body.customer, d, on=body.on or today()))


@router.get("/limits/appetite")
def get_appetite(ctx: Viewer) -> dict[str, Any]:
    a = service.get_appetite(ctx)
    return {"currency": a.currency, "caps": [{"scope": s, "key": k, "amount": str(m.amount)}
                                             for (s, k), m in sorted(a.caps.items())]}


@router.put("/limits/appetite")
def set_appetite(body: AppetiteIn, ctx: CreditManager) -> dict[str, Any]:
    currency = service.get_policy(ctx).currency
    cap = None if body.amount is None else Money.of(body.amount, currency)
    service.set_appetite(ctx, body.scope, body.key, cap, body.reason)
    return get_appetite(ctx)


@router.get("/limits/policy")
def get_policy(ctx: Viewer) -> dict[str, Any]:
    return service.policy_json(service.get_policy(ctx))


@router.put("/limits/policy")
def set_policy(body: PolicyIn, ctx: Admin) -> dict[str, Any]:
    return service.policy_json(service.set_policy(ctx, currency=body.currency, cost_of_capital=body.cost_of_capital,
                                                  **body.params))


@router.get("/limits/exposure")
def exposure_report(ctx: Viewer, paging: Paging, as_of: date | None = None) -> Page[dict[str, Any]]:
    """Exposure against limit per buyer, largest exposure first."""
    rows, total = service.exposure_report(ctx, as_of or today(), limit=paging.limit, offset=paging.offset)
    return Page(items=rows, total=total, limit=paging.limit, offset=paging.offset)


@router.get("/limits/discount")
def discount(ctx: Viewer, discount: Annotated[Decimal, Query(gt=0, lt=1)] = Decimal("0.02"),
             discount_days: int = 10, net_days: int = 30, customer: str | None = None,
             as_of: date | None = None) -> dict[str, Any]:
    """Economics of 'discount/discount_days net net_days' for the seller (optionally with a buyer's PD)."""
    policy = service.get_policy(ctx)
    pd = service.buyer_pd(ctx, customer, as_of or today()) if customer else None
    e = discount_economics(discount, discount_days, net_days, cost_of_capital=policy.cost_of_capital, pd_12m=pd)
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in vars_dc(e).items()} | {
        "cost_of_capital": str(policy.cost_of_capital), "pd_12m": None if pd is None else str(pd)}


def vars_dc(obj: Any) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in obj.__slots__}


@router.put("/limits/buyers/{code}/status")
def buyer_status(code: str, body: BuyerStatusIn, ctx: Analyst) -> dict[str, Any]:
    """Order block, in-collections flag and expected monthly sales of a buyer."""
    if body.order_block is not None:
        service.set_order_block(ctx, code, body.order_block, body.block_reason or "set by API")
    if body.in_collections is not None:
        service.set_collections(ctx, code, body.in_collections, body.collections_reason or "set by API")
    if body.expected_monthly_sales is not None:
        service.set_expected_sales(ctx, code, Money.of(body.expected_monthly_sales, service.get_policy(ctx).currency))
    return service.buyer_status(ctx, code)


@router.get("/limits/{code}")
def limit_detail(code: str, ctx: Viewer, as_of: date | None = None) -> dict[str, Any]:
    """A buyer's exposure, limit in force, decisions, open requests and status."""
    on = as_of or today()
    customer = service.customer_by_code(ctx, code)
    return {"exposure": service.buyer_exposure(ctx, code, on),
            "decisions": [decision_json(d) for d in service.limit_history(ctx, code)],
            "open_requests": [request_json(r, code) for r in service.open_requests(ctx, customer.id)],
            "status": service.buyer_status(ctx, code)}


@router.get("/limits/{code}/recommendation")
def recommendation(code: str, ctx: Viewer, as_of: date | None = None) -> dict[str, Any]:
    return service.recommendation_json(service.recommend(ctx, code, as_of or today()))


@router.get("/limits/{code}/terms")
def terms(code: str, ctx: Viewer, as_of: date | None = None) -> dict[str, Any]:
    t = service.terms_advice(ctx, code, as_of or today())
    return {"customer": code, "days": t.days, "terms": t.label, "security": t.security, "reasons": list(t.reasons)}
