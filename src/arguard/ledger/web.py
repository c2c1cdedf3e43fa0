"""Ledger dashboard pages: overview, customer list, customer page, statement downloads.

Routes call `arguard.ledger.service` only; the helpers below arrange what the services return into what a
template shows (which currency to chart, the month-ends of the DSO trend, the worst payers first).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from arguard.core.errors import NotFound, ValidationError
from arguard.core.money import FxTable, Money
from arguard.ledger import render as renderers
from arguard.ledger import service, worklist
from arguard.ledger.model import BUCKET_NAMES, AgingReport, AgingRow, DsoFigures
from arguard.platform.context import ServiceContext
from arguard.web.common import AsOf, WebCtx, customer_panels, language, render
from arguard.web.formatting import chart_number
from arguard.web.i18n import translate
from arguard.web.worklist import Page, arrange

router = APIRouter()
PAGE_SIZE = 25
TOP_OVERDUE = 10
TREND_MONTHS = 12
OPEN_ITEMS_SHOWN = 500


def _tr(request: Request) -> Any:
    return partial(translate, language(request))


# ---------------------------------------------------------------- overview

@router.get("/", response_class=HTMLResponse)
def overview(request: Request, ctx: WebCtx, as_of: AsOf, currency: str | None = None) -> HTMLResponse:
    return render(request, "ledger/overview.html", **overview_model(ctx, as_of, currency, _tr(request)))


def overview_model(ctx: ServiceContext, as_of: date, wanted: str | None, tr: Any) -> dict[str, Any]:
    aging, dso = service.aging_and_dso(ctx, as_of)  # one scan of the documents for both
    currencies = sorted({t.currency for t in aging.totals} | {d.currency for d in dso})
    view = _view_currency(aging, wanted, currencies)
    total = next((t for t in aging.totals if t.currency == view), None)
    figures = next((d for d in dso if d.currency == view), None)
    trend = dso_trend(ctx, as_of, view)
    return {
        "as_of": as_of, "aging": aging, "dso": dso, "currencies": currencies, "view": view,
        "view_total": total, "figures": figures, "dso_by_currency": {d.currency: d for d in dso},
        "aging_chart": aging_chart(total, tr) if total else None,
        "dso_chart": dso_chart(trend, tr),
        "top_overdue": top_overdue(ctx, aging, as_of),
    }


def _view_currency(aging: AgingReport, wanted: str | None, currencies: list[str]) -> str | None:
    """The currency whose aging chart, KPIs and trend are shown: the one asked for, else the base
    currency when it has receivables, else the currency with the most open items."""
    if wanted and wanted.upper() in currencies:
        return wanted.upper()
    if aging.base_currency in {t.currency for t in aging.totals}:
        return aging.base_currency
    if aging.totals:
        return max(aging.totals, key=lambda t: (t.items, t.currency)).currency
    return currencies[0] if currencies else None


def aging_chart(total: AgingRow, tr: Any) -> dict[str, Any]:
    return {"type": "bar", "valueFormat": "amount", "palette": "aging",
            "data": {"labels": [tr(f"ledger.bucket.{b}") for b in BUCKET_NAMES],
                     "datasets": [{"label": total.currency,
                                   "data": [chart_number(m) for m in total.buckets]}]}}


def month_ends(as_of: date, months: int) -> list[date]:
    """The last day of each of the `months − 1` months before as_of's month, then as_of itself."""
    out = []
    for k in range(months - 1, 0, -1):
        y, m = divmod(as_of.month - 1 - k, 12)
        year, month = as_of.year + y, m + 1
        out.append(date(year, month, calendar.monthrange(year, month)[1]))
    return [*out, as_of]


def dso_trend(ctx: ServiceContext, as_of: date, currency: str | None) -> list[tuple[date, DsoFigures | None]]:
    if currency is None:
        return []
    ends = month_ends(as_of, TREND_MONTHS)
    history = service.dso_history(ctx, ends)
    return [(end, next((f for f in figures if f.currency == currency), None))
            for end, figures in zip(ends, history, strict=True)]


def dso_chart(trend: list[tuple[date, DsoFigures | None]], tr: Any) -> dict[str, Any]:
    def series(key: str, attr: str) -> dict[str, Any]:
        return {"label": tr(key), "data": [chart_number(getattr(f, attr)) if f else None for _, f in trend]}

    return {"type": "line", "valueFormat": "days",
            "data": {"labels": [d.isoformat() if i == len(trend) - 1 else d.strftime("%Y-%m")
                                for i, (d, _) in enumerate(trend)],
                     "datasets": [series("ledger.dso", "dso"), series("ledger.dso_count_back", "dso_count_back"),
                                  series("ledger.bpdso", "bpdso")]}}


