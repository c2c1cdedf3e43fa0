"""Plug-in points the limits capability reads from other capabilities (risk grades, collections).

Each is a `Protocol` with a default adapter: the risk adapter calls `arguard.risk.service` when it offers
a grade for the buyer and answers "ungraded" otherwise; collections status is the flag kept on the
buyer's credit state until a collections capability takes it over (`set_collections`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from arguard.core.errors import ArguardError
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
    def risk_of(self, ctx: ServiceContext, customer_code: str, as_of: date) -> BuyerRisk | None:
        """The buyer's current grade and accounts, or None when it is not graded."""
        ...


class StaticGrades:
    """Grades given by hand (tests, demos, a seller without the risk capability)."""

    def __init__(self, risks: dict[str, BuyerRisk]) -> None:
        self.risks = risks

    def risk_of(self, ctx: ServiceContext, customer_code: str, as_of: date) -> BuyerRisk | None:
        return self.risks.get(customer_code)


def _money(value: Any, currency: str) -> Money | None:
    if value is None:
        return None
    return Money(Decimal(str(value)), currency)


class RiskServiceGrades:
    """Reads `arguard.risk.service.current_grade(ctx, code)` (and its statement items) when present."""

    def risk_of(self, ctx: ServiceContext, customer_code: str, as_of: date) -> BuyerRisk | None:
        try:
            risk = importlib.import_module("arguard.risk.service")
        except ImportError:
            return None
        current = getattr(risk, "current_grade", None)
        if current is None:
            return None
        try:
            found = current(ctx, customer_code)
        except (ArguardError, LookupError):
            return None
        if found is None:
            return None
        grade = getattr(found, "grade", None)
        pd = getattr(found, "pd_12m", getattr(found, "pd", None))
        items = getattr(found, "items", None) or getattr(found, "statement", None)
        equity = sales = wc = None
        if items is not None:
            cur = getattr(items, "currency", "EUR")
            equity = _money(getattr(items, "equity", None), cur)
            sales = _money(getattr(items, "sales", None), cur)
            ca, stl = getattr(items, "current_assets", None), getattr(items, "short_term_liabilities", None)
            if ca is not None and stl is not None:
                wc = _money(Decimal(str(ca)) - Decimal(str(stl)), cur)
        return BuyerRisk(grade=None if grade is None else int(grade), pd=None if pd is None else float(pd),
                         equity=equity, sales=sales, working_capital=wc)


GRADES: GradeSource = RiskServiceGrades()
"""The grade source every service call uses unless one is passed in."""


class CollectionsSource(Protocol):
    def in_collections(self, ctx: ServiceContext, customer_code: str) -> bool:
        """True when the buyer's debts are with collections (agency, legal, or an internal case)."""
        ...


COLLECTIONS: CollectionsSource | None = None
"""Set by the collections capability when it exists; until then the check reads the flag kept on the
buyer's credit state (`service.set_collections`, `PUT /api/v1/limits/buyers/{code}/status`)."""
