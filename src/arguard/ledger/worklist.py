"""The customers work list (dashboard): every customer of a search with balance, overdue and DSO from
the ledger, newest grade from risk and limit and exposure from limits — each a set-based read for the
whole list (one aging scan, one sum of monthly sales, one grade query, one pass of the limits book), never
one query per row. A buyer's DSO is the count-back DSO (`metrics.count_back_dso`: each month's credit
sales, newest first, consume the balance) — per buyer the simple 90-day ratio misleads (one invoice
issued 10 days ago reads 90 days). Figures to compare across customers are in the base currency (converted at the dated
rate; None where a rate is missing). Service layer of the ledger; risk and limits through their
front doors."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, literal, select

from arguard.core.errors import ValidationError
from arguard.core.money import FxTable, Money
from arguard.ledger import metrics
from arguard.ledger.service import list_customers
from arguard.ledger.service_views import aging_report, base_currency, fx_table
from arguard.ledger.tables import Customer, Invoice
from arguard.platform.context import ServiceContext

DSO_MONTHS = 24
"""Months of credit sales the count-back DSO walks back at most (`metrics.count_back_windows`)."""


SQL_SORTS = {"code": Customer.code, "name": func.lower(Customer.name), "country": Customer.country}
"""Sorts of master data: the page is cut in SQL and only its customers' figures are computed."""


def customer_board_page(ctx: ServiceContext, as_of: date, *, search: str | None = None, country: str | None = None,
                        sort: str = "code", descending: bool = False, offset: int = 0,
                        limit: int = 25) -> tuple[list[dict[str, Any]], int, int] | None:
    """One page of `customer_board`: (rows, total, offset). Sorted by code, name or country the page is
    cut by the database; by balance, overdue, DSO or grade the sort key is read for every customer (the
    aging scan, or the newest grades) and the page cut from it — either way the other figures (limits
    and exposure above all) are read for the page's customers only. None for a sort by limit or exposure
    (the caller sorts the whole board)."""
    column = SQL_SORTS.get(sort)
    if column is None:
        return _figure_page(ctx, as_of, search, country, sort, descending, offset, limit)
    q = select(Customer).where(Customer.company_id == ctx.company_id)
    if search:
        q = q.where(Customer.name.ilike(f"%{search}%") | Customer.code.ilike(f"%{search}%"))
    if country:
        q = q.where(Customer.country == country.upper())
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    offset = max(0, min(offset, max(total - 1, 0)))
    order = [column.desc() if descending else column.asc(), Customer.code]  # ties by code, as the board sorts
    customers = list(ctx.session.scalars(q.order_by(*order).offset(offset).limit(limit)))
    return _board(ctx, as_of, customers, whole=False), total, offset


KEY_SORTS = ("ar_value", "overdue_value", "dso", "grade")
"""Sorts by a figure whose key is cheap to read for every customer (not limit or exposure)."""


def _figure_page(ctx: ServiceContext, as_of: date, search: str | None, country: str | None, sort: str,
                 descending: bool, offset: int, limit: int) -> tuple[list[dict[str, Any]], int, int] | None:
    if sort not in KEY_SORTS:
        return None
    customers, _ = list_customers(ctx, search=search, country=country, limit=10_000_000)
    keys = _board(ctx, as_of, customers, whole=True, only=sort)
    # as the dashboard sorts a work list: rows without the figure last either way, ties in code order
    present = sorted((r for r in keys if r[sort] is not None), key=lambda r: r[sort], reverse=descending)
    ordered = present + [r for r in keys if r[sort] is None]
    offset = max(0, min(offset, max(len(ordered) - 1, 0)))
    by_code = {c.code: c for c in customers}
    page = [by_code[r["code"]] for r in ordered[offset:offset + limit]]
    return _board(ctx, as_of, page, whole=False), len(ordered), offset