def top_overdue(ctx: ServiceContext, aging: AgingReport, as_of: date) -> list[dict[str, Any]]:
    """Customers with the most overdue, compared in the base currency where a rate exists."""
    rows = [r for r in aging.rows if r.customer_code and r.overdue.amount > 0]
    fx = service.fx_table(ctx)
    rows.sort(key=lambda r: _in_base(fx, r.overdue, aging.base_currency, as_of), reverse=True)
    out = []
    for r in rows[:TOP_OVERDUE]:
        oldest = max((i for i, m in enumerate(r.buckets) if m.amount > 0), default=0)
        out.append({"row": r, "name": service.get_customer(ctx, r.customer_code or "").name,
                    "oldest": BUCKET_NAMES[oldest], "share": _share(r.overdue, r.total)})
    return out


def _in_base(fx: FxTable, money: Money, base: str | None, as_of: date) -> Decimal:
    if base is None or money.currency == base:
        return money.amount
    try:
        return fx.convert(money, base, as_of).amount
    except ValidationError:
        return money.amount


def _share(part: Money, whole: Money) -> Decimal | None:
    if whole.amount <= 0:
        return None
    return (part.amount / whole.amount * 100).quantize(Decimal("0.1"))


# ---------------------------------------------------------------- customers

@router.get("/customers", response_class=HTMLResponse)
def customers(request: Request, ctx: WebCtx, as_of: AsOf, q: str = "", country: str = "",
              offset: int = 0, sort: str = "code", dir: str = "asc") -> HTMLResponse:
    """The customers work list: grade, limit, exposure, balance, overdue and DSO per buyer, sortable
    (figures compared in the base currency), 25 a page."""
    search, where = q.strip() or None, country.strip() or None
    sort = sort if sort in CUSTOMER_SORTS else "code"
    cut = worklist.customer_board_page(ctx, as_of, search=search, country=where, sort=sort, descending=dir == "desc",
                                       offset=max(offset, 0), limit=PAGE_SIZE)
    if cut is not None:  # sorted by master data: the database cuts the page
        page = Page(cut[0], cut[1], cut[2], PAGE_SIZE)
    else:  # sorted by a figure: every customer's figures are needed to know the page
        page = arrange(worklist.customer_board(ctx, as_of, search=search, country=where), sort=sort,
                       descending=dir == "desc", offset=max(offset, 0), limit=PAGE_SIZE, allowed=CUSTOMER_SORTS,
                       default="code")
    return render(request, "ledger/customers.html", as_of=as_of, customers=page.rows, total=page.total, q=q,
                  country=country.strip().upper(), countries=service.customer_countries(ctx), offset=page.offset,
                  limit=PAGE_SIZE, sort=sort if sort in CUSTOMER_SORTS else "code", dir=dir,
                  base=service.base_currency(ctx))


CUSTOMER_SORTS = ("code", "name", "country", "grade", "limit_value", "exposure_value", "ar_value", "overdue_value",
                  "dso")


@router.get("/customers/{code}", response_class=HTMLResponse)
def customer_page(request: Request, code: str, ctx: WebCtx, as_of: AsOf, since: str = "") -> HTMLResponse:
    start = _since(since, as_of)
    detail = service.customer_detail(ctx, code, as_of)
    aging_charts = [(r.currency, aging_chart(r, _tr(request))) for r in detail.aging if not r.total.is_zero()]
    return render(request, "ledger/customer.html", as_of=as_of, since=start, detail=detail,
                  customer=detail.customer, aging_charts=aging_charts,
                  open_items=service.open_items(ctx, code, as_of, limit=OPEN_ITEMS_SHOWN),
                  open_items_shown=OPEN_ITEMS_SHOWN,
                  payments=service.payment_history(ctx, code, as_of, limit=50),
                  statements=service.statement_of_account(ctx, code, as_of, since=start),
                  panels=customer_panels(ctx, code, as_of))


def _since(raw: str, as_of: date) -> date:
    """Start of the statement period: `?since=`, else one year before as_of."""
    if not raw.strip():
        return as_of - timedelta(days=365)
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"since must be a date written YYYY-MM-DD, not {raw!r}", code="invalid_since") from None


@router.get("/customers/{code}/statement.{fmt}")
def statement_download(code: str, fmt: str, ctx: WebCtx, as_of: AsOf, since: str = "",
                       currency: str | None = None) -> Response:
    """The statement of account as a file, by the same renderer as the API and the CLI."""
    if fmt not in renderers.FORMATS:
        raise NotFound(f"no statement format {fmt!r} ({', '.join(renderers.FORMATS)})", code="unknown_format")
    statements = service.statement_of_account(ctx, code, as_of, since=_since(since, as_of), currency=currency)
    body = renderers.render(statements, fmt, service.statement_sender(ctx))
    name = f"statement_{code}_{as_of.isoformat()}.{fmt}"
    return Response(body, media_type=renderers.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
