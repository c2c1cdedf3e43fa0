"""Idempotency, no bypass by splitting/closing/reopening, the hold queue, shipping and invoicing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from arguard.core.errors import Conflict, Forbidden, ValidationError
from arguard.limits import service
from arguard.platform.sealing import seal_audit
from arguard.platform.tables import AuditEntry
from tests.limits.ledger_text import AS_OF, check, codes, write

BOOK = """
    customer ACME DE
    invoice ACME I-1 20000 EUR due 2026-03-15
    limit ACME 100000 internal approved
"""


def _audits(ctx, action: str) -> int:
    seal_audit(ctx.session, ctx.company_id)  # the check's entries join the chain after commit (audit_later)
    return ctx.session.scalar(select(func.count()).where(AuditEntry.company_id == ctx.company_id,
                                                         AuditEntry.action == action))


def test_same_order_twice_answers_the_stored_decision(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, BOOK)
        first = check(ctx, "SO-1", "ACME", "60000")
        again = check(ctx, "SO-1", "ACME", "60000")
        assert again.replayed and not first.replayed
        assert (again.outcome, again.version, again.figures) == (first.outcome, first.version, first.figures)
        assert _audits(ctx, "credit_check") == 1
        assert service.buyer_exposure(ctx, "ACME", AS_OF)["orders"] == "60000.00"


def test_splitting_an_order_does_not_bypass_the_limit(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, BOOK)
        halves = [check(ctx, f"SO-1/{i}", "ACME", "45000") for i in (1, 2)]
    assert [h.outcome for h in halves] == ["release", "hold"]
    assert halves[1].reasons[0]["excess"] == "10000.00"


def test_a_changed_amount_is_checked_again_against_the_limit(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, BOOK)
        assert check(ctx, "SO-1", "ACME", "60000").outcome == "release"
        bigger = check(ctx, "SO-1", "ACME", "90000")
        assert (bigger.outcome, bigger.version) == ("hold", 2)
        assert bigger.reasons[0]["excess"] == "10000.00"     # 20000 + 90000 − 100000: own 60000 not twice
        smaller = check(ctx, "SO-1", "ACME", "70000")
        assert smaller.outcome == "release" and smaller.figures["orders"] == "0.00"


def test_cancelling_frees_the_reservation_and_a_reopened_order_is_checked_in_full(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, BOOK)
        check(ctx, "SO-1", "ACME", "70000")
        assert check(ctx, "SO-2", "ACME", "20000").outcome == "hold"
        service.cancel_order(ctx, "SO-1", "customer withdrew")
        service.cancel_order(ctx, "SO-2", "customer withdrew")
        assert check(ctx, "SO-3", "ACME", "70000").outcome == "release"
        reopened = check(ctx, "SO-1", "ACME", "70000")
        assert reopened.outcome == "require_guarantee" and reopened.reasons[0]["excess"] == "60000.00"
        assert _audits(ctx, "credit_check.reopen") == 1 and _audits(ctx, "order.cancel") == 2
        with pytest.raises(ValidationError):
            service.cancel_order(ctx, "SO-3", "  ")


def test_an_order_id_belongs_to_one_customer_and_a_shipped_order_cannot_change(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, BOOK + "customer OTHER DE\nlimit OTHER 100000 internal approved")
        check(ctx, "SO-1", "ACME", "10000")
        with pytest.raises(Conflict):
            check(ctx, "SO-1", "OTHER", "10000")
        service.ship_order(ctx, "SO-1", AS_OF)
        with pytest.raises(Conflict):
            check(ctx, "SO-1", "ACME", "12000")
        with pytest.raises(Conflict):
            service.cancel_order(ctx, "SO-1", "too late")


def test_shipped_not_invoiced_counts_until_the_invoice_arrives(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, BOOK + "order ACME SO-7 30000 EUR ship 2026-02-25 shipped\norder ACME SO-8 10000 EUR ship 2026-09-30")
        e = service.buyer_exposure(ctx, "ACME", AS_OF)
        assert (e["shipped"], e["orders"], e["exposure"]) == ("30000.00", "0.00", "50000.00")  # SO-8 beyond horizon
        write(ctx, "invoice ACME I-7 18000 EUR due 2026-04-30 order=SO-7")
        e = service.buyer_exposure(ctx, "ACME", AS_OF)
        assert (e["receivables"], e["shipped"], e["exposure"]) == ("38000.00", "12000.00", "50000.00")


def test_hold_queue_release_and_reject_by_a_credit_manager(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, BOOK)
        check(ctx, "SO-1", "ACME", "90000")
        check(ctx, "SO-2", "ACME", "95000")
    with ctx_factory(role="analyst") as ctx:
        queue, total = service.hold_queue(ctx)
        assert total == 2 and {o.order_id for o, _ in queue} == {"SO-1", "SO-2"}
        with pytest.raises(Forbidden):
            service.release_order(ctx, "SO-1", "ok")
    with ctx_factory(role="credit_manager", actor="user:li") as ctx:
        released = service.release_order(ctx, "SO-1", "guarantee received from parent")
        service.reject_order(ctx, "SO-2", "no security offered")
        assert (released.status, released.decided_by) == ("released", "user:li")
        assert service.hold_queue(ctx)[1] == 0
        assert service.buyer_exposure(ctx, "ACME", AS_OF)["orders"] == "90000.00"
        with pytest.raises(Conflict):
            service.release_order(ctx, "SO-2", "changed my mind")


def test_import_checks_open_orders_and_reports_bad_lines(ctx_factory):
    from arguard.limits.orders_io import parse_orders_csv

    text = ("order_id,customer,amount,currency,ship_date,status\n"
            "SO-1,ACME,50000,EUR,2026-03-10,open\n"
            "SO-2,ACME,abc,EUR,2026-03-10,open\n"
            "SO-3,NOBODY,10,EUR,2026-03-10,open\n"
            "SO-4,ACME,40000,EUR,2026-03-11,open\n")
    lines, issues = parse_orders_csv(text, "orders.csv")
    assert [str(i) for i in issues] == ["orders.csv:3 [amount]: not an amount: 'abc'"]
    with ctx_factory() as ctx:
        write(ctx, BOOK)
        results, issues = service.import_orders(ctx, lines, as_of=AS_OF, source="orders.csv")
    assert [(r["order_id"], r["decision"]) for r in results] == [("SO-1", "release"), ("SO-4", "hold")]
    assert [i.line for i in issues] == [4] and "NOBODY" in issues[0].reason


def test_reasons_are_all_reported_together(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer ACME DE
            invoice ACME I-1 95000 EUR due 2026-01-15
            limit ACME 100000 internal approved
        """)
        service.set_collections(ctx, "ACME", True, "agency")
        a = check(ctx, "SO-1", "ACME", "10000")
    assert a.outcome == "require_prepayment"
    assert set(codes(a)) == {"buyer.collections", "limit.exceeded", "overdue.oldest", "grade.none"}
