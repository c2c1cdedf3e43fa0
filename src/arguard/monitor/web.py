"""Dashboard pages of monitoring: the alert inbox, one alert with its evidence and the buyer's history,
the rule file editor, and a panel of open alerts on every customer page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from arguard.core.errors import ArguardError
from arguard.monitor import service
from arguard.monitor.model import SEVERITIES
from arguard.platform.context import ServiceContext
from arguard.web.common import WebCtx, render

router = APIRouter()
PAGE = 50


@router.get("/alerts", response_class=HTMLResponse)
def inbox(request: Request, ctx: WebCtx, status: str = "open", severity: str = "", customer: str = "",
          snoozed: bool = False, page: int = 1) -> HTMLResponse:
    rows, total = service.list_alerts(ctx, status=status or None, min_severity=severity or None,
                                      customer_code=customer or None, today=date.today(),
                                      include_snoozed=snoozed, limit=PAGE, offset=(max(page, 1) - 1) * PAGE)
    return render(request, "monitor/inbox.html", alerts=rows, total=total, status=status, severity=severity,
                  customer=customer, snoozed=snoozed, page=page, pages=max((total + PAGE - 1) // PAGE, 1),
                  severities=SEVERITIES, runs=service.last_runs(ctx, 1))


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(request: Request, alert_id: int, ctx: WebCtx, error: str = "") -> HTMLResponse:
    alert = service.get_alert(ctx, alert_id)
    history = service.buyer_history(ctx, alert.customer_code, 50) if alert.customer_code else {}
    return render(request, "monitor/alert.html", alert=alert, reactions=service.alert_reactions(ctx, alert_id),
                  history=history, error=error, today=date.today())


def _act(alert_id: int, fn: Any) -> Response:
    try:
        fn()
    except ArguardError as exc:
        return RedirectResponse(f"/alerts/{alert_id}?error={exc.code}", status_code=303)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: int, ctx: WebCtx) -> Response:
    return _act(alert_id, lambda: service.acknowledge(ctx, alert_id))


@router.post("/alerts/{alert_id}/resolve")
def resolve(alert_id: int, ctx: WebCtx, note: str = Form("")) -> Response:
    return _act(alert_id, lambda: service.resolve(ctx, alert_id, note))


@router.post("/alerts/{alert_id}/snooze")
def snooze(alert_id: int, ctx: WebCtx, until: Annotated[date, Form()], reason: str = Form("")) -> Response:
    return _act(alert_id, lambda: service.snooze(ctx, alert_id, until, reason or None))


@router.get("/monitor/rules", response_class=HTMLResponse)
def rules_page(request: Request, ctx: WebCtx) -> HTMLResponse:
    text, version = service.rules_text(ctx)
    return render(request, "monitor/rules.html", text=text, version=version, issues=[], saved=False)


@router.post("/monitor/rules", response_class=HTMLResponse)
def rules_save(request: Request, ctx: WebCtx, text: Annotated[str, Form()]) -> HTMLResponse:
    try:
        _, version = service.set_rules(ctx, text)
    except service.RulesInvalid as exc:
        return render(request, "monitor/rules.html", status_code=422, text=text, version=None,
                      issues=exc.issues, saved=False)
    return render(request, "monitor/rules.html", text=text, version=version, issues=[], saved=True)


def customer_panel(ctx: ServiceContext, code: str, as_of: date) -> dict[str, Any] | None:
    rows, total = service.list_alerts(ctx, customer_code=code, limit=10)
    return {"alerts": rows, "total": total, "code": code}


