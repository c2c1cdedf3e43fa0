"""Payment terms advice and the economics of an early-payment discount. Pure.

Rules (limits/README.md, rules 20–24):
20. Longest terms by grade: 1–3 net 90, 4–5 net 60, 6 net 45, 7 net 30, 8 net 30 with a guarantee or
    letter of credit, 9–10 prepayment; ungraded: net 30. Never longer than the terms asked for.
21. Payment behaviour: the oldest item more than 60 days overdue moves the buyer one step shorter,
    more than 90 days overdue means prepayment.
22. Country: OECD class 6–7 asks for a letter of credit whatever the grade.
23. A discount d for payment within D days instead of N costs the seller d/(1−d) × 365/(N−D) a year
    (simple), (1 + d/(1−d))^(365/(N−D)) − 1 compounded.
24. It is worth offering when what the early money saves — financing at the seller's cost of capital
    and the expected loss PD × LGD over the days gained — covers the discount (per 100 invoiced,
    assuming the buyer takes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

LADDER: tuple[int, ...] = (90, 60, 45, 30, 0)
"""Terms in days from the longest to prepayment (0)."""
BY_GRADE: dict[int, int] = {1: 90, 2: 90, 3: 90, 4: 60, 5: 60, 6: 45, 7: 30, 8: 30, 9: 0, 10: 0}


@dataclass(frozen=True, slots=True)
class TermsAdvice:
    """days: recommended terms (0 = prepayment); label: 'net 60' / 'prepayment';
    security: 'guarantee or letter of credit' when one is needed; reasons: why, in plain words."""

    days: int
    label: str
    security: str | None
    reasons: tuple[str, ...]


def _label(days: int) -> str:
    return "prepayment" if days == 0 else f"net {days}"


def _shorter(days: int) -> int:
    for step in LADDER:
        if step < days:
            return step
    return 0


def recommend_terms(grade: int | None, *, oldest_overdue_days: int = 0, requested_days: int | None = None,
                    country_class: int | None = None) -> TermsAdvice:
    """Recommended terms for a buyer (rules 20–22)."""
    reasons: list[str] = []
    if grade is None:
        days = 30
        reasons.append("not graded: net 30 until a grade is known")
    else:
        days = BY_GRADE[max(1, min(10, grade))]
        reasons.append(f"grade {grade}: at most {_label(days)}")
    security = "guarantee or letter of credit" if grade == 8 else None
    if oldest_overdue_days > 90:
        days = 0
        reasons.append(f"oldest item {oldest_overdue_days} days overdue: prepayment")
    elif oldest_overdue_days > 60 and days > 0:
        days = _shorter(days)
        reasons.append(f"oldest item {oldest_overdue_days} days overdue: one step shorter")
    if country_class is not None and country_class >= 6 and days > 0:
        security = "letter of credit"
        reasons.append(f"OECD country class {country_class}: letter of credit")
    if requested_days is not None and requested_days < days:
        days = requested_days
        reasons.append(f"asked for net {requested_days}")
    return TermsAdvice(days, _label(days), security if days else None, tuple(reasons))


@dataclass(frozen=True, slots=True)
class DiscountEconomics:
    """An early-payment discount 'd/D net N' seen from the seller, per 100 invoiced.

    annual_cost / annual_cost_compound: the discount as a yearly rate (rule 23);
    financing_saving / loss_saving: what receiving the money N−D days earlier saves;
    net_benefit: savings − discount; breakeven_rate: the cost of capital at which it breaks even;
    worth_offering: net_benefit ≥ 0.
    """

    discount: Decimal
    discount_days: int
    net_days: int
    annual_cost: Decimal
    annual_cost_compound: Decimal
    financing_saving: Decimal
    loss_saving: Decimal
    net_benefit: Decimal
    breakeven_rate: Decimal
    worth_offering: bool


def discount_economics(discount: Decimal, discount_days: int, net_days: int, *, cost_of_capital: Decimal,
                       pd_12m: Decimal | None = None, lgd: Decimal = Decimal("0.6")) -> DiscountEconomics:
    """Rule 23–24 for 'discount/discount_days net net_days' (2/10 net 30: Decimal('0.02'), 10, 30)."""
    if not Decimal(0) < discount < Decimal(1):
        raise ValueError("a discount lies strictly between 0 and 1")
    if not 0 <= discount_days < net_days:
        raise ValueError("the discount period ends before the net due date")
    gained = Decimal(net_days - discount_days) / Decimal(365)
    rate = discount / (1 - discount)
    annual = rate * Decimal(365) / Decimal(net_days - discount_days)
    compound = (1 + rate) ** (Decimal(365) / Decimal(net_days - discount_days)) - 1
    hundred = Decimal(100)
    cost = discount * hundred
    paid = hundred - cost
    financing = paid * cost_of_capital * gained
    loss = hundred * (pd_12m or Decimal(0)) * lgd * gained
    breakeven = (cost - loss) / (paid * gained)
    q = Decimal("0.0001")
    return DiscountEconomics(
        discount=discount, discount_days=discount_days, net_days=net_days, annual_cost=annual.quantize(q),
        annual_cost_compound=compound.quantize(q), financing_saving=financing.quantize(q),
        loss_saving=loss.quantize(q), net_benefit=(financing + loss - cost).quantize(q),
        breakeven_rate=breakeven.quantize(q), worth_offering=financing + loss >= cost)
