"""Limit requests and decisions (EDIFACT 4507 spirit), kinds, notice periods, documented decisions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from arguard.core.errors import Conflict, ValidationError
from arguard.core.money import Money
from arguard.limits import service
from arguard.limits.service import DecisionInput
from arguard.platform.tables import AuditEntry
from tests.limits.ledger_text import AS_OF, check, write

EUR = "EUR"


def test_request_then_partial_approval_is_documented(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, "customer ACME DE\ninvoice ACME I-1 10000 EUR due 2026-03-20")
        req = service.request_limit(ctx, "ACME", amount=Money.of("200000", EUR), on=AS_OF, reason="new contract")
    with ctx_factory(role="credit_manager", actor="user:wang") as ctx:
        row = service.decide_limit(ctx, "ACME", DecisionInput(
            kind="internal", status="partly_approved", amount=Money.of("120000", EUR), request_id=req.id,
            reason="equity supports 120k", review_on=date(2026, 9, 1)), on=AS_OF)
        assert service.open_requests(ctx) == []
        with pytest.raises(Conflict):
            service.decide_limit(ctx, "ACME", DecisionInput("internal", "approved", Money.of("1", EUR), "again",
                                                            request_id=req.id), on=AS_OF)
        entry = ctx.session.scalars(select(AuditEntry).where(AuditEntry.company_id == ctx.company_id,
                                                             AuditEntry.action == "limit.decide")).one()
    assert (row.requested_minor, row.amount_minor) == (20000000, 12000000)
    assert entry.actor == "user:wang" and entry.reason == "equity supports 120k"
    assert entry.after["inputs"]["exposure"] == "10000.00" and "recommended" in entry.after["inputs"]


def test_decisions_must_be_well_formed(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, "customer ACME DE\nlimit ACME 50000 internal approved")
        bad = [DecisionInput("internal", "approved", Money.of("1", EUR), " "),
               DecisionInput("internal", "granted", Money.of("1", EUR), "x"),
               DecisionInput("promised", "approved", Money.of("1", EUR), "x"),
               DecisionInput("internal", "reduced", Money.of("60000", EUR), "x"),
               DecisionInput("internal", "approved", Money.of("1", "USD"), "x")]
        for d in bad:
            with pytest.raises(ValidationError):
                service.decide_limit(ctx, "ACME", d, on=AS_OF)
    with ctx_factory(role="analyst") as ctx, pytest.raises(Exception, match="credit_manager"):
        service.decide_limit(ctx, "ACME", DecisionInput("internal", "approved", Money.of("1", EUR), "x"),
                             on=AS_OF)


def test_a_reduction_takes_effect_after_the_notice_period(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer ACME DE
            invoice ACME I-1 40000 EUR due 2026-03-20
            limit ACME 100000 internal approved on 2026-01-01
            limit ACME 50000 internal reduced
        """)
        before = check(ctx, "SO-1", "ACME", "30000", ship="2026-03-20")   # ships during the notice period
        after = check(ctx, "SO-2", "ACME", "5000", ship="2026-04-15")     # ships after it took effect
        refused = service.decide_limit(ctx, "ACME", DecisionInput("internal", "refused", None, "no increase"),
                                       on=AS_OF)
        e = service.buyer_exposure(ctx, "ACME", date(2026, 4, 1))
    assert before.outcome == "release" and before.figures["limit"] == "100000.00"
    assert after.outcome == "hold" and after.figures["limit"] == "50000.00"
    assert refused.amount_minor == 0 and e["limit"] == "50000.00"


def test_any_insurer_decision_overrides_the_discretionary_limit(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer ACME DE
            appetite discretionary * 25000
            limit ACME 20000 discretionary approved on 2026-01-01
        """)
        assert service.buyer_exposure(ctx, "ACME", AS_OF)["limit"] == "20000.00"
        with pytest.raises(ValidationError):
            write(ctx, "limit ACME 30000 discretionary approved")
        write(ctx, "limit ACME 0 insured refused on 2026-02-01")
        assert service.buyer_exposure(ctx, "ACME", AS_OF)["limit"] is None
        write(ctx, "limit ACME 15000 insured partly_approved on 2026-02-10")
        e = service.buyer_exposure(ctx, "ACME", AS_OF)
    assert (e["limit"], e["limit_kind"], e["insured"]) == ("15000.00", "insured", "15000.00")


def test_expired_limit_and_overdue_review(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer OLD DE
            customer REV DE
            limit OLD 50000 internal approved on 2025-01-01 to 2026-02-28
            limit REV 50000 internal approved on 2025-01-01 review 2026-01-31
        """)
        old, rev = check(ctx, "SO-1", "OLD", "100"), check(ctx, "SO-2", "REV", "100")
    assert old.outcome == "hold" and old.reasons[0]["code"] == "limit.none"
    assert rev.outcome == "release" and rev.reasons[0]["code"] == "limit.review_overdue"


def test_monitoring_reactions_request_review_once_per_cause(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, "customer ACME DE")
        a = service.request_review(ctx, "ACME", "grade fell to 8", cause="alert:7")
        b = service.request_review(ctx, "ACME", "grade fell to 8", cause="alert:7")
        c = service.request_review(ctx, "ACME", "payment 60 days late", cause="alert:9")
        assert a.id == b.id != c.id and len(service.open_requests(ctx)) == 2
