"""Forecast dashboard: the fan chart of receipts (actual before the date, forecast after) and the
provision matrix with its movement."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from arguard.core.errors import ValidationError
from arguard.forecast.pages import page_result, recompute_page
from arguard.forecast.provisions import ALLOWANCE_ACCOUNT, EXPENSE_ACCOUNT
from arguard.platform.roles import role_allows
from arguard.web.common import AsOf, WebCtx, language, render
from arguard.web.i18n import translate

router = APIRouter()


def fan_chart(actual: list[dict[str, str]], forecast: dict[str, Any], tr: Any) -> dict[str, Any]:
    """Chart.js line chart: actual receipts per week, then the forecast's P10–P90 band and expectation."""
    past, future = len(actual), len(forecast["weekly"])
    labels = [w["from"] for w in actual] + [w["from"] for w in forecast["weekly"]]

    def series(key: str) -> list[str | None]:
        return [None] * past + [w[key] for w in forecast["weekly"]]

    return {"type": "line", "valueFormat": "amount", "data": {"labels": labels, "datasets": [
        {"label": tr("forecast.actual"), "data": [w["actual"] for w in actual] + [None] * future},
        {"label": tr("forecast.p10"), "data": series("p10"), "borderDash": [4, 4]},
        {"label": tr("forecast.p90"), "data": series("p90"), "borderDash": [4, 4], "fill": "-1"},
        {"label": tr("forecast.expected"), "data": series("expected")},
    ]}}


@router.get("/forecast", response_class=HTMLResponse)
def forecast_page(request: Request, ctx: WebCtx, as_of: AsOf) -> HTMLResponse:
    """The stored answer for the date (README rule 9): computed only when none is stored yet."""
    tr = partial(translate, language(request))
    stored = page_result(ctx, as_of)
    p = stored.payload
    forecast, provision = p["forecast"], p["provision"]
    fan = fan_chart(p["actual"], forecast, tr) if forecast is not None else None
    currency = (forecast or {}).get("currency") or (provision or {}).get("currency", "")
    labels = {EXPENSE_ACCOUNT: tr("forecast.acct_expense"), ALLOWANCE_ACCOUNT: tr("forecast.acct_allowance"),
              "current": tr("forecast.not_due")}
    return render(request, "forecast/page.html", as_of=as_of, forecast=forecast, fan=fan, provision=provision,
                  labels=labels,
                  error=p["error"], currency=currency, computed_at=stored.computed_at, stale=stored.stale,
                  can_recompute=role_allows(ctx.role, "credit_manager"))


@router.post("/forecast/recompute")
def forecast_recompute(ctx: WebCtx, as_of: Annotated[str, Form()]) -> Response:
    """Compute the page's answer again (credit manager; same-origin forms only, like every dashboard POST)."""
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        raise ValidationError(f"as_of must be a date written YYYY-MM-DD, not {as_of!r}", code="invalid_as_of") from None
    recompute_page(ctx, day)
    return RedirectResponse(f"/forecast?as_of={day.isoformat()}", status_code=303)
