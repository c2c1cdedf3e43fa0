"""Dunning rules (README rules 1–14): days overdue, the level of each invoice and of the buyer, interest on
the balance outstanding each day, fees, compensation, credits, the minimum amount, the sequential mode, the
clearing order of recoveries and the value of a collector's call. Pure: no database, clock, network or files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from arguard.collections.model import (
    BASES,
    BuyerFacts,
    Clearing,
    CreditLine,
    DunningAction,
    DunningItem,
    DunningPolicy,
    DunningResult,
    InvoiceLine,
    Skipped,
)
from arguard.core.errors import ValidationError
from arguard.core.money import FxTable, Money, exponent

DEFAULT_PD = Decimal("0.05")
"""PD assumed for a buyer never graded (worklist value only); shown as such."""


def round_half_up(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)


def balance_days(item: DunningItem, as_of: date) -> Decimal:
    """Σ over the days d from the day after the due date to as_of of the balance outstanding on d
    (amount less every reduction dated on or before d: a payment stops interest on its amount from
    the day it is received)."""
    days = (as_of - item.due_date).days
    if days <= 0:
        return Decimal(0)
    total = item.amount.amount * days
    first = item.due_date.toordinal() + 1
    last = as_of.toordinal()
    for on, amount in item.reductions:
        start = max(on.toordinal(), first)
        if start <= last:
            total -= amount * (last - start + 1)
    return max(total, Decimal(0))


def interest(item: DunningItem, as_of: date, rate_pct: Decimal | None, basis: str = "act/365") -> Money:
    """Simple interest: rate_pct/100 × Σ daily balance / basis days, rounded half-up to the minor unit."""
    cur = item.open.currency
    if rate_pct is None or item.document_type != "invoice" or item.days_overdue(as_of) <= 0:
        return Money.zero(cur)
    raw = rate_pct / 100 * balance_days(item, as_of) / BASES[basis]
    return Money(round_half_up(raw, cur), cur)


def level_index(policy: DunningPolicy, days_overdue: int, grade: int | None = None) -> int | None:
    """Index of the highest level whose days_overdue ≤ N (None: no level yet). For an overdue invoice
    (N ≥ 1) of a buyer whose grade a `stricter` rule names, that many steps further (capped at the last
    level); pre-due levels are never shifted."""
    found = None
    for k, lv in enumerate(policy.levels):
        if lv.days_overdue <= days_overdue:
            found = k
    if found is None or days_overdue < 1:
        return found
    steps = max((s.steps for s in policy.stricter if s.applies(grade)), default=0)
    if steps:
        first_overdue = next((k for k, lv in enumerate(policy.levels) if lv.days_overdue >= 1), found)
        found = max(found, first_overdue)
        found = min(found + steps, len(policy.levels) - 1)
    return found


def _convert(fx: FxTable, m: Money, to: str, on: date) -> Money:
    return m if m.currency == to else fx.convert(m, to, on)


def _sum(items: Iterable[Money], currency: str) -> Money:
    return sum(items, Money.zero(currency))


def credits_of(facts: BuyerFacts) -> list[CreditLine]:
    """Credit the buyer holds on the run date: open credit notes not disputed, and unapplied cash."""
    out = [CreditLine(i.number, "credit_note", -i.open) for i in facts.items
           if i.document_type != "invoice" and i.open.amount < 0 and not i.disputed]
    out += [CreditLine("unapplied", "unapplied_cash", m) for m in facts.unapplied if m.amount > 0]
    return out


def decide_buyer(policy: DunningPolicy, facts: BuyerFacts, as_of: date, fx: FxTable,
                 base_currency: str) -> DunningAction | Skipped | None:
    """The buyer's action on as_of, why it gets none (Skipped), or None when nothing is due."""
    rated: list[tuple[DunningItem, int, int]] = []
    disputed_overdue = 0
    for item in facts.items:
        if item.document_type != "invoice" or item.open.amount <= 0:
            continue
        n = item.days_overdue(as_of)
        k = level_index(policy, n, facts.grade)
        if k is None:
            continue
        if item.disputed:
            disputed_overdue += n >= 1
            continue
        rated.append((item, n, k))
    overdue = [r for r in rated if r[1] >= 1]
    chosen = overdue or rated
    if not chosen:
        return Skipped(facts.customer_code, "every overdue item is disputed") if disputed_overdue else None
    top = max(k for _, _, k in chosen)
    if policy.sequential is not None and facts.previous_level is not None and overdue:
        prev = policy.index(facts.previous_level) if facts.previous_level in [lv.name for lv in policy.levels] else -1
        if facts.previous_on is not None and (as_of - facts.previous_on).days < policy.sequential.min_gap_days:
            return Skipped(facts.customer_code, f"sequential: last action on {facts.previous_on}")
        top = min(top, prev + 1)
    level = policy.levels[top]
    currencies = {i.open.currency for i, _, _ in chosen}
    cur = currencies.pop() if len(currencies) == 1 else base_currency
    lines = tuple(InvoiceLine(i.number, i.due_date, n, i.open, policy.levels[k].name,
                              interest(i, as_of, policy.interest_rate_pct, policy.interest_basis))
                  for i, n, k in sorted(chosen, key=lambda r: (r[0].due_date, r[0].number)))
    total = _sum((_convert(fx, ln.open, cur, as_of) for ln in lines), cur)
    interest_total = _sum((_convert(fx, ln.interest, cur, as_of) for ln in lines), cur)
    charged = bool(overdue)
    fee = _convert(fx, Money.of(level.fee, policy.currency), cur, as_of) if charged else Money.zero(cur)
    comp = Money.of(policy.compensation_per_invoice * len(overdue), policy.currency) if charged else None
    compensation = _convert(fx, comp, cur, as_of) if comp is not None else Money.zero(cur)
    credits = tuple(CreditLine(c.reference, c.kind, _convert(fx, c.amount, cur, as_of)) for c in credits_of(facts))
    net = total - _sum((c.amount for c in credits), cur)
    if net.amount <= 0:
        return Skipped(facts.customer_code, f"covered by credit: {total} due, credit {total - net}")
    net_in_policy = _convert(fx, net, policy.currency, as_of)
    if net_in_policy.amount < policy.min_overdue_amount:
        return Skipped(facts.customer_code, f"below the minimum: {net_in_policy} < "
                                            f"{policy.min_overdue_amount} {policy.currency}")
    return DunningAction(facts.customer_code, level.name, level.channel, cur, lines, total, interest_total, fee,
                         compensation, credits)


