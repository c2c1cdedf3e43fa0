"""Demo step: risk appetite, limits for every established buyer (some insured, a few with cover stopped
or reduced), expected sales, buyers in collections, and open orders checked through the real order check
so that the hold queue and the exposure page have something to show.

A healthy book passes most of its orders: limits are sized the way a credit manager sizes them (the need
of rule 10 or the exposure the buyer runs, with headroom), orders are the size of the buyer's own recent
invoices, and what is held is held for a real reason — a buyer that outgrew a limit set at last year's
review, a new buyer still waiting for its limit, a weak grade, material overdue items, a dispute, a
default (docs/getting-started.md gives the resulting distribution).
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from random import Random

from arguard.core.money import Money
from arguard.demo.model import DemoBuyer, DemoWorld
from arguard.ledger import interface as ledger
from arguard.limits import service
from arguard.limits.service import DecisionInput, OrderCheck
from arguard.limits.service_cover import recommended_limits
from arguard.platform.context import ServiceContext
from arguard.risk import interface as risk

INSURED_SHARE = 0.35        # of the buyers with an internal limit, also an insured limit
OUTGROWN_SHARE = 0.06       # limits set at last year's review that the buyer has outgrown since
NEW_BUYER_DAYS = 90         # a buyer onboarded this recently has no limit yet (its request is pending)
WEAK_GRADE = 8              # the underwriter's view flags cover in force on buyers from this grade on
WEAK_STILL_COVERED = 0.25   # of the weak insured buyers, cover from last year's review still in force
GENEROUS_SHARE = 0.1        # of the other insured buyers, an insurer's answer above the recommendation
MAX_ORDER_BUYERS = 1500     # open orders are checked one by one; keep the large demo quick
ORDER_SHARE = 0.4           # buyers with open orders


def _round(x: Decimal, step: int = 1000, rounding: str = ROUND_FLOOR) -> Decimal:
    return max(Decimal(step), (x / step).to_integral_value(rounding=rounding) * step)


def need_of(b: DemoBuyer) -> Decimal:
    """What the buyer usually owes: a year's purchases over terms + a month of shipments (rule 10)."""
    return b.purchases_per_year * Decimal(b.terms_days + 30) / Decimal(365)


def is_new(b: DemoBuyer, world: DemoWorld) -> bool:
    return b.onboarded_on > world.as_of - timedelta(days=NEW_BUYER_DAYS)


def limit_amount(b: DemoBuyer, owed: Decimal, usual: Decimal, rng: Random) -> tuple[Decimal, str]:
    """The approved limit (limit currency) and why. A credit manager covers the buyer's peak exposure:
    the need of rule 10, or what it owes now plus two orders of its usual size in the pipeline, whichever
    is larger, with 25–60 % headroom (utilisation stays under the monitor's 80 % warning), rounded up to a
    thousand. A defaulted buyer keeps the limit of its need (its unpaid invoices now exceed it); a few
    buyers have outgrown last year's limit."""
    need = need_of(b)
    if b.defaulted_on is not None:
        return _round(need * Decimal(str(rng.uniform(1.1, 1.5)))), "annual review"
    if rng.random() < OUTGROWN_SHARE:
        return _round(max(need, owed) * Decimal(str(rng.uniform(0.55, 0.85)))), "annual review (last year's figures)"
    peak = max(need, owed + 2 * usual)
    return _round(peak * Decimal(str(rng.uniform(1.25, 1.6))), rounding=ROUND_CEILING), "annual review"


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
    usual = usual_invoices(ctx, world)
    fx = ledger.fx_table(ctx)
    order = {b.code: fx.convert(usual[b.code], cur, world.as_of).amount if b.code in usual else need_of(b) / 3
             for b in world.buyers}
    amounts = {b.code: limit_amount(b, owed.get(b.code, Decimal(0)), order[b.code], rng) for b in world.buyers}
    for parent, members in _groups(world).items():  # a parent's limit is its group's (rule 18): it covers them
        value, why = amounts[parent]
        amounts[parent] = (value + sum((amounts[m][0] for m in members), Decimal(0)), why + ", group limit")
    decisions, start = [], world.as_of - timedelta(days=400)
    pending_insured: list[tuple[DemoBuyer, Decimal]] = []  # (buyer, insured limit the seller asks for)
    for b in world.buyers:
        if is_new(b, world):
            service.request_limit(ctx, b.code, amount=Money(_round(need_of(b)), cur), on=world.as_of,
                                  reason="new buyer: first order expected")
            continue
        value, why = amounts[b.code]
        amount = Money(value, cur)
        review = world.as_of + timedelta(days=rng.randint(-30, 330))
        kind = "discretionary" if amount.amount <= 50000 and rng.random() < 0.3 else "internal"
        decisions.append((b.code, DecisionInput(kind, "approved", amount, why, effective_from=start,
                                                review_on=review)))
        if kind == "internal" and rng.random() < INSURED_SHARE:
            asked = amount.amount * Decimal(str(rng.uniform(0.5, 1.0)))
            pending_insured.append((b, asked))
        elif b.pd_12m > 0.08 and rng.random() < 0.3:
            decisions.append((b.code, DecisionInput("internal", "reduced", eur(amount.amount / 2),
                                                    "grade deteriorated", effective_from=world.as_of + timedelta(20))))
    decisions.extend(_insurer_answers(ctx, world, pending_insured, start))
    service.import_decisions(ctx, decisions, on=world.as_of, source="demo limits")
    for b in world.buyers:
        if b.defaulted_on is not None and rng.random() < 0.5:
            service.set_collections(ctx, b.code, True, f"{b.default_kind or 'default'}: handed to the agency")
    _orders(ctx, world, usual, rng)


