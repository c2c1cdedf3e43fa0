"""The daily work on a stored ledger: promises (a broken one raises the monitor's alert), disputes (left out
of dunning until resolved), cases with costs and recoveries cleared costs → interest → principal, write-off
with a second person's approval, and the worklist ordered by what a call is worth."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arguard.collections import service, service_cases, service_work
from arguard.core.errors import Forbidden
from arguard.core.money import Money
from tests.collections.ledger_text import POLICY, write

D = date(2026, 11, 30)
LEDGER = """
customer K100 DE en k100@example.com
customer K200 FR en
customer K300 IT en
invoice K100 H-1 1000.00 EUR due 2026-10-01
invoice K100 H-2 500.00 EUR due 2026-11-01
invoice K200 F-1 3000.00 EUR due 2026-11-20
invoice K300 I-1 2000.00 EUR due 2026-09-01
"""


@pytest.fixture
def book(ctx_factory):  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        write(ctx, LEDGER)
        service.load_policy(ctx, POLICY)
    return ctx_factory


def test_promise_kept_when_paid_and_broken_promise_raises_the_monitor_alert(book) -> None:  # type: ignore[no-untyped-def]
    from arguard.monitor import interface as monitor

    with book() as ctx:
        kept = service_work.add_promise(ctx, "K100", Money.of("500", "EUR"), date(2026, 12, 5), D)
        broken = service_work.add_promise(ctx, "K300", Money.of("2000", "EUR"), date(2026, 12, 3), D)
        write(ctx, "pay K100 P-9 500.00 EUR on 2026-12-04 H-2")
    with book() as ctx:
        changed = service_work.check_promises(ctx, date(2026, 12, 10))
        assert {(p.reference, p.status) for p in changed} == {(kept.reference, "kept"), (broken.reference, "broken")}
    with book() as ctx:
        alerts, _ = monitor.list_alerts(ctx, customer_code="K300")
        assert any(broken.reference in (a.title or "") for a in alerts), [a.title for a in alerts]
        assert not service_work.check_promises(ctx, date(2026, 12, 11))   # settled promises stay settled


def test_dispute_leaves_the_invoice_out_until_resolved(book) -> None:  # type: ignore[no-untyped-def]
    with book() as ctx:
        d = service_work.open_dispute(ctx, "H-1", "quality", "anna", D, "broken pallets")
    with book() as ctx:
        answer, _ = service.run_dunning(ctx, D, dry_run=True)
        k100 = next(a for a in answer["actions"] if a["customer_id"] == "K100")
        assert [i["invoice_number"] for i in k100["invoices"]] == ["H-2"]
        service_work.resolve_dispute(ctx, d.id, "rejected", D)
    with book() as ctx:
        answer, _ = service.run_dunning(ctx, D, dry_run=True)
        k100 = next(a for a in answer["actions"] if a["customer_id"] == "K100")
        assert [i["invoice_number"] for i in k100["invoices"]] == ["H-1", "H-2"]
        assert service_work.list_disputes(ctx)[0].resolution == "rejected"


def test_case_recovery_clears_costs_then_interest_then_principal_and_books_principal(book) -> None:  # type: ignore[no-untyped-def]
    from arguard.ledger import interface as ledger

    with book() as ctx:
        service.run_dunning(ctx, D)            # K300: 90 days → agency, a case is opened
    with book() as ctx:
        (case,) = service_cases.list_cases(ctx, customer_code="K300")
        assert case.kind == "agency" and case.principal_minor == 200000
        costs = case.costs_minor
        interest = case.interest_minor
        service_cases.add_case_cost(ctx, case.id, Money.of("100.00", "EUR"), D, "agency fee")
        entry = service_cases.add_recovery(ctx, case.id, Money.of("500.00", "EUR"), date(2026, 12, 15))
    assert entry.costs_minor == costs + 10000 and entry.interest_minor == interest
    assert entry.principal_minor == 50000 - costs - 10000 - interest
    with book() as ctx:
        (item,) = ledger.open_items(ctx, "K300", date(2026, 12, 31))
        assert item.open.minor == 200000 - entry.principal_minor
        _, _, bal = service_cases.get_case(ctx, case.id)
        assert bal.costs.amount == 0 and bal.recovered.amount == Decimal("500.00")


def test_write_off_needs_a_second_persons_approval_and_is_booked_in_the_ledger(book) -> None:  # type: ignore[no-untyped-def]
    from arguard.ledger import interface as ledger

    with book(actor="anna") as ctx:
        req = service_cases.request_writeoff(ctx, "I-1", Money.of("2000.00", "EUR"), "insolvent, no dividend", D)
    with book(actor="anna") as ctx, pytest.raises(Forbidden):
        service_cases.decide_writeoff(ctx, req.id, True, D)
    with book(actor="ben") as ctx:
        service_cases.decide_writeoff(ctx, req.id, True, D)
    with book() as ctx:
        assert not ledger.open_items(ctx, "K300")
        assert service_cases.list_writeoffs(ctx)[0].status == "approved"


def test_worklist_ordered_by_call_value_and_explained(book) -> None:  # type: ignore[no-untyped-def]
    with book() as ctx:
        service.run_dunning(ctx, D)
        service_work.assign(ctx, "K100", "anna")
        service_work.assign(ctx, "K200", "anna")
    with book() as ctx:
        items, total = service_work.worklist(ctx, D)
        assert total == 3
        # value = PD (risk's newest grade, or 5 % when never graded) × overdue × oldest days / 365
        assert [w.value.amount for w in items] == sorted((w.value.amount for w in items), reverse=True)
        for w in items:
            assert w.value.amount == (w.pd * w.overdue.amount * w.oldest_days / 365).quantize(Decimal("0.01"))
        k100 = next(w for w in items if w.customer_code == "K100")
        assert k100.oldest_days == 60 and "× overdue 1,500.00 EUR × 60 days / 365" in k100.explanation()
        mine, n = service_work.worklist(ctx, D, collector="anna")
        assert n == 2 and {w.customer_code for w in mine} == {"K100", "K200"}
        unassigned, _ = service_work.worklist(ctx, D, collector="-")
        assert [w.customer_code for w in unassigned] == ["K300"]
        service_work.log_contact(ctx, "K100", D, "call", "promise", "pays Friday")
        assert service_work.contacts(ctx, "K100")[0].outcome == "promise"
