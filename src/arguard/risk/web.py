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
from arguard.web.common import AsOf, WebCtx, add_customer_panel, add_nav, render
from arguard.web.i18n import register

router = APIRouter()
add_nav("/risk", "nav.risk", 30)
register({
    "nav.risk": ("Risk", "风险评级"),
    "risk.title": ("Buyer risk grades", "买方风险评级"),
    "risk.sub": ("Newest grade of every buyer: 1 exceptional … 9 at risk of failure, 10 insolvent or in default",
                 "每个买方的最新评级：1 极好 … 9 有倒闭风险，10 破产或违约"),
    "risk.distribution": ("Grade distribution", "评级分布"),
    "risk.exposure": ("Open receivables by grade", "按评级的未收应收账款"),
    "risk.grade": ("Grade", "评级"),
    "risk.buyers": ("Buyers", "买方数"),
    "risk.open": ("Open receivables", "未收金额"),
    "risk.band": ("PD band", "违约概率区间"),
    "risk.panel.title": ("Risk grade", "风险评级"),
    "risk.pd": ("12-month PD", "12 个月违约概率"),
    "risk.confidence": ("Confidence", "可信度"),
    "risk.financial_pd": ("PD from the accounts", "财务报表违约概率"),
    "risk.reasons": ("Top reasons", "主要原因"),
    "risk.history": ("Grade history", "评级历史"),
    "risk.none": ("Not graded yet.", "尚未评级。"),
    "risk.stale": ("This grade is more than 30 days old.", "该评级已超过 30 天。"),
    "risk.regrade": ("Re-grade now", "立即重新评级"),
    "risk.regraded": ("Re-graded.", "已重新评级。"),
    "risk.reasons_method": ("Reasons from the accounts", "财务原因计算方式"),
    "risk.reasons_method.exact_treeshap": ("exact (TreeSHAP)", "精确（TreeSHAP）"),
    "risk.reasons_method.per_leaf": ("fast (per-leaf attribution)", "快速（按叶节点归因）"),
    "risk.raises": ("raises", "提高"),
    "risk.lowers": ("lowers", "降低"),
    "risk.date": ("Date", "日期"),
    "risk.trigger": ("Trigger", "触发"),
    "risk.confidence.high": ("high", "高"),
    "risk.confidence.medium": ("medium", "中"),
    "risk.confidence.low": ("low", "低"),
    "risk.band.1": ("exceptional", "极好"),
    "risk.band.2": ("excellent", "优秀"),
    "risk.band.3": ("very good", "很好"),
    "risk.band.4": ("good", "良好"),
    "risk.band.5": ("average", "一般"),
    "risk.band.6": ("fair", "尚可"),
    "risk.band.7": ("weak", "偏弱"),
    "risk.band.8": ("poor", "差"),
    "risk.band.9": ("at risk of failure", "有倒闭风险"),
    "risk.band.10": ("insolvent or in default", "破产或违约"),
})


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


add_customer_panel("risk/customer_panel.html", risk_panel, order=45)
