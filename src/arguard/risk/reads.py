"""What other capabilities read of the risk capability: the newest stored grade and accounts of a buyer,
and the country table. Exposed through `arguard.risk.interface`; the tables stay private to risk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Date, bindparam, select

from arguard.platform.context import ServiceContext
from arguard.risk.model import Grade
from arguard.risk.tables import BuyerGrade, FinancialStatement


@dataclass(frozen=True, slots=True)
class NewestGrade:
    """A buyer's newest stored grade on or before a date: master-scale grade 1–10 and 12-month PD."""

    grade: int
    pd_12m: float


@dataclass(frozen=True, slots=True)
class NewestAccounts:
    """The buyer's newest financial statement on or before a date: its currency and line items
    (item name → amount as a decimal string or number, as imported)."""

    currency: str
    items: dict[str, Any]


def newest_grade_select(customer_id: Any = None) -> Any:
    """A select of (grade, pd_12m): the newest grade on or before :as_of of buyer `customer_id` (a column
    or scalar subquery; default the parameter :cid) of company :company. For a caller's fast path that
    reads the grade in the same statement as its own facts (the order check); others call `newest_grade`."""
    g = BuyerGrade
    who = bindparam("cid") if customer_id is None else customer_id
    return (select(g.grade, g.pd_12m).where(g.company_id == bindparam("company"), g.customer_id == who,
                                            g.as_of <= bindparam("as_of", type_=Date))
            .order_by(g.as_of.desc(), g.id.desc()).limit(1))


def newest_grade(ctx: ServiceContext, customer_id: int, as_of: date) -> NewestGrade | None:
    """The buyer's newest stored grade on or before `as_of`; None when it was never graded."""
    found = ctx.connection().execute(newest_grade_select(customer_id),
                                     {"company": ctx.company_id, "as_of": as_of}).first()
    return None if found is None else NewestGrade(int(found.grade), float(found.pd_12m))


def newest_accounts(ctx: ServiceContext, customer_id: int, as_of: date) -> NewestAccounts | None:
    """The buyer's newest financial statement with a year end on or before `as_of`."""
    st = FinancialStatement
    row = ctx.session.execute(
        select(st.currency, st.items).where(st.company_id == ctx.company_id, st.customer_id == customer_id,
                                            st.fiscal_year_end <= as_of)
        .order_by(st.fiscal_year_end.desc(), st.id.desc()).limit(1)).first()
    return None if row is None else NewestAccounts(row.currency, dict(row.items or {}))


@lru_cache(maxsize=1)
def _countries() -> Any:
    from arguard.risk.store import country_table

    return country_table()


def country_class(iso2: str) -> int | None:
    """The OECD country risk class (0–7) a buyer's country is treated as; None when unknown."""
    return _countries().risk_of(iso2).treated_as  # type: ignore[no-any-return]


def newest_gradings(ctx: ServiceContext, codes: list[str], as_of: date, top: int = 3) -> dict[str, Grade]:
    """{customer code: `risk.model.Grade`} — each buyer's newest stored grading on or before `as_of` with its
    `top` strongest reasons (both languages), for the buyers named, in one query; a buyer never graded by
    then is absent. (For views over a handful of buyers: an underwriter's limit requests.)"""
    from sqlalchemy import func

    from arguard.ledger.interface import customer_codes, customer_ids
    from arguard.risk.labels import with_text
    from arguard.risk.model import Reason

    ids = customer_ids(ctx, codes)
    if not ids:
        return {}
    g = BuyerGrade
    newest = (select(g.customer_id, func.max(g.id).label("id"))
              .where(g.company_id == ctx.company_id, g.customer_id.in_(list(ids.values())), g.as_of <= as_of)
              .group_by(g.customer_id).subquery())
    rows = ctx.session.scalars(select(g).join(newest, g.id == newest.c.id)).all()
    code_of = customer_codes(ctx, [r.customer_id for r in rows])
    out: dict[str, Grade] = {}
    for r in rows:
        reasons = tuple(Reason(str(x["code"]), str(x["label"]), x["direction"], float(x["impact"]), x.get("value"),
                               str(x["label_zh"])) for x in (with_text(x) for x in (r.reasons or [])[:top]))
        out[code_of[r.customer_id]] = Grade(r.as_of, float(r.pd_12m), int(r.grade), r.confidence,  # type: ignore[arg-type]
                                            reasons, r.financial_pd, r.model_version)
    return out


_BATCH = 500


def _newest_per_buyer(ctx: ServiceContext, columns: tuple[Any, ...], customer_col: Any, where: Any,
                      order: tuple[Any, ...], ids: list[int]) -> list[Any]:
    """The first row per buyer by `order` among the rows matching `where`, for the buyers `ids` (IN lists of
    at most `_BATCH`): one windowed query per chunk."""
    from sqlalchemy import func

    out: list[Any] = []
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), _BATCH):
        rank = func.row_number().over(partition_by=customer_col, order_by=order).label("rank")
        inner = select(customer_col.label("customer_id"), *columns, rank).where(
            where, customer_col.in_(wanted[i:i + _BATCH])).subquery()
        out += ctx.session.execute(select(inner).where(inner.c.rank == 1)).all()
    return out


def newest_grade_of_buyers(ctx: ServiceContext, customer_ids: list[int], as_of: date) -> dict[int, NewestGrade]:
    """`newest_grade` of many buyers at once, {customer id: grade}: the same rule (newest `as_of`, then
    newest row), a buyer never graded by `as_of` absent."""
    g = BuyerGrade
    rows = _newest_per_buyer(ctx, (g.grade, g.pd_12m), g.customer_id,
                             (g.company_id == ctx.company_id) & (g.as_of <= as_of),
                             (g.as_of.desc(), g.id.desc()), customer_ids)
    return {int(r.customer_id): NewestGrade(int(r.grade), float(r.pd_12m)) for r in rows}


def newest_accounts_of_buyers(ctx: ServiceContext, customer_ids: list[int], as_of: date,
                              ) -> dict[int, NewestAccounts]:
    """`newest_accounts` of many buyers at once, {customer id: accounts}: the same rule (newest year end on
    or before `as_of`, then newest row), a buyer without accounts by then absent."""
    st = FinancialStatement
    rows = _newest_per_buyer(ctx, (st.currency, st.items), st.customer_id,
                             (st.company_id == ctx.company_id) & (st.fiscal_year_end <= as_of),
                             (st.fiscal_year_end.desc(), st.id.desc()), customer_ids)
    return {int(r.customer_id): NewestAccounts(r.currency, dict(r.items or {})) for r in rows}
