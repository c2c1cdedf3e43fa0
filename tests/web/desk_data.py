"""The desk's data for page tests: the five-buyer ledger of fixtures.py, graded, with limits, held orders
and the alerts of a daily run — so the work lists (hold queue, alert inbox, customers, risk) have rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.web.fixtures import seed_ledger

# buyer, limit (EUR), kind
LIMITS = """
C001 20000 internal
C003 5000 insured
C004 60000 internal
"""

# order, buyer, amount (EUR), days to shipping
ORDERS = """
SO-101 C001 50000 10
SO-102 C003 3000 5
SO-103 C005 7000 20
SO-104 C001 1500 30
"""


def seed_desk(ctx: Any, today: date) -> None:
    from arguard.core.money import Money
    from arguard.limits import service as limits
    from arguard.monitor import service as monitor
    from arguard.risk import service as risk

    seed_ledger(ctx, today)
    risk.grade_buyers(ctx, today)
    for line in LIMITS.strip().splitlines():
        code, amount, kind = line.split()
        limits.decide_limit(ctx, code, limits.DecisionInput(kind=kind, status="approved",
                                                            amount=Money.of(amount, "EUR"), reason="annual review"),
                            on=today - timedelta(days=30))
    for line in ORDERS.strip().splitlines():
        order, code, amount, days = line.split()
        limits.check_order(ctx, limits.OrderCheck(order, code, Money.of(amount, "EUR"),
                                                  today + timedelta(days=int(days))), as_of=today)
    monitor.run(ctx, today)
