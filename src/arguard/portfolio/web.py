"""Portfolio page: the loss distribution with its tail marked, VaR/ES, contributions, and the policy
compared with the structures around it."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from arguard.portfolio import service
from arguard.web.common import AsOf, WebCtx, language, render
from arguard.web.i18n import translate

router = APIRouter()


def loss_chart(answer: dict[str, Any], tr: Any) -> dict[str, Any]:
    """Histogram as bars on a log scale: the body in blue, the bins beyond the 99.9 % VaR in red."""
    cut = answer["var"]["0.999"]
    bins = answer.get("histogram", [])
    labels = [f"{x:,.0f}" for x, _ in bins]
    # Below one in a billion a bar is invisible on any screen; leaving it out keeps the log axis readable.
    body = [p if x < cut and p >= 1e-9 else None for x, p in bins]
    tail = [p if x >= cut and p >= 1e-9 else None for x, p in bins]
    return {"type": "bar", "valueFormat": "probability",
            "options": {"scales": {"x": {"stacked": True}, "y": {"type": "logarithmic", "stacked": False}}},
            "data": {"labels": labels, "datasets": [
                {"label": tr("portfolio.body"), "data": body, "backgroundColor": "#4e79a7"},
                {"label": tr("portfolio.tail"), "data": tail, "backgroundColor": "#e15759"}]}}


@router.get("/portfolio", response_class=HTMLResponse)
def portfolio_page(request: Request, ctx: WebCtx, as_of: AsOf, indemnity: float = 90.0,
                   afl: float = 0.0, rate: float = 0.2) -> HTMLResponse:
    tr = partial(translate, language(request))
    indemnity, rate, afl = min(max(indemnity, 0.0), 100.0), min(max(rate, 0.0), 100.0), max(afl, 0.0)
    stored = service.stored_book(ctx, as_of)
    if len(stored.book) == 0:
        return render(request, "portfolio/portfolio.html", as_of=as_of, answer=None, insurance=None,
                      indemnity=indemnity, afl=afl, rate=rate)
    done = service.page_answer(ctx, stored, as_of, indemnity, afl, rate)
    answer, insurance = done["answer"], done["insurance"]
    return render(request, "portfolio/portfolio.html", as_of=as_of, answer=answer, insurance=insurance,
                  chart=loss_chart(answer, tr), ungraded=stored.ungraded, ungraded_pd=service.UNGRADED_PD,
                  indemnity=indemnity, afl=afl, rate=rate)
