"""What other capabilities read of the risk capability: the newest stored grade and accounts of a buyer,
and the country table. Exposed through `arguard.risk.interface`; the tables stay private to risk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Date, bindparam, select

from arguard.platform.context import ServiceContext
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
