"""Dashboard pages of monitoring: the alert inbox, one alert with its evidence and the buyer's history,
the rule file editor, and a panel of open alerts on every customer page."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from arguard.core.errors import ArguardError
from arguard.monitor import service
from arguard.monitor.model import SEVERITIES
from arguard.monitor.wording import alert_title, evidence_facts
from arguard.platform.context import ServiceContext
from arguard.web.common import WebCtx, language, render
from arguard.web.i18n import translate
from arguard.web.worklist import Page, arrange

router = APIRouter()
PAGE = 50


@router.get("/alerts", response_class=HTMLResponse)
def inbox(request: Request, ctx: WebCtx, status: str = "open", severity: str = "", customer: str = "",
          snoozed: bool = False, offset: int = 0, sort: str = "severity_rank", dir: str = "desc",
          group: bool = False) -> HTMLResponse:
    """The alert inbox as a work list: buyer names, titles in the reader's language, sorting, a filter
    by status, severity and buyer (code or name), grouping by buyer, paging."""
    tr = partial(translate, language(request))
    sort = sort if sort in ALERT_SORTS else "severity_rank"
    if not group and sort in service.ALERT_SORTS_SQL:  # the database filters, sorts and cuts the page
        found, total, at = service.alert_page(
            ctx, status=status or None, min_severity=severity or None, today=date.today(), include_snoozed=snoozed,
            customer_codes=_matching_buyers(ctx, customer.strip()), sort=sort, descending=dir == "desc",
            offset=max(offset, 0), limit=PAGE)
        page = Page(alert_rows(ctx, found, tr, ""), total, at, PAGE)
    else:  # by title (the reader's language), by name (the ledger's) or grouped by buyer: in memory
        rows, _ = service.list_alerts(ctx, status=status or None, min_severity=severity or None,
                                      today=date.today(), include_snoozed=snoozed, limit=INBOX_ALL, offset=0)
        page = arrange(alert_rows(ctx, rows, tr, customer.strip()), sort=sort, descending=dir == "desc",
                       offset=offset, limit=PAGE, allowed=ALERT_SORTS, default="severity_rank",
                       group_key="customer_code" if group else None)
    return render(request, "monitor/inbox.html", alerts=page.rows, total=page.total, offset=page.offset, limit=PAGE,
                  status=status, severity=severity, customer=customer, snoozed=snoozed, group=group,
                  sort=sort if sort in ALERT_SORTS else "severity_rank", dir=dir, severities=SEVERITIES,
                  runs=service.last_runs(ctx, 1))


INBOX_ALL = 20_000
ALERT_SORTS = ("severity_rank", "first_as_of", "last_as_of", "customer_code", "name", "title", "rule_id")


def _matching_buyers(ctx: ServiceContext, search: str) -> list[str] | None:
    """Codes of the buyers whose code or name contains `search` (None: no search)."""
    if not search:
        return None
    from arguard.ledger.interface import list_customers

    found, _ = list_customers(ctx, search=search, limit=1_000_000)
    return [c.code for c in found]


def alert_rows(ctx: ServiceContext, rows: list[Any], tr: Any, search: str) -> list[dict[str, Any]]:
    """Alerts as work-list rows with the buyer's name and the title in the reader's language."""
    from arguard.ledger.interface import customers_by_code

    codes = sorted({a.customer_code for a in rows if a.customer_code})
    names = {c.code: c.name for c in customers_by_code(ctx, codes).values()}  # only the buyers listed
    needle = search.casefold()
    out = []
    for a in rows:
        name = names.get(a.customer_code or "", "")
        if needle and needle not in (a.customer_code or "").casefold() and needle not in name.casefold():
            continue
        out.append({"id": a.id, "severity": a.severity, "severity_rank": SEVERITIES.index(a.severity)
                    if a.severity in SEVERITIES else -1, "title": alert_title(tr, a.kind, a.customer_code,
                                                                               a.evidence or {}, a.title),
                    "customer_code": a.customer_code, "name": name, "rule_id": a.rule_id, "status": a.status,
                    "snoozed_until": a.snoozed_until, "first_as_of": a.first_as_of, "last_as_of": a.last_as_of})
    return out


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(request: Request, alert_id: int, ctx: WebCtx, error: str = "") -> HTMLResponse:
    alert = service.get_alert(ctx, alert_id)
    history = service.buyer_history(ctx, alert.customer_code, 50) if alert.customer_code else {}
    tr = partial(translate, language(request))
    return render(request, "monitor/alert.html", alert=alert, reactions=service.alert_reactions(ctx, alert_id),
                  history=history, error=error, today=date.today(),
                  title=alert_title(tr, alert.kind, alert.customer_code, alert.evidence or {}, alert.title),
                  facts=evidence_facts(tr, alert.evidence or {}),
                  other_titles={a.id: alert_title(tr, a.kind, a.customer_code, a.evidence or {}, a.title)
                                for a in (history.get("alerts") or []) if hasattr(a, "kind")})


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
    return {"alerts": rows, "total": total, "code": code, "title_of": alert_title}


