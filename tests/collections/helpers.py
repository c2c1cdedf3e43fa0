"""Tiny dunning worlds written as text, for the pure rule tests.

    invoice K100 H-1 100.00 EUR due 2026-10-01        an open invoice (amount = open unless paid)
    paid H-1 40.00 on 2026-10-20                       a reduction of H-1 (payment, credit applied …)
    credit K100 CN-1 -30.00 EUR                        an open credit note
    disputed H-1                                       the buyer disputes H-1
    cash K100 20.00 EUR                                unapplied cash of the buyer
    grade K100 9                                       the buyer's grade
    previous K100 reminder 2026-11-20                  the buyer's previous action
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from arguard.collections.model import BuyerFacts, DunningItem, DunningPolicy
from arguard.collections.policy import parse_policy
from arguard.core.money import Money

STANDARD = """
name: standard
currency: EUR
min_overdue_amount: "50.00"
levels:
  - {name: reminder,     days_overdue: 1,   channel: email,  fee: "0.00"}
  - {name: first_demand, days_overdue: 15,  channel: email,  fee: "5.00"}
  - {name: final_notice, days_overdue: 30,  channel: letter, fee: "15.00"}
  - {name: agency,       days_overdue: 60,  channel: agency, fee: "0.00"}
  - {name: legal,        days_overdue: 120, channel: legal,  fee: "0.00"}
interest: {rate_pct: "10.50", basis: act/365}
compensation_per_invoice: "40.00"
"""


def policy(text: str = STANDARD) -> DunningPolicy:
    p, issues = parse_policy(text)
    assert p is not None, issues
    return p


def buyers(text: str) -> list[BuyerFacts]:
    items: dict[str, DunningItem] = {}
    cash: dict[str, list[Money]] = {}
    extra: dict[str, dict[str, object]] = {}
    for raw in text.strip().splitlines():
        w = raw.split()
        if not w:
            continue
        if w[0] in ("invoice", "credit"):
            due = date.fromisoformat(w[6]) if len(w) > 6 else date(2026, 10, 1)
            m = Money.of(w[3], w[4])
            items[w[2]] = DunningItem(w[2], w[1], "invoice" if w[0] == "invoice" else "credit_note",
                                      due - timedelta(30), due, m, m)
        elif w[0] == "paid":
            it = items[w[1]]
            amount = Decimal(w[2])
            items[w[1]] = replace(it, open=it.open - Money.of(amount, it.open.currency),
                                  reductions=(*it.reductions, (date.fromisoformat(w[4]), amount)))
        elif w[0] == "disputed":
            items[w[1]] = replace(items[w[1]], disputed=True)
        elif w[0] == "cash":
            cash.setdefault(w[1], []).append(Money.of(w[2], w[3]))
        elif w[0] == "grade":
            extra.setdefault(w[1], {})["grade"] = int(w[2])
        elif w[0] == "previous":
            extra.setdefault(w[1], {}).update(previous_level=w[2], previous_on=date.fromisoformat(w[3]))
    codes = sorted({i.customer_code for i in items.values()} | set(cash))
    return [BuyerFacts(c, tuple(i for i in items.values() if i.customer_code == c), tuple(cash.get(c, ())),
                       **extra.get(c, {})) for c in codes]  # type: ignore[arg-type]
