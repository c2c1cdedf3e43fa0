"""Limits dashboard: exposure against limit per buyer, limit requests and decisions, the hold queue, and
the limit panel on the customer page. Routes call `limits.service` only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from arguard.core.errors import ArguardError, ValidationError
from arguard.core.money import Money
from arguard.limits import service
from arguard.limits.api import decision_json, order_json, request_json
from arguard.platform.context import ServiceContext
from arguard.web.common import AsOf, WebCtx, add_customer_panel, add_nav, language, render
from arguard.web.i18n import register, translate

router = APIRouter()
add_nav("/limits", "nav.limits", 40)
add_nav("/limits/holds", "nav.holds", 42)
register({
    "nav.limits": ("Limits", "信用额度"),
    "nav.holds": ("Hold queue", "待审订单"),
    "limits.title": ("Exposure against limit", "风险敞口与信用额度"),
    "limits.sub": ("Open receivables + shipped not invoiced + open orders within the horizon, per buyer, in {currency}",
                   "每个买方：未收应收账款 + 已发货未开票 + 期限内未发货订单，以 {currency} 计"),
    "limits.chart": ("Largest exposures", "最大风险敞口"),
    "limits.customer": ("Buyer", "买方"),
    "limits.country": ("Country", "国家"),
    "limits.receivables": ("Receivables", "应收账款"),
    "limits.shipped": ("Shipped, not invoiced", "已发货未开票"),
    "limits.orders": ("Open orders", "未发货订单"),
    "limits.exposure": ("Exposure", "风险敞口"),
    "limits.limit": ("Limit", "信用额度"),
    "limits.available": ("Available", "可用额度"),
    "limits.use": ("Use", "使用率"),
    "limits.kind": ("Kind", "类型"),
    "limits.requests": ("Limit requests", "额度申请"),
    "limits.requests.sub": ("Open requests and the latest decisions (who, when, why)", "待决申请与最近决定（谁、何时、为何）"),
    "limits.decisions": ("Decisions", "决定"),
    "limits.decide": ("Decide", "决定"),
    "limits.status": ("Decision", "决定"),
    "limits.amount": ("Amount", "金额"),
    "limits.reason": ("Why", "理由"),
    "limits.requested": ("Requested", "申请金额"),
    "limits.by": ("By", "决定人"),
    "limits.from": ("In force from", "生效日"),
    "limits.review": ("Review on", "复审日"),
    "limits.none": ("Nothing here.", "暂无。"),
    "limits.holds": ("Hold queue", "待审订单"),
    "limits.holds.sub": ("Orders the credit check did not release; a credit manager releases or rejects each with a comment",
                         "信用检查未放行的订单；由信用经理逐一放行或拒绝并注明理由"),
    "limits.order": ("Order", "订单"),
    "limits.ship_date": ("Ship date", "发货日"),
    "limits.decision": ("Check", "检查结果"),
    "limits.reasons": ("Reasons", "原因"),
    "limits.comment": ("Comment", "备注"),
    "limits.release": ("Release", "放行"),
    "limits.reject": ("Reject", "拒绝"),
    "limits.panel.title": ("Credit limit", "信用额度"),
    "limits.recommended": ("Recommended", "建议额度"),
    "limits.terms": ("Recommended terms", "建议付款条件"),
    "limits.cover_stopped": ("insurer stopped cover", "保险人已停止承保"),
    "limits.request": ("Request a limit", "申请额度"),
    "outcome.release": ("release", "放行"),
    "outcome.shorten_terms": ("shorten terms", "缩短账期"),
    "outcome.hold": ("hold for review", "暂停待审"),
    "outcome.require_guarantee": ("guarantee or L/C", "要求担保或信用证"),
    "outcome.require_prepayment": ("prepayment", "要求预付款"),
})
DECISIONS = ("approved", "partly_approved", "conditional", "refused", "reduced", "cancelled")


@router.get("/limits", response_class=HTMLResponse)
def exposure_page(request: Request, ctx: WebCtx, as_of: AsOf, offset: int = 0) -> HTMLResponse:
    rows, total = service.exposure_report(ctx, as_of, limit=50, offset=offset)
    currency = service.get_policy(ctx).currency
    tr = partial(translate, language(request))
    top = rows[:20]
    chart = {"type": "bar", "valueFormat": "amount",
             "options": {"indexAxis": "y", "scales": {"y": {"ticks": {"autoSkip": False}, "grid": {"display": False}}}},
             "data": {
        "labels": [r["customer"] for r in top], "datasets": [
            {"label": tr("limits.exposure"), "data": [r["exposure"] for r in top]},
            {"label": tr("limits.limit"), "data": [r["limit"] or "0" for r in top]}]}}
    return render(request, "limits/exposure.html", as_of=as_of, rows=rows, total=total, offset=offset, limit=50,
                  chart=chart, currency=currency)


@router.get("/limits/requests", response_class=HTMLResponse)
def requests_page(request: Request, ctx: WebCtx, error: str | None = None) -> HTMLResponse:
    codes = service.customer_codes(ctx)
    requests = [request_json(r, codes.get(r.customer_id)) for r in service.open_requests(ctx)]
    decisions = [{**decision_json(d), "customer": codes.get(d.customer_id)} for d in service.recent_decisions(ctx)]
    return render(request, "limits/requests.html", requests=requests, decisions=decisions, statuses=DECISIONS,
                  error=error)


@router.post("/limits/requests/{request_id}/decide")
def decide(request_id: int, ctx: WebCtx, customer: Annotated[str, Form()], status: Annotated[str, Form()],
           reason: Annotated[str, Form()], kind: Annotated[str, Form()] = "internal", amount: str = Form(""),
           review_on: str = Form("")) -> Response:
    try:
        money = _money(ctx, amount)
        service.decide_limit(ctx, customer, service.DecisionInput(
            kind=kind, status=status, amount=money, reason=reason, request_id=request_id,
            review_on=date.fromisoformat(review_on) if review_on else None), on=date.today())
    except ArguardError as exc:
        return RedirectResponse(f"/limits/requests?error={exc.code}", status_code=303)
    return RedirectResponse("/limits/requests", status_code=303)


def _money(ctx: ServiceContext, text: str) -> Money | None:
    if not text.strip():
        return None
    try:
        return Money(Decimal(text.replace(",", "")), service.get_policy(ctx).currency)
    except InvalidOperation:
        raise ValidationError(f"not an amount: {text!r}", code="invalid_amount") from None


@router.get("/limits/holds", response_class=HTMLResponse)
def holds_page(request: Request, ctx: WebCtx, offset: int = 0, error: str | None = None) -> HTMLResponse:
    rows, total = service.hold_queue(ctx, limit=50, offset=offset)
    return render(request, "limits/holds.html", orders=[order_json(o, c) for o, c in rows], total=total,
                  offset=offset, limit=50, error=error)


@router.post("/limits/holds/{order_id}/{action}")
def hold_action(order_id: str, action: str, ctx: WebCtx, comment: Annotated[str, Form()] = "") -> Response:
    try:
        if action == "release":
            service.release_order(ctx, order_id, comment)
        elif action == "reject":
            service.reject_order(ctx, order_id, comment)
        else:
            raise ValidationError(f"unknown action {action!r}", code="invalid_action")
    except ArguardError as exc:
        return RedirectResponse(f"/limits/holds?error={exc.code}", status_code=303)
    return RedirectResponse("/limits/holds", status_code=303)


def limit_panel(ctx: ServiceContext, code: str, as_of: date) -> dict[str, Any] | None:
    exposure = service.buyer_exposure(ctx, code, as_of)
    rec = service.recommend(ctx, code, as_of)
    terms = service.terms_advice(ctx, code, as_of)
    return {"exposure": exposure, "recommended": service.recommendation_json(rec),
            "terms": {"label": terms.label, "security": terms.security, "reasons": list(terms.reasons)},
            "status": service.buyer_status(ctx, code)}


add_customer_panel("limits/customer_panel.html", limit_panel, order=50)
