"""Demo step: risk appetite, limits for most buyers (some insured, a few with cover stopped or reduced),
expected sales, buyers in collections, and open orders checked through the real order check so that
the hold queue and the exposure page have something to show."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_FLOOR, Decimal
from random import Random

from arguard.core.money import Money
from arguard.demo.model import DemoBuyer, DemoWorld
from arguard.limits import service
from arguard.limits.service import DecisionInput, OrderCheck
from arguard.platform.context import ServiceContext

LIMIT_SHARE = 0.85          # buyers with a limit
INSURED_SHARE = 0.35        # of those, also an insured limit
MAX_ORDER_BUYERS = 1500     # open orders are checked one by one; keep the large demo quick


def _round(x: Decimal, step: int = 1000) -> Decimal:
    return max(Decimal(step), (x / step).to_integral_value(rounding=ROUND_FLOOR) * step)


def need_of(b: DemoBuyer) -> Decimal:
    """What the buyer usually owes: a year's purchases over terms + a month of shipments."""
    return b.purchases_per_year * Decimal(b.terms_days + 30) / Decimal(365)


def limits_demo(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    cur = world.base_currency
    eur = lambda x: Money(_round(Decimal(x)), cur)
    service.set_policy(ctx, currency=cur, cost_of_capital=Decimal("0.07"))
    rows, _ = service.exposure_report(ctx, world.as_of, limit=10**9)
    owed = {r["customer"]: Decimal(r["exposure"]) for r in rows}
    book = sum(owed.values(), Decimal(0)) or sum((need_of(b) for b in world.buyers), Decimal(0))
    for scope, key, share in (("country", "*", "0.4"), ("sector", "*", "0.45"), ("total", "*", "1.5"),
                              ("grade", "9", "0.02"), ("buyer", "*", "0.1")):
        service.set_appetite(ctx, scope, key, eur(book * Decimal(share)), "demo risk appetite")
    service.set_appetite(ctx, "discretionary", "*", eur(50000), "policy discretionary limit")
    service.import_expected_sales(ctx, {b.code: Money(b.purchases_per_year / 12, cur) for b in world.buyers},
                                  "sales plan")
    decisions, start = [], world.as_of - timedelta(days=400)
    for b in world.buyers:
        if rng.random() > LIMIT_SHARE:
            continue
        base = need_of(b) if b.defaulted_on is not None else max(need_of(b), owed.get(b.code, Decimal(0)))
        amount = eur(base * Decimal(str(rng.uniform(1.1, 1.8))))
        review = world.as_of + timedelta(days=rng.randint(-30, 330))
        kind = "discretionary" if amount.amount <= 50000 and rng.random() < 0.3 else "internal"
        decisions.append((b.code, DecisionInput(kind, "approved", amount, "annual review", effective_from=start,
                                                review_on=review)))
        if kind == "internal" and rng.random() < INSURED_SHARE:
            insured = eur(amount.amount * Decimal(str(rng.uniform(0.5, 1.0))))
            decisions.append((b.code, DecisionInput("insured", "approved", insured, "insurer's limit",
                                                    effective_from=start, reference=f"INS-{b.code}")))
            if b.defaulted_on is not None:
                decisions.append((b.code, DecisionInput(
                    "insured", "cancelled", None, "insurer stopped cover after the default",
                    effective_from=min(b.defaulted_on, world.as_of), cover_stopped=True,
                    reference=f"INS-{b.code}-X")))
        elif b.pd_12m > 0.08 and rng.random() < 0.3:
            decisions.append((b.code, DecisionInput("internal", "reduced", eur(amount.amount / 2),
                                                    "grade deteriorated", effective_from=world.as_of + timedelta(20))))
    service.import_decisions(ctx, decisions, on=world.as_of, source="demo limits")
    for b in world.buyers:
        if b.defaulted_on is not None and rng.random() < 0.5:
            service.set_collections(ctx, b.code, True, f"{b.default_kind or 'default'}: handed to the agency")
    _orders(ctx, world, rng)


def _orders(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    live = [b for b in world.buyers if b.defaulted_on is None or rng.random() < 0.2]
    picked = rng.sample(live, min(len(live), MAX_ORDER_BUYERS, max(1, int(len(world.buyers) * 0.4))))
    for i, b in enumerate(picked):
        for j in range(rng.randint(1, 2)):
            # An order is the size of the invoices it becomes: the demo ledger draws a buyer's invoices
            # lognormal(−0.18, 0.6) around its purchases per invoice, about a month's purchases.
            amount = b.purchases_per_year / 12 * Decimal(str(round(rng.lognormvariate(-0.18, 0.6), 4)))
            ship = world.as_of + timedelta(days=rng.randint(1, 60))
            service.check_order(ctx, OrderCheck(f"SO-{world.as_of:%y%m}-{i:05d}-{j}", b.code,
                                                Money(amount, world.base_currency), ship), as_of=world.as_of)
