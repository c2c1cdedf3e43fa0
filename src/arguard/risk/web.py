"""Risk dashboard: portfolio page (grade distribution, exposure by grade) and the buyer risk panel."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from arguard.core.errors import ArguardError
from arguard.core.money import Money
from arguard.platform.context import ServiceContext
from arguard.platform.roles import role_allows
from arguard.risk import service
from arguard.risk.masterscale import band_of
from arguard.web.common import AsOf, WebCtx, language, render
from arguard.web.i18n import translate

router = APIRouter()


def shown(value: Any) -> str:
    """A reason's observed value for people: 4 significant digits, text as it is, nothing when absent."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"


@router.get("/risk", response_class=HTMLResponse)
def risk_page(request: Request, ctx: WebCtx, as_of: AsOf, grade: int | None = None) -> HTMLResponse:
    """Grade distribution and open receivables by grade in the base currency (converted at the dated
    rate; amounts without a rate are listed apart), and the buyers behind one grade (`?grade=`)."""
    from arguard.ledger import interface as ledger

    base = ledger.base_currency(ctx)
    rows = service.portfolio(ctx)
    for r in rows:
        band = band_of(r["grade"])
        r["band"] = band.label if r["grade"] == 10 else f"{band.lower:.2%}–{band.upper:.2%}"
        r["open"] = [Money.from_minor(m, c) for c, m in sorted(r["open_minor"].items())]
        r["open_base"], r["unconverted"] = _in_base(ctx, r["open"], base, as_of)
    labels = [str(r["grade"]) for r in rows]
    tr = partial(translate, language(request))
    # Buyers are counted in whole numbers: an axis up to at least 10 keeps Chart.js's ticks on integers.
    distribution = {"type": "bar", "valueFormat": "number",
                    "options": {"scales": {"y": {"suggestedMax": 10}}},
                    "data": {"labels": labels, "datasets": [{"label": tr("risk.buyers"),
                                                             "data": [r["buyers"] for r in rows]}]}}
    exposure = {"type": "bar", "valueFormat": "amount", "data": {"labels": labels, "datasets": [
        {"label": base, "data": [str(r["open_base"].amount) for r in rows]}]}}
    buyers = _buyers_of_grade(ctx, grade, as_of, base) if grade is not None else None
    return render(request, "risk/portfolio.html", as_of=as_of, rows=rows, distribution=distribution,
                  exposure=exposure, base=base, grade=grade, buyers=buyers)


def _in_base(ctx: ServiceContext, amounts: list[Money], base: str, as_of: date) -> tuple[Money, list[Money]]:
    """The sum in the base currency, and the amounts that could not be converted (no rate)."""
    from arguard.ledger import interface as ledger

    total, left = Money(Decimal(0), base), []
    for m in amounts:
        try:
            total = total + (m if m.currency == base else ledger.convert(ctx, m, base, as_of))
        except ArguardError:
            left.append(m)
    return total, left


def _buyers_of_grade(ctx: ServiceContext, grade: int, as_of: date, base: str) -> list[dict[str, Any]]:
    """The buyers whose newest grade is `grade`, largest open receivables (in the base currency) first."""
    from arguard.ledger import interface as ledger
    from arguard.risk.interface import newest_grades

    codes = {code: pd for code, (g, pd) in newest_grades(ctx).items() if g == grade}
    customers, _ = ledger.list_customers(ctx, limit=1_000_000)
    names = {c.code: c.name for c in customers}
    owed: dict[str, list[Money]] = {}
    for r in ledger.aging_report(ctx, as_of).rows:
        if r.customer_code in codes:
            owed.setdefault(r.customer_code, []).append(r.total)
    out = []
    for code, pd in codes.items():
        total, left = _in_base(ctx, owed.get(code, []), base, as_of)
        out.append({"code": code, "name": names.get(code, ""), "pd": pd, "open": total, "unconverted": left})
    return sorted(out, key=lambda b: (-b["open"].amount, b["code"]))


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