def customer_board(ctx: ServiceContext, as_of: date, *, search: str | None = None,
                   country: str | None = None) -> list[dict[str, Any]]:
    """One row per customer matching the search: code, name, country, terms, balances (AgingRows per
    currency), ar/overdue in the base currency, dso (count-back days, in the base currency), grade, pd, limit, exposure."""
    customers, _ = list_customers(ctx, search=search, country=country, limit=10_000_000)
    return _board(ctx, as_of, customers, whole=True)


def _board(ctx: ServiceContext, as_of: date, customers: list[Customer], whole: bool,
           only: str | None = None) -> list[dict[str, Any]]:
    """The board's rows of `customers`: set-based reads of the whole book (whole) or of these customers.
    only: the rows carry just this sort key (and code) — the grade, or the ledger's figures."""
    base = base_currency(ctx)
    fx = fx_table(ctx)
    ids = [c.id for c in customers]
    if only == "grade":
        grades = _grades(ctx, None)
        return [{"code": c.code, "grade": grades.get(c.code, (None, None))[0]} for c in customers]
    balances: dict[str, list[Any]] = defaultdict(list)
    for r in (aging_report(ctx, as_of).rows if whole else _aging_rows(ctx, as_of, ids)):
        balances[r.customer_code or ""].append(r)
    windows = metrics.count_back_windows(as_of, DSO_MONTHS)
    sales = _monthly_sales(ctx, windows, None if whole else ids)
    if only is not None:  # the ledger's figures are the key
        return [_ledger_key(fx, base, as_of, windows, c.code, balances.get(c.code, []), sales.get(c.id, {}))
                for c in customers]
    grades = _grades(ctx, None if whole else ids)
    positions = _positions(ctx, ids, as_of, whole)
    out = []
    for c in customers:
        rows = balances.get(c.code, [])
        ar = _sum_in(fx, [r.total for r in rows], base, as_of)
        overdue = _sum_in(fx, [r.overdue for r in rows], base, as_of)
        grade, pd = grades.get(c.code, (None, None))
        pos = positions.get(c.id)
        limit = pos.limit if pos is not None else None
        exposure = None
        if pos is not None and pos.limit is not None:
            owed = _sum_in(fx, [r.total for r in rows], pos.limit.currency, as_of)
            parts = [owed, pos.shipped, pos.orders] if whole else [owed, *(  # a buyer's own: None = no live orders
                m if m is not None else Money.zero(pos.limit.currency) for m in (pos.shipped, pos.orders))]
            if all(p is not None for p in parts):
                exposure = Money(sum((p.amount for p in parts if p is not None), Decimal(0)), pos.limit.currency)
        out.append({"code": c.code, "name": c.name, "country": c.country, "terms_days": c.terms_days,
                    "currency": c.currency, "balances": rows, "ar": ar, "overdue": overdue,
                    "ar_value": ar.amount if ar else None, "overdue_value": overdue.amount if overdue else None,
                    "dso": _count_back_dso(fx, base, as_of, windows, ar, sales.get(c.id, {})), "grade": grade, "pd": pd, "limit": limit,
                    "limit_value": _in_base(fx, limit, base, as_of), "exposure": exposure,
                    "exposure_value": _in_base(fx, exposure, base, as_of),
                    "items": sum(r.items for r in rows)})
    return out


Windows = list[tuple[date, date]]
MonthlySales = dict[str, dict[int, int]]
"""One buyer's credit sales: {currency: {window index (0 = newest month): minor units}}."""


def _ledger_key(fx: FxTable, base: str, as_of: date, windows: Windows, code: str, rows: list[Any],
                sales: MonthlySales) -> dict[str, Any]:
    ar = _sum_in(fx, [r.total for r in rows], base, as_of)
    overdue = _sum_in(fx, [r.overdue for r in rows], base, as_of)
    return {"code": code, "ar_value": ar.amount if ar else None, "overdue_value": overdue.amount if overdue else None,
            "dso": _count_back_dso(fx, base, as_of, windows, ar, sales)}


