"""Limits dashboard: exposure against limit per buyer, limit requests and decisions, the hold queue, and
the limit panel on the customer page. Routes call `limits.service` only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from arguard.core.errors import ArguardError, ValidationError
from arguard.core.money import Money
from arguard.limits import service
from arguard.limits.api import decision_json, order_json, request_json
from arguard.limits.service_holds import HOLD_SORTS_SQL, hold_page
from arguard.limits.wording import reason_text, terms_label, terms_reason
from arguard.platform.context import ServiceContext
from arguard.web.common import AsOf, WebCtx, language, render
from arguard.web.i18n import translate
from arguard.web.worklist import Page, arrange

router = APIRouter()
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
    return Money.of(text, service.get_policy(ctx).currency)  # decimal comma and thousands both ways


@router.get("/limits/holds", response_class=HTMLResponse)
def holds_page(request: Request, ctx: WebCtx, offset: int = 0, error: str | None = None, sort: str = "checked_at",
               dir: str = "desc", q: str = "", outcome: str = "", group: bool = False) -> HTMLResponse:
    """The hold queue as a work list: buyer names, sorting, a filter by buyer and outcome, grouping by
    buyer, paging; reasons as sentences in the reader's language."""
    sort = sort if sort in HOLD_SORTS else "checked_at"
    if not group and not q.strip() and sort in HOLD_SORTS_SQL:  # the database filters, sorts and cuts the page
        found, total, at = hold_page(ctx, outcome=outcome or None, sort=sort, descending=dir == "desc",
                                     offset=max(offset, 0), limit=HOLDS_PAGE)
        page = Page(hold_rows(ctx, found), total, at, HOLDS_PAGE)
    else:  # by buyer, name or amount, a buyer search or grouped by buyer: in memory
        page = arrange(holds_worklist(ctx, q.strip(), outcome), sort=sort, descending=dir == "desc", offset=offset,
                       limit=HOLDS_PAGE, allowed=HOLD_SORTS, default="checked_at",
                       group_key="customer" if group else None)
    tr = partial(translate, language(request))
    for o in page.rows:
        o["reason_texts"] = [reason_text(tr, r, o["figures"].get("limit_currency")) for r in o["reasons"]]
    return render(request, "limits/holds.html", orders=page.rows, total=page.total, offset=page.offset,
                  limit=HOLDS_PAGE, error=error, sort=sort if sort in HOLD_SORTS else "checked_at", dir=dir, q=q,
                  outcome=outcome, group=group, outcomes=OUTCOMES_HELD)


HOLDS_PAGE = 50
HOLD_SORTS = ("checked_at", "customer", "name", "amount_value", "ship_date", "decision")
OUTCOMES_HELD = ("hold", "shorten_terms", "require_guarantee", "require_prepayment")


def holds_worklist(ctx: ServiceContext, search: str, outcome: str) -> list[dict[str, Any]]:
    """Every order waiting in the hold queue with its buyer's name, filtered (the queue is the orders a
    credit manager still has to decide: hundreds, not millions)."""
    rows, _ = service.hold_queue(ctx, limit=100_000, offset=0)
    needle = search.casefold()
    return [o for o in hold_rows(ctx, rows)
            if not (needle and needle not in o["customer"].casefold() and needle not in o["name"].casefold())
            and not (outcome and o["decision"] != outcome)]


def hold_rows(ctx: ServiceContext, rows: list[tuple[Any, str]]) -> list[dict[str, Any]]:
    """Held orders as work-list rows, with the names of their buyers (only theirs are read)."""
    from arguard.ledger.interface import customers_by_code

    names = {c.code: c.name for c in customers_by_code(ctx, sorted({code for _, code in rows})).values()}
    out = []
    for order, code in rows:
        o = order_json(order, code)
        o["name"] = names.get(code, "")
        o["amount_value"] = Decimal(o["amount"])
        out.append(o)
    return out


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
            "status": service.buyer_status(ctx, code), "terms_label": terms_label, "terms_reason": terms_reason}


