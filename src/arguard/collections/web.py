"""Collections dashboard: the worklist (ordering explained), the dunning run and policy, cases (one case with
its costs and recoveries), disputes and KPIs. Routes call the collections services only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from arguard.collections import service, service_cases, service_kpis, service_work
from arguard.core.errors import ArguardError, NotFound
from arguard.core.money import Money
from arguard.platform.context import ServiceContext
from arguard.web.common import AsOf, WebCtx, render

router = APIRouter()


def _policy_name(ctx: Any) -> str | None:
    try:
        return service.get_policy(ctx).name
    except ArguardError:
        return None


@router.get("/collections", response_class=HTMLResponse)
def worklist_page(request: Request, ctx: WebCtx, as_of: AsOf, collector: str | None = None, offset: int = 0,
                  error: str | None = None, done: str | None = None) -> HTMLResponse:
    items, total = service_work.worklist(ctx, as_of, collector or None, limit=50, offset=offset)
    run = service_work.latest_run(ctx, as_of)
    return render(request, "collections/worklist.html", as_of=as_of, items=[service_work.work_item_dict(w) for w in items],
                  total=total, offset=offset, limit=50, collector=collector or "", run=run,
                  policy=_policy_name(ctx), error=error, done=done,
                  tasks=service_work.list_tasks(ctx, limit=20))


@router.post("/collections/run")
def run_action(ctx: WebCtx, as_of: Annotated[str, Form()]) -> Response:
    from datetime import date

    try:
        _, replayed = service.run_dunning(ctx, date.fromisoformat(as_of))
    except (ArguardError, ValueError) as exc:
        return RedirectResponse(f"/collections?error={getattr(exc, 'code', 'invalid_date')}", status_code=303)
    return RedirectResponse(f"/collections?as_of={as_of}&done={'replayed' if replayed else 'run'}", status_code=303)


@router.get("/collections/policy", response_class=HTMLResponse)
def policy_page(request: Request, ctx: WebCtx, error: str | None = None) -> HTMLResponse:
    try:
        text = service.policy_source(ctx)
    except NotFound:
        text = ""
    return render(request, "collections/policy.html", text=text, error=error)


@router.post("/collections/policy")
def policy_save(request: Request, ctx: WebCtx, yaml: Annotated[str, Form(max_length=256 * 1024)]) -> Response:
    try:
        service.load_policy(ctx, yaml, "dashboard")
    except ArguardError as exc:
        return render(request, "collections/policy.html", text=yaml, error=exc.message, status_code=422)
    return RedirectResponse("/collections/policy", status_code=303)


@router.get("/collections/cases", response_class=HTMLResponse)
def cases_page(request: Request, ctx: WebCtx, status: str | None = None) -> HTMLResponse:
    rows = [service_cases.case_dict(r, *service_cases.get_case(ctx, r.id)[1:])
            for r in service_cases.list_cases(ctx, status or None)]
    return render(request, "collections/cases.html", cases=rows, status=status or "")


@router.get("/collections/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, ctx: WebCtx, case_id: int, error: str | None = None) -> HTMLResponse:
    case = service_cases.case_dict(*service_cases.get_case(ctx, case_id))
    return render(request, "collections/case.html", case=case, error=error,
                  statuses=service_cases.CASE_STATUSES[1:])


@router.post("/collections/cases/{case_id}/{what}")
def case_action(ctx: WebCtx, case_id: int, what: str, amount: Annotated[str, Form()] = "",
                note: Annotated[str, Form()] = "", status: Annotated[str, Form()] = "",
                on: Annotated[str, Form()] = "") -> Response:
    from datetime import UTC, date, datetime

    try:
        day = date.fromisoformat(on) if on else datetime.now(UTC).date()
        row, _, _ = service_cases.get_case(ctx, case_id)
        if what == "cost":
            service_cases.add_case_cost(ctx, case_id, Money.of(amount, row.currency), day, note or "cost")
        elif what == "recovery":
            service_cases.add_recovery(ctx, case_id, Money.of(amount, row.currency), day, note or None)
        elif what == "close":
            service_cases.close_case(ctx, case_id, status, day, note or None)
        else:
            raise NotFound(f"no action {what!r}", code="not_found")
    except (ArguardError, ValueError) as exc:
        return RedirectResponse(f"/collections/cases/{case_id}?error={getattr(exc, 'code', 'invalid')}",
                                status_code=303)
    return RedirectResponse(f"/collections/cases/{case_id}", status_code=303)


@router.get("/collections/disputes", response_class=HTMLResponse)
def disputes_page(request: Request, ctx: WebCtx, status: str | None = "open", error: str | None = None
                  ) -> HTMLResponse:
    rows = service_work.list_disputes(ctx, status or None)
    return render(request, "collections/disputes.html", disputes=rows, status=status or "", error=error,
                  reasons=service_work.DISPUTE_REASONS, resolutions=service_work.DISPUTE_RESOLUTIONS)


@router.post("/collections/disputes")
def dispute_open(ctx: WebCtx, as_of: AsOf, invoice: Annotated[str, Form()], reason: Annotated[str, Form()],
                 owner: Annotated[str, Form()], note: Annotated[str, Form()] = "") -> Response:
    try:
        service_work.open_dispute(ctx, invoice.strip(), reason, owner, as_of, note or None)
    except ArguardError as exc:
        return RedirectResponse(f"/collections/disputes?error={exc.code}", status_code=303)
    return RedirectResponse("/collections/disputes", status_code=303)


@router.post("/collections/disputes/{dispute_id}/resolve")
def dispute_resolve(ctx: WebCtx, as_of: AsOf, dispute_id: int, resolution: Annotated[str, Form()],
                    note: Annotated[str, Form()] = "") -> Response:
    try:
        service_work.resolve_dispute(ctx, dispute_id, resolution, as_of, note or None)
    except ArguardError as exc:
        return RedirectResponse(f"/collections/disputes?error={exc.code}", status_code=303)
    return RedirectResponse("/collections/disputes", status_code=303)


@router.get("/collections/kpis", response_class=HTMLResponse)
def kpis_page(request: Request, ctx: WebCtx, as_of: AsOf, period_days: int = 90) -> HTMLResponse:
    k = service_kpis.kpis(ctx, as_of, period_days)
    chart = {"type": "bar", "valueFormat": "amount", "data": {
        "labels": [f"{r['level']} ({r['currency']})" for r in k["per_level"]],
        "datasets": [{"label": "total_due", "data": [r["total_due"] for r in k["per_level"]]}]}}
    return render(request, "collections/kpis.html", as_of=as_of, k=k, chart=chart,
                  since=as_of - timedelta(days=period_days), period_days=period_days)


def customer_panel(ctx: ServiceContext, code: str, as_of: date) -> dict[str, Any] | None:
    """The buyer's collections facts on its customer page (grade and limit are the risk and limits panels)."""
    from sqlalchemy import select

    from arguard.collections.tables import Assignment

    collector = ctx.session.scalar(select(Assignment.collector).where(Assignment.company_id == ctx.company_id,
                                                                      Assignment.customer_code == code))
    promises = [{"reference": p.reference, "amount": str(Money.from_minor(p.amount_minor, p.currency).amount),
                 "currency": p.currency, "due_on": p.due_on, "status": p.status}
                for p in service_work.list_promises(ctx, code, limit=10)]
    from arguard.ledger import interface as ledger

    cust = ledger.customers_by_code(ctx, [code]).get(code)
    return {"code": code, "collector": collector, "promises": promises,
            "contacts": service_work.contacts(ctx, code, limit=10),
            "disputes": service_work.list_disputes(ctx, customer_code=code, limit=10),
            "actions": service.list_actions(ctx, customer_code=code, limit=5),
            "channels": service_work.CONTACT_CHANNELS, "outcomes": service_work.CONTACT_OUTCOMES,
            "currency": (cust.currency if cust and cust.currency else ledger.base_currency(ctx))}


@router.post("/collections/buyers/{code}/{what}")
def buyer_action(ctx: WebCtx, code: str, what: str, as_of: AsOf, channel: Annotated[str, Form()] = "",
                 outcome: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
                 amount: Annotated[str, Form()] = "", currency: Annotated[str, Form()] = "",
                 due_on: Annotated[str, Form()] = "") -> Response:
    from datetime import date as date_

    try:
        if what == "contact":
            service_work.log_contact(ctx, code, as_of, channel, outcome, note or None)
        elif what == "promise":
            service_work.add_promise(ctx, code, Money.of(amount, currency), date_.fromisoformat(due_on), as_of)
        else:
            raise NotFound(f"no action {what!r}", code="not_found")
    except (ArguardError, ValueError) as exc:
        return RedirectResponse(f"/customers/{code}?error={getattr(exc, 'code', 'invalid')}", status_code=303)
    return RedirectResponse(f"/customers/{code}", status_code=303)
