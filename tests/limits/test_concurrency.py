"""Concurrent checks for one buyer (or one group) cannot together exceed its limit.

Eight checks start at the same moment, each in its own unit of work, as eight API requests would.
On PostgreSQL they serialise on the buyer's credit-state row lock; on SQLite on the database write lock.
"""

from __future__ import annotations

import threading
from datetime import date

from arguard.core.money import Money
from arguard.db.session import session_scope
from arguard.limits import service
from arguard.platform.context import ServiceContext
from arguard.platform.service import verify_audit
from tests.limits.ledger_text import AS_OF, write


def _race(engine, company_id: int, orders: list[tuple[str, str, str]]) -> list[str]:
    barrier = threading.Barrier(len(orders))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(order_id: str, customer: str, amount: str) -> None:
        try:
            barrier.wait()
            with session_scope(engine) as s:
                ctx = ServiceContext(s, company_id, f"api:{order_id}", "analyst")
                answer = service.check_order(ctx, service.OrderCheck(order_id, customer, Money.of(amount, "EUR"),
                                                                     date(2026, 3, 10)), as_of=AS_OF)
            outcomes.append(answer.outcome)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=o) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return outcomes


def test_concurrent_checks_for_one_buyer_never_exceed_its_limit(engine, ctx_factory, company):
    with ctx_factory() as ctx:
        write(ctx, """
            customer ACME DE
            invoice ACME I-1 10000 EUR due 2026-03-20
            limit ACME 100000 internal approved
        """)
    outcomes = _race(engine, company[0], [(f"SO-{i}", "ACME", "30000") for i in range(8)])
    assert sorted(outcomes).count("release") == 3          # 10000 + 3 × 30000 ≤ 100000 < 10000 + 4 × 30000
    with ctx_factory() as ctx:
        e = service.buyer_exposure(ctx, "ACME", AS_OF)
        assert e["orders"] == "90000.00" and e["available"] == "0.00"
        assert verify_audit(ctx) == []


def test_concurrent_checks_for_a_group_never_exceed_the_group_limit(engine, ctx_factory, company):
    with ctx_factory() as ctx:
        write(ctx, """
            customer HOLD DE
            customer SUB1 DE parent=HOLD
            customer SUB2 DE parent=HOLD
            limit HOLD 100000 internal approved
            limit SUB1 100000 internal approved
            limit SUB2 100000 internal approved
        """)
    orders = [(f"SO-{i}", "SUB1" if i % 2 else "SUB2", "40000") for i in range(6)]
    outcomes = _race(engine, company[0], orders)
    assert outcomes.count("release") == 2


def test_concurrent_checks_of_many_buyers_all_answer_and_keep_the_audit_chain(engine, ctx_factory, company):
    """Different buyers do not wait for each other; their audit entries still form one intact chain
    (on PostgreSQL two units of work can read the same last sequence number; the second one retries)."""
    with ctx_factory() as ctx:
        write(ctx, "\n".join(f"customer B{i} DE\nlimit B{i} 100000 internal approved" for i in range(8)))
    for r in range(3):
        assert _race(engine, company[0], [(f"SO-{r}-{i}", f"B{i}", "10") for i in range(8)]) == ["release"] * 8
    with ctx_factory() as ctx:
        assert verify_audit(ctx) == []
