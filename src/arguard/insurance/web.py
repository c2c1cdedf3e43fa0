"""Credit insurance dashboard: the policy, insured limits, the obligations calendar, declarations, claims and
recoveries. Routes call the insurance services only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from arguard.core.errors import ArguardError, NotFound
from arguard.insurance import service, service_claims
from arguard.insurance.model import Policy
from arguard.insurance.policy import policy_terms
from arguard.insurance.render import render_claim_file, render_declaration
from arguard.platform.context import ServiceContext
from arguard.web.common import AsOf, WebCtx, language, render
from arguard.web.i18n import translate

router = APIRouter()
_MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "pdf": "application/pdf"}
PAGE = 100


def _policy(ctx: ServiceContext, as_of: date) -> Policy | None:
    try:
        return service.get_policy(ctx, None, as_of)
    except NotFound:
        return None


def _none(request: Request, as_of: date) -> HTMLResponse:
    return render(request, "insurance/none.html", as_of=as_of)


@router.get("/insurance", response_class=HTMLResponse)
def obligations_page(request: Request, ctx: WebCtx, as_of: AsOf, status: str | None = None,
                     offset: int = 0) -> HTMLResponse:
    policy = _policy(ctx, as_of)
    if policy is None:
        return _none(request, as_of)
    out = service.check(ctx, policy, as_of)
    rows = [o for o in out["obligations"] if status is None or o["status"] == status]
    tr = partial(translate, language(request))
    counts = {s: sum(1 for o in out["obligations"] if o["status"] == s) for s in ("missed", "due_soon", "notified", "ok")}
    chart = {"type": "bar", "valueFormat": "amount", "data": {
        "labels": [tr(f"insurance.status.{s}") for s in counts],
        "datasets": [{"label": tr("insurance.at_stake"), "data": [
            str(sum((Decimal(o["amount_at_stake"]) for o in out["obligations"] if o["status"] == s), Decimal(0)))
            for s in counts]}]}}
    return render(request, "insurance/obligations.html", as_of=as_of, policy=policy, out=out, counts=counts,
                  rows=rows[offset:offset + PAGE], total=len(rows), offset=offset, limit=PAGE, chart=chart,
                  status=status)


@router.get("/insurance/policy", response_class=HTMLResponse)
def policy_page(request: Request, ctx: WebCtx, as_of: AsOf, error: str | None = None) -> HTMLResponse:
    policies = [policy_terms(p) for p in service.list_policies(ctx)]
    return render(request, "insurance/policy.html", as_of=as_of, policies=policies, error=error)


@router.post("/insurance/policy")
def policy_upload(ctx: WebCtx, text: Annotated[str, Form()]) -> Response:
    try:
        service.load_policy(ctx, text, "dashboard")
    except ArguardError as exc:
        return RedirectResponse(f"/insurance/policy?error={exc.code}", status_code=303)
    return RedirectResponse("/insurance/policy", status_code=303)


@router.get("/insurance/limits", response_class=HTMLResponse)
def limits_page(request: Request, ctx: WebCtx, as_of: AsOf) -> HTMLResponse:
    policy = _policy(ctx, as_of)
    if policy is None:
        return _none(request, as_of)
    return render(request, "insurance/limits.html", as_of=as_of, policy=policy,
                  rows=service_claims.insured_limits(ctx, policy, as_of))


UNDERWRITING_SORTS = ("requested_on", "customer", "requested_value", "status", "decided_value", "exposure_value",
                      "grade", "pd", "recommended_value", "flag_count")


@router.get("/insurance/underwriting", response_class=HTMLResponse)
def underwriting_page(request: Request, ctx: WebCtx, as_of: AsOf, q: str = "", status: str = "",
                      flagged: bool = False, sort: str = "requested_on", dir: str = "asc", offset: int = 0,
                      ) -> HTMLResponse:
    """The underwriter's work list: requests and insurer decisions beside the risk engine's view, sortable,
    filtered by buyer, decision and disagreement, paged."""
    from arguard.insurance.service_underwriting import underwriting_view
    from arguard.web.worklist import arrange

    policy = _policy(ctx, as_of)
    if policy is None:
        return _none(request, as_of)
    view = underwriting_view(ctx, policy, as_of)
    needle = q.strip().casefold()
    rows = [_sortable(x) for x in view["lines"]
            if (not needle or needle in x["customer"].casefold() or needle in x["name"].casefold())
            and (not status or x["decision"]["status"] == status) and (not flagged or x["flags"])]
    page = arrange(rows, sort=sort, descending=dir == "desc", offset=offset, limit=PAGE,
                   allowed=UNDERWRITING_SORTS, default="requested_on")
    return render(request, "insurance/underwriting.html", as_of=as_of, policy=policy, view=view, rows=page.rows,
                  total=page.total, offset=page.offset, limit=PAGE, q=q, status=status, flagged=flagged,
                  sort=sort if sort in UNDERWRITING_SORTS else "requested_on", dir=dir,
                  statuses=("pending", "approved", "partly_approved", "conditional", "reduced", "refused",
                            "cancelled"))


def _sortable(x: dict[str, Any]) -> dict[str, Any]:
    def dec(v: str | None) -> Decimal | None:
        return None if v is None else Decimal(v)

    return {**x, "requested_value": dec(x["requested"]), "status": x["decision"]["status"],
            "decided_value": dec(x["decision"]["amount"]), "exposure_value": dec(x["exposure"]),
            "grade": x["risk"]["grade"], "pd": x["risk"]["pd_12m"],
            "recommended_value": dec(x["risk"]["recommended_limit"]), "flag_count": len(x["flags"])}


@router.get("/insurance/declarations", response_class=HTMLResponse)
def declarations_page(request: Request, ctx: WebCtx, as_of: AsOf) -> HTMLResponse:
    rows = [service_claims.declaration_json(d) for d in service_claims.list_declarations(ctx)]
    return render(request, "insurance/declarations.html", as_of=as_of, rows=rows)


@router.get("/insurance/declarations/{declaration_id}.{fmt}")
def declaration_file(declaration_id: int, fmt: str, ctx: WebCtx) -> Response:
    data = service_claims.declaration_json(service_claims.get_declaration(ctx, declaration_id))
    body = render_declaration(data, fmt)
    return Response(body, media_type=_MEDIA[fmt])


@router.post("/insurance/declarations/{declaration_id}/sent")
def declaration_sent(declaration_id: int, ctx: WebCtx, sent_on: Annotated[str, Form()]) -> Response:
    try:
        service_claims.mark_sent(ctx, declaration_id, date.fromisoformat(sent_on))
    except (ArguardError, ValueError):
        pass
    return RedirectResponse("/insurance/declarations", status_code=303)


@router.get("/insurance/claims", response_class=HTMLResponse)
def claims_page(request: Request, ctx: WebCtx, as_of: AsOf) -> HTMLResponse:
    rows: list[dict[str, Any]] = [service_claims.claim_json(ctx, c) for c in service_claims.list_claims(ctx)]
    return render(request, "insurance/claims.html", as_of=as_of, rows=rows)


@router.get("/insurance/claims/{claim_id}/file.pdf")
def claim_file(request: Request, claim_id: int, ctx: WebCtx) -> Response:
    """The claim file for the insurer, in the reader's language."""
    data = service_claims.claim_json(ctx, service_claims.get_claim(ctx, claim_id), with_file=True)
    return Response(render_claim_file(data, language(request)), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="claim-{claim_id}.pdf"'})