def _insurer_answers(ctx: ServiceContext, world: DemoWorld, asked: list[tuple[DemoBuyer, Decimal]],
                     start: date) -> list[tuple[str, DecisionInput]]:
    """The insurer's answers to the seller's requests for insured limits (`asked`: buyer, amount in the
    limit currency). An insurer's decisions track the buyer's risk as the risk step graded it and what
    the limits capability recommends: it refuses weak buyers (grade 9+, or nothing recommended) and grants
    others at most the recommendation, often less. A deliberate minority disagrees, as in a real book
    (the underwriter's view flags them): a generous answer above the recommendation on about one buyer in
    ten, weak buyers (grade 8+) whose cover granted at last year's review is still in force until the
    insurer reacts, and the defaulted buyers insured before they failed (the insurer cancels cover after
    the default). Its own seeded draws: the rest of the demo does not move."""
    cur = world.base_currency
    codes = [b.code for b, _ in asked]
    recommended = recommended_limits(ctx, codes, world.as_of)
    grades = {c: g.grade for c, g in risk.newest_gradings(ctx, codes, world.as_of, top=0).items()}
    rng = Random(f"insurer {world.as_of}")
    out: list[tuple[str, DecisionInput]] = []

    def grant(status: str, value: Decimal, why: str, code: str) -> None:
        out.append((code, DecisionInput("insured", status, Money(_round(value), cur), why, effective_from=start,
                                        reference=f"INS-{code}")))

    for b, want in asked:
        rec = recommended.get(b.code)
        cap = None if rec is None else rec.amount.amount
        grade = grades.get(b.code)
        roll = rng.random()
        if b.defaulted_on is not None:  # insured before it failed; the insurer stops cover after the default
            grant("approved", want, "insurer's limit", b.code)
            out.append((b.code, DecisionInput(
                "insured", "cancelled", None, "insurer stopped cover after the default",
                effective_from=min(b.defaulted_on, world.as_of), cover_stopped=True, reference=f"INS-{b.code}-X")))
        elif cap is None:
            grant("approved", want, "insurer's limit", b.code)
        elif (grade is not None and grade >= WEAK_GRADE) and roll < WEAK_STILL_COVERED:
            grant("approved", want * Decimal("0.5"), "insurer's limit (last year's review)", b.code)
        elif (grade is not None and grade >= 9) or cap < 1000:
            out.append((b.code, DecisionInput("insured", "refused", None, "insurer refused cover: buyer too weak",
                                              effective_from=start, reference=f"INS-{b.code}")))
        elif roll > 1 - GENEROUS_SHARE:
            grant("approved", min(want, cap * Decimal(str(rng.uniform(1.15, 1.5)))), "insurer's limit", b.code)
        else:
            granted = min(want, cap * Decimal(str(rng.uniform(0.6, 1.0))))
            granted = max(Decimal(1000), (granted / 1000).to_integral_value(rounding=ROUND_FLOOR) * 1000)
            grant("approved" if granted >= want - 1000 else "partly_approved", granted, "insurer's limit", b.code)
    return out


def _groups(world: DemoWorld) -> dict[str, list[str]]:
    """Parent code → its subsidiaries' codes."""
    out: dict[str, list[str]] = {}
    for b in world.buyers:
        if b.parent_code is not None:
            out.setdefault(b.parent_code, []).append(b.code)
    return out


def usual_invoices(ctx: ServiceContext, world: DemoWorld) -> dict[str, Money]:
    """Each buyer's median invoice of the last year, in its invoice currency."""
    h = ledger.invoice_history(ctx, world.as_of, since=world.as_of - timedelta(days=365))
    amounts: dict[tuple[str, str], list[int]] = {}
    for code, currency, minor in zip(h.customer_codes, h.currencies, h.amount_minor, strict=True):
        amounts.setdefault((code, currency), []).append(minor)
    usual: dict[str, tuple[int, Money]] = {}
    for (code, currency), minors in amounts.items():
        if len(minors) > usual.get(code, (0, None))[0]:  # the currency it is invoiced in most
            usual[code] = (len(minors), Money.from_minor(int(statistics.median(minors)), currency))
    return {code: money for code, (_, money) in usual.items()}


def _orders(ctx: ServiceContext, world: DemoWorld, usual: dict[str, Money], rng: Random) -> None:
    """Open orders of 40 % of the live buyers (and a few defaulted ones the seller still sells to), each
    the size of the buyer's recent invoices (lognormal around its median invoice); a new buyer's first
    order is a month of its expected purchases."""
    live = [b for b in world.buyers if b.defaulted_on is None or rng.random() < 0.2]
    picked = rng.sample(live, min(len(live), MAX_ORDER_BUYERS, max(1, int(len(world.buyers) * ORDER_SHARE))))
    for i, b in enumerate(picked):
        base = usual.get(b.code) or Money(b.purchases_per_year / 12, world.base_currency)
        for j in range(rng.randint(1, 2)):
            factor = Decimal(str(round(rng.lognormvariate(-0.08, 0.4), 4)))
            amount = Money(base.amount * factor, base.currency)
            ship = world.as_of + timedelta(days=rng.randint(1, 60))
            service.check_order(ctx, OrderCheck(f"SO-{world.as_of:%y%m}-{i:05d}-{j}", b.code, amount, ship),
                                as_of=world.as_of)
