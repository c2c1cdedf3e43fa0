"""Plug-in points the limits capability reads from other capabilities (risk grades, collections).

Each is a `Protocol` with a default adapter: the risk adapter reads the risk capability's newest stored
grade and statement of the buyer and answers "ungraded" when there is none (or no risk capability); collections status is the flag kept on the
buyer's credit state until a collections capability takes it over (`set_collections`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from arguard.core.money import Money
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext
from arguard.risk import interface as risk


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
    """Reads the risk capability's newest stored grade (on or before `as_of`) and newest statement,
    through its interface (`arguard.risk.interface`).

    It never grades on the fly: the order check must stay fast, and grading is the risk capability's
    work (on new facts and in its batch). A buyer without a stored grade is 'ungraded'."""

    def newest_grade_select(self, customer_id: Any = None) -> Any:
        """The risk capability's query of the newest grade (see `risk.interface.newest_grade_select`),
        which the order check folds into its read of the buyer's facts."""
        return risk.newest_grade_select(customer_id)

    def risk_of(self, ctx: ServiceContext, customer_code: str, as_of: date, accounts: bool = True,
                ) -> BuyerRisk | None:
        customer = ledger.find_customer(ctx, customer_code)
        found = None if customer is None else risk.newest_grade(ctx, customer.id, as_of)
        if customer is None or found is None:
            return None
        if not accounts:
            return BuyerRisk(grade=found.grade, pd=found.pd_12m)
        return _buyer_risk(found, risk.newest_accounts(ctx, customer.id, as_of))

    def risks_of(self, ctx: ServiceContext, customer_ids: dict[str, int], as_of: date) -> dict[str, BuyerRisk]:
        """`risk_of` (with accounts) of many buyers at once, {code: risk} for `customer_ids` {code: id}: two
        bulk reads; an ungraded buyer is absent."""
        ids = list(customer_ids.values())
        grades = risk.newest_grade_of_buyers(ctx, ids, as_of)
        accounts = risk.newest_accounts_of_buyers(ctx, [i for i in ids if i in grades], as_of)
        return {code: _buyer_risk(grades[i], accounts.get(i)) for code, i in customer_ids.items() if i in grades}


def _buyer_risk(found: Any, st: Any) -> BuyerRisk:
    """A buyer's risk from its newest grade and (None or) newest accounts (`risk.NewestAccounts`)."""
    equity = sales = wc = None
    if st is not None:
        cur, items = st.currency, st.items
        equity, sales = _money(items.get("equity"), cur), _money(items.get("sales"), cur)
        ca, stl = items.get("current_assets"), items.get("short_term_liabilities")
        if ca is not None and stl is not None:
            wc = _money(Decimal(str(ca)) - Decimal(str(stl)), cur)
    return BuyerRisk(grade=found.grade, pd=found.pd_12m, equity=equity, sales=sales, working_capital=wc)


GRADES: GradeSource = RiskServiceGrades()
"""The grade source every service call uses unless one is passed in."""


class CollectionsSource(Protocol):
    def in_collections(self, ctx: ServiceContext, customer_code: str) -> bool:
        """True when the buyer's debts are with collections (agency, legal, or an internal case)."""
        ...


COLLECTIONS_POINT = "limits.collections"
"""The plug-in point a collections capability answers in its declaration:
`provides=(Provide("limits.collections", "module:obj"),)` with `obj.in_collections(ctx, code) -> bool`."""


def collections_source() -> CollectionsSource | None:
    """The declared collections source (registry `provides=`), or None: then the check reads the flag kept
    on the buyer's credit state (`service.set_collections`, `PUT /api/v1/limits/buyers/{code}/status`)."""
    from arguard.platform import registry

    found = registry.provided(COLLECTIONS_POINT)
    return found[0] if found else None
