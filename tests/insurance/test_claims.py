"""Declarations, claims and recoveries on a stored ledger, to the cent."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from arguard.core.errors import Conflict, ValidationError
from arguard.core.money import Money
from arguard.insurance import service, service_claims
from arguard.insurance.render import render_declaration
from arguard.ledger import service as ledger
from tests.insurance.policies import POLICY_YAML
from tests.insurance.test_service import book

D = date.fromisoformat
EUR = "EUR"

LEDGER = """
    customer K1 DE
    customer K2 FR
    cover K1 20000 from 2026-01-01
    cover K2 10000 from 2026-01-01
    invoice K1 C-1 12000.00 issued 2026-03-01 due 2026-04-30
    invoice K1 C-2 2000.00 issued 2026-03-10 due 2026-05-10
    invoice K2 D-1 4000.00 issued 2026-03-01 due 2026-04-30
"""


def setup(ctx):  # type: ignore[no-untyped-def]
    book(ctx, LEDGER)
    ledger.set_dispute(ctx, "C-2", True, "quality complaint")
    service.load_policy(ctx, POLICY_YAML, "p.yaml")
    return service.get_policy(ctx, "P-1")


def test_claims_share_the_aggregate_first_loss_and_recoveries_are_split(ctx_factory):
    with ctx_factory() as ctx:
        policy = setup(ctx)
        first = service_claims.open_claim(ctx, policy, "K1", "protracted_default", D("2026-09-01"))
        terms = {t["name"]: t["amount"] for t in first.terms}
        # 12,000 covered; the disputed 2,000 left out; − 500 deductible − 5,000 first loss = 6,500 × 90 %
        assert (terms["gross_loss"], terms["excluded"], terms["eligible_loss"]) == ("14000.00", "-2000.00", "12000.00")
        assert first.indemnity_minor == 585000
        disputed = next(i for i in first.file["invoices"] if i["invoice_number"] == "C-2")
        assert disputed["disputed"] and disputed["covered_amount"] == "0.00"
        assert first.file["statement_of_account"][0]["closing_balance"] == "14000.00"
        service_claims.advance_claim(ctx, policy, first.id, "file", D("2026-09-02"))
        second = service_claims.open_claim(ctx, policy, "K2", "protracted_default", D("2026-09-03"))
        assert second.indemnity_minor == 315000                   # (4,000 − 500) × 90 %: the first loss is used up
        with pytest.raises(Conflict):
            service_claims.advance_claim(ctx, policy, second.id, "pay", D("2026-09-04"))
        service_claims.advance_claim(ctx, policy, first.id, "review", D("2026-09-10"))
        paid = service_claims.advance_claim(ctx, policy, first.id, "pay", D("2027-02-01"))
        assert paid.status == "paid" and paid.paid_minor == 585000
        r = service_claims.add_recovery(ctx, first.id, Money.of("3000", EUR), D("2027-03-01"))
        assert (r.insurer_minor, r.seller_minor) == (146250, 153750)       # 3,000 × 5,850 / 12,000
        out = service_claims.claim_json(ctx, paid)
        assert out["recoveries"][0]["insurer"] == "1462.50"


def test_a_rejection_states_the_reason_and_recoveries_wait_for_payout(ctx_factory):
    with ctx_factory(role="credit_manager") as ctx:
        policy = setup(ctx)
        claim = service_claims.open_claim(ctx, policy, "K2", "insolvency", D("2026-09-01"))
        with pytest.raises(Conflict):
            service_claims.add_recovery(ctx, claim.id, Money.of("10", EUR), D("2026-09-02"))
        service_claims.advance_claim(ctx, policy, claim.id, "file", D("2026-09-02"))
        with pytest.raises(ValidationError):
            service_claims.advance_claim(ctx, policy, claim.id, "reject", D("2026-09-05"), reason=" ")
        row = service_claims.advance_claim(ctx, policy, claim.id, "reject", D("2026-09-05"),
                                           reason="notification deadline missed")
        assert (row.status, row.reason) == ("rejected", "notification deadline missed")
    with ctx_factory(role="analyst") as ctx, pytest.raises(Exception, match="credit_manager"):
        service_claims.open_claim(ctx, policy, "K1", "insolvency", D("2026-09-01"))


def test_turnover_declaration_and_premium(ctx_factory):
    with ctx_factory() as ctx:
        policy = setup(ctx)
        book(ctx, "customer K9 RU\ninvoice K9 X-1 9000.00 issued 2026-02-01 due 2026-03-01")   # excluded country
        row = service_claims.declare_turnover(ctx, policy, (D("2026-01-01"), D("2026-03-31")))
        # 18,000 insured turnover × 0.25 % = 45.00, two insured buyers × 15.00 = 30.00
        assert (row.amount_minor, row.premium_minor) == (1800000, 7500)
        assert row.content["premium"] == "45.00" and row.content["buyer_fees"] == "30.00"
        with pytest.raises(ValidationError):
            service_claims.declare_turnover(ctx, policy, (D("2026-01-01"), D("2026-02-28")))
        last = service_claims.declare_turnover(ctx, policy, (D("2026-10-01"), D("2026-12-31")))
        # no sales; two monitored buyers × 15.00; the year is topped up to the 2,000 minimum: 2,000 − 75
        assert last.amount_minor == 0 and last.content["buyer_fees"] == "30.00"
        assert last.premium_minor == 200000 - 7500


def test_overdue_declaration_is_generated_rendered_and_sent(ctx_factory):
    with ctx_factory() as ctx:
        policy = setup(ctx)
        row = service_claims.declare_overdue(ctx, policy, D("2026-07-15"))
        data = service_claims.declaration_json(row)
        assert data["amount"] == "18000.00" and [b["customer"] for b in data["content"]["buyers"]] == ["K1", "K2"]
        lines = list(csv.reader(io.StringIO(render_declaration(data, "csv").decode())))
        assert lines[0][:2] == ["customer", "invoice_number"] and len(lines) == 4
        assert render_declaration(data, "pdf").startswith(b"%PDF")
        service_claims.mark_sent(ctx, row.id, D("2026-07-20"))
        with pytest.raises(Conflict):
            service_claims.mark_sent(ctx, row.id, D("2026-07-21"))
        out = service.check(ctx, policy, D("2026-07-25"))
    statuses = {o["invoice_number"]: o["status"] for o in out["obligations"]}
    assert statuses == {"C-1": "notified", "C-2": "notified", "D-1": "notified"}


def test_discretionary_limits_stay_within_the_policy(ctx_factory):
    with ctx_factory() as ctx:
        policy = setup(ctx)
        book(ctx, "customer K5 DE")
        with pytest.raises(ValidationError):
            service_claims.set_discretionary_limit(ctx, policy, "K5", Money.of("20000.01", EUR), D("2026-02-01"),
                                                   "credit report 2026-01")
        service_claims.set_discretionary_limit(ctx, policy, "K5", Money.of("15000", EUR), D("2026-02-01"),
                                               "credit report 2026-01")
        limits = {r["customer"]: r["limit"] for r in service_claims.insured_limits(ctx, policy, D("2026-03-01"))}
        assert limits["K5"] == "15000.00"
        # an insurer decision overrides the discretionary limit
        service_claims.record_insurer_decision(ctx, "K5", status="refused", amount=None, on=D("2026-03-05"),
                                               reason="insurer refused", effective_from=D("2026-03-05"))
        limits = {r["customer"]: r["limit"] for r in service_claims.insured_limits(ctx, policy, D("2026-03-10"))}
        assert limits["K5"] is None or limits["K5"] == "0.00"
