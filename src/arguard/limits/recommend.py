"""Recommended credit limit of a buyer: the smallest of need, capacity and risk-appetite bounds.

Pure. Rules (limits/README.md, rules 10–16):
10. Need: expected monthly sales × (terms + 30 days of shipments in the pipeline) / 30.
11. Grade 9 or 10: no open credit (zero): sell on prepayment or against security.
12. Capacity from the accounts: a share of equity by grade (10 % for grades 1–3, 7.5 % for 4–5, 5 % for
    6–7 and ungraded, 2.5 % for 8); 5 % of annual sales; 20 % of positive working capital (negative
    working capital halves the equity bound). Negative equity allows nothing.
13. Country: the capacity bounds are scaled by the OECD class (0–2 ×1, 3–4 ×0.75, 5–6 ×0.5, 7 ×0.25).
14. Appetite: the buyer cap, and the headroom (cap − what other buyers already have at stake) of the
    buyer's country, sector, grade and of the total book.
15. The recommendation is the smallest bound, rounded down to `round_to`; the binding rule is named.
16. With no bound at all (no need, accounts or appetite known) the recommendation is zero: nothing
    supports a limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal

from arguard.core.money import Money
from arguard.limits.groups import group_bound, group_limit_flag
from arguard.limits.model import Appetite, Bound, BuyerProfile, Recommendation

EQUITY_SHARE: dict[int, Decimal] = {1: Decimal("0.10"), 2: Decimal("0.10"), 3: Decimal("0.10"),
                                    4: Decimal("0.075"), 5: Decimal("0.075"), 6: Decimal("0.05"),
                                    7: Decimal("0.05"), 8: Decimal("0.025")}
UNGRADED_EQUITY_SHARE = Decimal("0.05")
SALES_SHARE = Decimal("0.05")
WORKING_CAPITAL_SHARE = Decimal("0.20")


def country_factor(country_class: int | None) -> Decimal:
    if country_class is None or country_class <= 2:
        return Decimal(1)
    if country_class <= 4:
        return Decimal("0.75")
    if country_class <= 6:
        return Decimal("0.5")
    return Decimal("0.25")


def need_bound(p: BuyerProfile) -> Bound | None:
    if p.expected_monthly_sales is None:
        return None
    need = p.expected_monthly_sales * (Decimal(p.terms_days + 30) / Decimal(30))
    return Bound("need", need, f"expected sales {p.expected_monthly_sales}/month × (terms {p.terms_days} "
                               "+ 30 days of shipments) / 30")


def capacity_bounds(p: BuyerProfile, currency: str) -> list[Bound]:
    out: list[Bound] = []
    if p.grade is not None and p.grade >= 9:
        return [Bound("grade", Money.zero(currency), f"grade {p.grade}: no open credit, sell on prepayment "
                                                         "or against a guarantee")]
    factor = country_factor(p.country_class)
    where = "" if factor == 1 else f", × {factor} for OECD country class {p.country_class}"
    if p.equity is not None:
        share = EQUITY_SHARE.get(p.grade or 0, UNGRADED_EQUITY_SHARE)
        why = f"grade {p.grade or 'none'}"
        if p.working_capital is not None and p.working_capital.amount <= 0:
            share, why = share / 2, why + ", halved for negative working capital"
        if p.equity.amount <= 0:
            out.append(Bound("capacity.equity", Money.zero(p.equity.currency), f"equity {p.equity} is not positive"))
        else:
            out.append(Bound("capacity.equity", p.equity * share * factor,
                             f"{share * 100:g} % of equity {p.equity} ({why}){where}"))
    if p.sales is not None and p.sales.amount > 0:
        out.append(Bound("capacity.sales", p.sales * SALES_SHARE * factor,
                         f"{SALES_SHARE * 100:g} % of annual sales {p.sales}{where}"))
    if p.working_capital is not None and p.working_capital.amount > 0:
        out.append(Bound("capacity.working_capital", p.working_capital * WORKING_CAPITAL_SHARE * factor,
                         f"{WORKING_CAPITAL_SHARE * 100:g} % of working capital {p.working_capital}{where}"))
    return out


def appetite_bounds(p: BuyerProfile, appetite: Appetite, used_by_others: Mapping[tuple[str, str], Money],
                    ) -> list[Bound]:
    out: list[Bound] = []
    cap = appetite.cap("buyer", p.code)
    if cap is not None:
        out.append(Bound("appetite.buyer", cap, f"at most {cap} per buyer"))
    keys = [("country", p.country), ("sector", p.sector), ("grade", str(p.grade) if p.grade else "none"),
            ("total", "*")]
    for scope, key in keys:
        cap = appetite.cap(scope, key)
        if cap is None:
            continue
        used = used_by_others.get((scope, key or ""), Money.zero(cap.currency))
        room = cap - used
        if room.amount < 0:
            room = Money.zero(cap.currency)
        out.append(Bound(f"appetite.{scope}", room,
                         f"{scope} {key} cap {cap}, other buyers already {used} at stake: {room} left"))
    return out


def recommend_limit(profile: BuyerProfile, appetite: Appetite,
                    used_by_others: Mapping[tuple[str, str], Money] | None = None,
                    round_to: Decimal = Decimal(1000),
                    group: tuple[str, Money | None, Money | None] | None = None) -> Recommendation:
    """Recommend a limit for `profile` (rules 10–16); every amount in `appetite.currency`. group: (parent
    code, the member's limit in force, the group's limit in force) of a group member — the group's limit
    is a bound and a member limit above it is noted (rule 43)."""
    bounds: list[Bound] = []
    need = need_bound(profile)
    if need is not None:
        bounds.append(need)
    bounds += capacity_bounds(profile, appetite.currency)
    bounds += appetite_bounds(profile, appetite, used_by_others or {})
    notes: list[str] = []
    if group is not None:
        parent, member_limit, group_limit = group
        if group_limit is not None and group_limit.currency == appetite.currency:
            bounds.append(group_bound(parent, group_limit))
        flag = group_limit_flag(profile.code, parent, member_limit, group_limit)
        if flag is not None:
            notes.append(flag.message())
    if profile.grade is None:
        notes.append("buyer not graded: equity share of an average grade used")
    if profile.equity is None and profile.sales is None:
        notes.append("no accounts: the limit rests on need and appetite only")
    if not bounds:
        return Recommendation(profile.code, Money.zero(appetite.currency), None, (),
                              (*notes, "nothing supports a limit: no need, accounts or appetite known"))
    binding = min(bounds, key=lambda b: b.amount.amount)
    return Recommendation(profile.code, _round_down(binding.amount, round_to), binding, tuple(bounds),
                          tuple(notes))


def _round_down(money: Money, step: Decimal) -> Money:
    if money.amount <= 0:
        return Money.zero(money.currency)
    if money.amount < step:
        step = Decimal(1)
    units = (money.amount / step).to_integral_value(rounding=ROUND_FLOOR)
    return Money(units * step, money.currency)

