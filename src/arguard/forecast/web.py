"""Forecast dashboard: the fan chart of receipts (actual before the date, forecast after) and the
provision matrix with its movement."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from arguard.core.errors import ArguardError
from arguard.forecast.service import ForecastRequest, forecast_run, receipts_before
from arguard.forecast.service_provisions import ProvisionRequest, provisions
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
    tr = partial(translate, language(request))
    error = forecast = fan = provision = None
    currency = ""
    try:
        forecast = forecast_run(ctx, ForecastRequest(as_of, scenarios=100))
        currency = forecast["currency"]
        fan = fan_chart(receipts_before(ctx, as_of), forecast, tr)
    except ArguardError as exc:
        error = exc.message
    try:
        provision = provisions(ctx, ProvisionRequest(as_of))
        currency = currency or provision["currency"]
    except ArguardError as exc:
        error = error or exc.message
    return render(request, "forecast/page.html", as_of=as_of, forecast=forecast, fan=fan, provision=provision,
                  error=error, currency=currency)