def run(policy: DunningPolicy, buyers: Sequence[BuyerFacts], as_of: date, fx: FxTable,
        base_currency: str) -> DunningResult:
    """The dunning run: one action per buyer that has one, in customer order; skipped buyers explained
    (a buyer whose amounts need a rate the ledger lacks is skipped with that reason, not the whole run)."""
    actions: list[DunningAction] = []
    skipped: list[Skipped] = []
    for facts in sorted(buyers, key=lambda b: b.customer_code):
        try:
            out = decide_buyer(policy, facts, as_of, fx, base_currency)
        except ValidationError as exc:
            if exc.code != "missing_fx_rate":
                raise
            out = Skipped(facts.customer_code, f"{exc.message}: add the rate to the ledger")
        if isinstance(out, DunningAction):
            actions.append(out)
        elif isinstance(out, Skipped):
            skipped.append(out)
    return DunningResult(as_of, policy.name, tuple(actions), tuple(skipped))


def clear(amount: Decimal, costs: Decimal, interest_due: Decimal, principal: Decimal,
          order: Sequence[str] = ("costs", "interest", "principal")) -> Clearing:
    """Split a recovery over what is owed in the clearing order; what is left over is surplus."""
    owed = {"costs": costs, "interest": interest_due, "principal": principal}
    paid = dict.fromkeys(owed, Decimal(0))
    left = amount
    for part in order:
        take = min(left, max(owed[part], Decimal(0)))
        paid[part], left = take, left - take
    return Clearing(paid["costs"], paid["interest"], paid["principal"], left)


def call_value(pd: Decimal, overdue: Money, oldest_days: int) -> Money:
    """What a call is worth: PD × overdue amount × days overdue of the oldest item / 365."""
    return Money(overdue.amount * pd * max(oldest_days, 0) / 365, overdue.currency)