def _count_back_dso(fx: FxTable, base: str, as_of: date, windows: Windows, ar: Money | None,
                    sales: MonthlySales) -> Decimal | None:
    """The buyer's count-back DSO in the base currency: the balance and each month's sales converted at
    the rate of `as_of` (as ar and overdue are). 0 when nothing is owed or the buyer is in credit; None
    when a rate is missing or nothing was sold in the months walked back."""
    if ar is None:
        return None
    if ar.amount <= 0:
        return metrics.count_back_dso(ar.minor, ())
    rates: dict[str, Decimal] = {}
    for cur in sales:
        try:  # as `_sum_in` converts: each amount at the dated rate, rounded to the base's minor unit
            rates[cur] = fx.rate(cur, base, as_of)
        except ValidationError:
            return None
    # The months newest first, up to the one whose sales use the balance up (count_back_dso stops there).
    owed, walked, monthly = ar.minor, 0, []
    for i, (lo, hi) in enumerate(windows):
        sold = sum((m[i] if cur == base else Money(Money.from_minor(m[i], cur).amount * rates[cur], base).minor)
                   for cur, m in sales.items() if i in m)
        monthly.append(((hi - lo).days, sold))
        walked += max(sold, 0)
        if walked >= owed:
            break
    return metrics.count_back_dso(owed, monthly)


def _sum_in(fx: FxTable, amounts: list[Money], to: str, on: date) -> Money | None:
    total = Decimal(0)
    for m in amounts:
        try:
            total += m.amount if m.currency == to else fx.convert(m, to, on).amount
        except ValidationError:
            return None
    return Money(total, to)


def _in_base(fx: FxTable, money: Money | None, base: str, on: date) -> Decimal | None:
    if money is None:
        return None
    converted = _sum_in(fx, [money], base, on)
    return converted.amount if converted else None


def _aging_rows(ctx: ServiceContext, as_of: date, ids: list[int]) -> list[Any]:
    """Aging rows of these customers only (the report's rows, without its totals)."""
    from arguard.ledger.reports import aging_rows_and_totals

    return aging_rows_and_totals(ctx, as_of, ids)[0] if ids else []


def _monthly_sales(ctx: ServiceContext, windows: Windows, ids: list[int] | None = None) -> dict[int, MonthlySales]:
    """Credit sales (invoices less credit notes, ledger rule 8, as `dso_report` counts them) per customer,
    currency and count-back window (index into `windows`, newest first; each (start, end]) — one grouped
    query for the whole book or for `ids`."""
    month = _window_index(windows, 0, len(windows) - 1)
    inner = (select(Invoice.customer_id.label("cid"), Invoice.currency.label("cur"), month.label("month"),
                    Invoice.amount_minor.label("minor"))
             .where(Invoice.company_id == ctx.company_id,
                    Invoice.issue_date > windows[-1][0], Invoice.issue_date <= windows[0][1]))
    if ids is not None:
        inner = inner.where(Invoice.customer_id.in_(ids))
    sub = inner.subquery()
    q = select(sub.c.cid, sub.c.cur, sub.c.month, func.sum(sub.c.minor)).group_by(sub.c.cid, sub.c.cur, sub.c.month)
    out: dict[int, MonthlySales] = defaultdict(lambda: defaultdict(dict))
    for cid, currency, i, minor in ctx.session.execute(q):
        out[cid][currency][int(i)] = int(minor or 0)
    return out


def _window_index(windows: Windows, first: int, last: int) -> Any:
    """The index of the window (among first…last) an issue date falls in, as a balanced tree of CASEs:
    about five comparisons a document for 24 months, not up to 24 (the sort by DSO reads every sale)."""
    if first == last:
        return literal(first)
    mid = (first + last) // 2
    return case((Invoice.issue_date > windows[mid][0], _window_index(windows, first, mid)),
                else_=_window_index(windows, mid + 1, last))


def _grades(ctx: ServiceContext, ids: list[int] | None) -> dict[str, tuple[int, float]]:
    from arguard.risk.interface import newest_grades

    return newest_grades(ctx, ids)


def _positions(ctx: ServiceContext, ids: list[int], as_of: date, whole: bool) -> dict[int, Any]:
    from arguard.limits.interface import credit_positions

    return credit_positions(ctx, ids, as_of, whole_book=whole) if ids else {}
