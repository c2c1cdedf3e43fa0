"""Plug-in points the limits capability reads from other capabilities (risk grades, collections).

Each is a `Protocol` with a default adapter: the risk adapter reads the risk capability's newest stored
grade and statement of the buyer and answers "ungraded" when there is none (or no risk capability); collections status is the flag kept on the
buyer's credit state until a collections capability takes it over (`set_collections`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from arguard.core.money import Money
from arguard.platform.context import ServiceContext


@dataclass(frozen=True, slots=True)
class BuyerRisk:
    """A buyer's grade and accounts as the risk capability sees them. Amounts in their own currency."""

    grade: int | None
    pd: float | None
    equity: Money | None = None
    sales: Money | None = None
    working_capital: Money | None = None


class GradeSource(Protocol):
    def risk_of(self, ctx: ServiceContext, customer_code: str, as_of: date, accounts: bool = True,
                ) -> BuyerRisk | None:
        """The buyer's current grade (and accounts unless `accounts` is False), or None if ungraded."""
        ...


class StaticGrades:
    """Grades given by hand (tests, demos, a seller without the risk capability)."""

    def __init__(self, risks: dict[str, BuyerRisk]) -> None:
        self.risks = risks

    def risk_of(self, ctx: ServiceContext, customer_code: str, as_of: date, accounts: bool = True,
                ) -> BuyerRisk | None:
        return self.risks.get(customer_code)


def _money(value: Any, currency: str) -> Money | None:
    if value is None:
        return None
    return Money(Decimal(str(value)), currency)


class RiskServiceGrades:
    """Reads the risk capability's newest stored grade (on or before `as_of`) and newest statement.

    It never grades on the fly: the order check must stay fast, and grading is the risk capability's
    work (on new facts and in its batch). A buyer without a stored grade is 'ungraded'."""

    def newest_grade_select(self, customer_id: Any = None) -> Any | None:
        """The newest stored grade on or before :as_of of buyer `customer_id` (default: the parameter :cid)
        of company :company, as a select of (grade, pd) — the order check folds it into its read of the
        buyer's facts; None without the risk capability."""
        try:
            tables = importlib.import_module("arguard.risk.tables")
        except ImportError:
            return None
        from sqlalchemy import Date, bindparam, select

        g = tables.BuyerGrade
        who = bindparam("cid") if customer_id is None else customer_id
        return (select(g.grade, g.pd_12m).where(g.company_id == bindparam("company"), g.customer_id == who,
                                                g.as_of <= bindparam("as_of", type_=Date))
                .order_by(g.as_of.desc(), g.id.desc()).limit(1))

    def risk_of(self, ctx: ServiceContext, customer_code: str, as_of: date, accounts: bool = True,
                ) -> BuyerRisk | None:
        try:
            tables = importlib.import_module("arguard.risk.tables")
        except ImportError:
            return None
        from sqlalchemy import select

        from arguard.ledger.tables import Customer

        stmt_t = tables.FinancialStatement
        cid = select(Customer.id).where(Customer.company_id == ctx.company_id, Customer.code == customer_code)
        found = ctx.connection().execute(self.newest_grade_select(cid.scalar_subquery()),
                                         {"company": ctx.company_id, "as_of": as_of}).first()
        if found is None or not accounts:
            return None if found is None else BuyerRisk(grade=int(found.grade), pd=float(found.pd_12m))
        st = ctx.session.execute(
            select(stmt_t.currency, stmt_t.items).where(stmt_t.company_id == ctx.company_id,
                                                        stmt_t.customer_id == cid.scalar_subquery(),
                                                        stmt_t.fiscal_year_end <= as_of)
            .order_by(stmt_t.fiscal_year_end.desc(), stmt_t.id.desc()).limit(1)).first()
        equity = sales = wc = None
        if st is not None:
            cur, items = st.currency, st.items or {}
            equity, sales = _money(items.get("equity"), cur), _money(items.get("sales"), cur)
            ca, stl = items.get("current_assets"), items.get("short_term_liabilities")
            if ca is not None and stl is not None:
                wc = _money(Decimal(str(ca)) - Decimal(str(stl)), cur)
        return BuyerRisk(grade=int(found.grade), pd=float(found.pd_12m), equity=equity, sales=sales,
                         working_capital=wc)


GRADES: GradeSource = RiskServiceGrades()
"""The grade source every service call uses unless one is passed in."""


class CollectionsSource(Protocol):
    def in_collections(self, ctx: ServiceContext, customer_code: str) -> bool:
        """True when the buyer's debts are with collections (agency, legal, or an internal case)."""
        ...


COLLECTIONS: CollectionsSource | None = None
"""Set by the collections capability when it exists; until then the check reads the flag kept on the
buyer's credit state (`service.set_collections`, `PUT /api/v1/limits/buyers/{code}/status`)."""
