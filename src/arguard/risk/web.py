"""Risk dashboard: portfolio page (grade distribution, exposure by grade) and the buyer risk panel."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from arguard.core.errors import ArguardError
from arguard.core.money import Money
from arguard.platform.context import ServiceContext
from arguard.platform.roles import role_allows
from arguard.risk import service
from arguard.risk.masterscale import band_of
from arguard.web.common import AsOf, WebCtx, render

router = APIRouter()


def shown(value: Any) -> str:
    """A reason's observed value for people: 4 significant digits, text as it is, nothing when absent."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"


@router.get("/risk", response_class=HTMLResponse)
def risk_page(request: Request, ctx: WebCtx, as_of: AsOf) -> HTMLResponse:
    rows = service.portfolio(ctx)
    for r in rows:
        band = band_of(r["grade"])
        r["band"] = band.label if r["grade"] == 10 else f"{band.lower:.2%}–{band.upper:.2%}"
        r["open"] = [str(Money.from_minor(m, c)) for c, m in sorted(r["open_minor"].items())]
    currencies = sorted({c for r in rows for c in r["open_minor"]})
    labels = [str(r["grade"]) for r in rows]
    # Buyers are counted in whole numbers: an axis up to at least 10 keeps Chart.js's ticks on integers.
    distribution = {"type": "bar", "valueFormat": "number",
                    "options": {"scales": {"y": {"suggestedMax": 10}}},
                    "data": {"labels": labels, "datasets": [{"label": "buyers", "data": [r["buyers"] for r in rows]}]}}
    exposure = {"type": "bar", "valueFormat": "amount", "data": {"labels": labels, "datasets": [
        {"label": c, "data": [str(Money.from_minor(r["open_minor"].get(c, 0), c).amount) for r in rows]}
        for c in currencies]}}
    return render(request, "risk/portfolio.html", as_of=as_of, rows=rows, distribution=distribution,
                  exposure=exposure)


def risk_panel(ctx: ServiceContext, code: str, as_of: date) -> dict[str, Any] | None:
    """The newest stored grade (a page view never grades); `can_regrade` for analysts and above."""
    data = service.buyer_risk(ctx, code, as_of)
    data["band"] = band_of(data["grade"]).label if data["grade"] is not None else None
    data["reasons"] = [{**r, "shown": shown(r.get("value"))} for r in data["reasons"]]
    data["can_regrade"] = role_allows(ctx.role, "analyst")
    return data


@router.post("/customers/{code}/risk/regrade")
def regrade(code: str, ctx: WebCtx, as_of: AsOf) -> RedirectResponse:
    """Grade one buyer now (exact reasons; analyst role), then back to the customer page."""
    try:
        service.regrade_buyer(ctx, code, as_of)
    except ArguardError as exc:
        return RedirectResponse(f"/customers/{code}?error={exc.code}#risk-panel", status_code=303)
    return RedirectResponse(f"/customers/{code}?regraded=1#risk-panel", status_code=303)


