"""The reconciliation service on SQLite and PostgreSQL: statements in, ledger allocations out, the review
queue, teaching by confirmation, rejection remembered, re-import a no-op, never over-applying."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from tests.recon.helpers import mt940, seed_ledger

from arguard.core.errors import Conflict, Forbidden, ImportRejected, ValidationError
from arguard.ledger import service as ledger
from arguard.ledger.tables import Allocation, Invoice, Payment
from arguard.recon import service
from arguard.recon.tables import BankEntry, BankStatement

STATEMENT_1 = """
ref   amount   payer                 iban                    remittance
B001  1000.00  MUELLER MASCHINENBAU  DE89370400440532013000  INV 2024-00123
B002  1000.00  MUELLER MASCHINENBAU  DE89370400440532013000  INV 2024-00123
B003  420.00   JOHN SMITH            GB29NWBK60161331926819  thanks
B004  485.00   ACME TRADING          -                       RF18 5390 0754 7034
B005  77.00    SOMEBODY              -                       GIFT
B006  -50.00   OUR BANK              -                       account fees
"""

Ctx = Callable[..., Any]


@pytest.fixture
def seeded(ctx_factory: Ctx) -> Ctx:
    with ctx_factory() as ctx:
        seed_ledger(ctx)
    return ctx_factory


def open_amount(ctx: Any, number: str) -> int:
    return ledger.find_invoice(ctx, number).open_minor


def test_import_applies_sure_matches_through_the_ledger(seeded: Ctx) -> None:
    with seeded("analyst") as ctx:
        summary = service.import_statement(ctx, "feb.sta", mt940(STATEMENT_1))
    assert (summary.entries_new, summary.auto, summary.suggested, summary.unmatched) == (6, 2, 1, 2)
    assert summary.balance_warnings == []
    with seeded() as ctx:
        assert open_amount(ctx, "INV-2024-00123") == 0          # paid by reference and account
        assert open_amount(ctx, "INV-2024-00200") == 1500       # RF reference, 15.00 short: bank charges
        assert open_amount(ctx, "INV-2024-00301") == 42000      # amount alone: only suggested
        allocs = ledger.list_allocations(ctx, invoice_number="INV-2024-00123")
        assert [(a["amount"].minor, a["source"]) for a in allocs] == [(100000, "bank")]
        payment = ledger.get_payment(ctx, allocs[0]["payment_id"])
        assert payment.source == "bank" and payment.external_id.startswith("bank:")
        kinds = sorted((r.kind, r.amount_minor, r.customer_code) for r in service.residuals(ctx)[0])
    # The second payment of INV-2024-00123 is unapplied cash on C1's account; the gift is unidentified.
    assert kinds == [("bank_charges", 1500, "C2"), ("unapplied_cash", 7700, None), ("unapplied_cash", 100000, "C1")]


def test_the_same_statement_twice_changes_nothing(seeded: Ctx) -> None:
    with seeded("analyst") as ctx:
        service.import_statement(ctx, "feb.sta", mt940(STATEMENT_1))

    def state(ctx: Any) -> tuple[int, ...]:
        c = ctx.company_id
        return tuple(ctx.session.scalar(select(func.count()).select_from(t).where(t.company_id == c))
                     for t in (BankStatement, BankEntry, Payment, Allocation)) + (
            ctx.session.scalar(select(func.sum(Invoice.open_minor)).where(Invoice.company_id == c)),)

    with seeded() as ctx:
        before = state(ctx)
    with seeded("analyst") as ctx:
        again = service.import_statement(ctx, "feb-copy.sta", mt940(STATEMENT_1))
    assert again.changed_nothing and again.statements_duplicate == 1 and again.entries_duplicate == 6
    with seeded() as ctx:
        assert state(ctx) == before


def test_an_entry_seen_in_another_statement_is_not_booked_twice(seeded: Ctx) -> None:
    """An intraday report then the day's statement: the same booking (bank reference) is stored once."""
    with seeded("analyst") as ctx:
        service.import_statement(ctx, "a.sta", mt940(STATEMENT_1, number=1))
        second = service.import_statement(ctx, "b.sta", mt940(STATEMENT_1, number=2))
    assert second.statements_new == 1 and second.entries_new == 0 and second.entries_duplicate == 6


def test_balance_that_does_not_add_up_is_a_warning(seeded: Ctx) -> None:
    with seeded("analyst") as ctx:
        summary = service.import_statement(ctx, "feb.sta", mt940(STATEMENT_1, closing="1.00"))
        stmt = service.get_statement(ctx, summary.statement_ids[0])
    assert len(summary.balance_warnings) == 1 and "closing balance is 1.00" in summary.balance_warnings[0].reason
    assert stmt.balance_ok is False and summary.auto == 2


def test_not_a_statement_is_rejected_with_the_reason(seeded: Ctx) -> None:
    with seeded("analyst") as ctx, pytest.raises(ImportRejected, match="not a bank statement"):
        service.import_statement(ctx, "notes.txt", b"hello world")


def test_confirming_teaches_the_payer(seeded: Ctx) -> None:
    with seeded("analyst") as ctx:
        service.import_statement(ctx, "feb.sta", mt940(STATEMENT_1))
        [suggestion], _ = service.review_queue(ctx, "suggestions")
    assert suggestion.proposal.payer_name == "JOHN SMITH" and suggestion.proposal.confidence == 0.5
    with seeded("analyst") as ctx, pytest.raises(Forbidden):
        service.confirm(ctx, suggestion.proposal.id)
    with seeded("credit_manager") as ctx:
        service.confirm(ctx, suggestion.proposal.id, "John Smith is the owner of Nordwind")
        assert open_amount(ctx, "INV-2024-00301") == 0
        assert "JOHN SMITH" in ledger.get_customer(ctx, "C3").aliases
        with pytest.raises(Conflict):
            service.confirm(ctx, suggestion.proposal.id)
    march = """
    ref   amount  payer       iban                    remittance
    M001  700.00  JOHN SMITH  GB29NWBK60161331926819  payment
    """
    with seeded("analyst") as ctx:
        summary = service.import_statement(ctx, "mar.sta", mt940(march, number=3, day=date(2024, 3, 1)))
        assert summary.auto == 1 and open_amount(ctx, "INV-2024-00300") == 0


def test_rejecting_means_never_proposed_again(seeded: Ctx) -> None:
    with seeded("analyst") as ctx:
        service.import_statement(ctx, "feb.sta", mt940(STATEMENT_1))
        [suggestion], _ = service.review_queue(ctx, "suggestions")
    with seeded("credit_manager") as ctx:
        with pytest.raises(ValidationError):
            service.reject(ctx, suggestion.proposal.id, " ")
        service.reject(ctx, suggestion.proposal.id, "John Smith is not our customer")
        unmatched, _ = service.review_queue(ctx, "unmatched")
        assert suggestion.proposal.id in {v.proposal.id for v in unmatched}
    again = """
    ref   amount  payer       iban                    remittance
    M002  420.00  JOHN SMITH  GB29NWBK60161331926819  thanks again
    """
    with seeded("analyst") as ctx:
        summary = service.import_statement(ctx, "mar.sta", mt940(again, number=4, day=date(2024, 3, 2)))
        assert summary.suggested == 0 and summary.unmatched == 1
        assert open_amount(ctx, "INV-2024-00301") == 42000


def test_rejecting_an_automatic_match_reverses_it(seeded: Ctx) -> None:
    with seeded("analyst") as ctx:
        service.import_statement(ctx, "feb.sta", mt940(STATEMENT_1))
    with seeded("credit_manager") as ctx:
        auto = next(v for v in service.statement_proposals(ctx, service.list_statements(ctx)[0][0].id)
                    if v.proposal.status == "auto" and v.lines[0].invoice_number == "INV-2024-00123")
        service.reject(ctx, auto.proposal.id, "wrong customer")
        assert open_amount(ctx, "INV-2024-00123") == 100000
        cash, _ = service.unapplied_cash(ctx)
        assert any(r.proposal_id == auto.proposal.id and r.amount_minor == 100000 for r in cash)


def test_saved_column_mapping_reads_a_bank_csv(seeded: Ctx) -> None:
    csv = (b"Buchungstag;Betrag;Waehrung;Name;IBAN;Verwendungszweck\n"
           b"01.02.2024;1000,00;EUR;MUELLER MASCHINENBAU;DE89370400440532013000;RE INV-2024-00123\n")
    with seeded("analyst") as ctx:
        with pytest.raises(ImportRejected, match="mapping"):
            service.import_statement(ctx, "bank.csv", csv)
        service.save_mapping(ctx, "sparkasse", {
            "booking_date": "Buchungstag", "amount": "Betrag", "currency": "Waehrung", "counterparty_name": "Name",
            "counterparty_account": "IBAN", "remittance": ["Verwendungszweck"], "date_format": "%d.%m.%Y",
            "decimal_mark": ",", "delimiter": ";", "fixed_account": "DE02120300000000202051"})
        with pytest.raises(ValidationError):
            service.save_mapping(ctx, "broken", {"amount": "Betrag"})
        summary = service.import_statement(ctx, "bank.csv", csv, mapping="sparkasse")
        assert summary.auto == 1 and [m.name for m in service.list_mappings(ctx)] == ["sparkasse"]


# ---------------------------------------------------------------- invariants over random statements

INVOICE_AMOUNTS = st.lists(st.integers(1, 200_000), min_size=1, max_size=6)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=INVOICE_AMOUNTS, seed=st.integers(0, 10_000))
def test_applied_never_exceeds_the_payment_nor_the_open_amount(engine: Any, ctx_factory: Ctx,
                                                               amounts: list[int], seed: int) -> None:
    """Random payments (exact, short, over, duplicated, with or without references) against a fresh
    company's invoices: every allocation fits its payment and its invoice; re-import is a no-op."""
    from tests.conftest import new_company

    print(f"seed {seed}")
    rng = random.Random(seed)
    company_id, _ = new_company(engine)
    invoices = "number  customer  amount  payment_reference\n" + "\n".join(
        f"P-{k:05d}  C1  {Decimal(a).scaleb(-2)}  -" for k, a in enumerate(amounts))
    lines = ["ref  amount  payer  iban  remittance"]
    for k in range(rng.randint(1, 8)):
        target = rng.randrange(len(amounts))
        paid = max(1, amounts[target] + rng.choice([0, 0, -rng.randint(1, 5000), rng.randint(1, 5000)]))
        ref = rng.choice([f"P-{target:05d}", f"P-{target:05d} P-{rng.randrange(len(amounts)):05d}", "thanks"])
        lines.append(f"R{k:03d}  {Decimal(paid).scaleb(-2)}  MUELLER MASCHINENBAU  "
                     f"{rng.choice(['DE89370400440532013000', '-'])}  {ref}")
    statement = mt940("\n".join(lines))
    with ctx_factory(company_id=company_id) as ctx:
        seed_ledger(ctx, invoices=invoices)
    with ctx_factory("analyst", company_id=company_id) as ctx:
        service.import_statement(ctx, "random.sta", statement)
    with ctx_factory("analyst", company_id=company_id) as ctx:
        assert service.import_statement(ctx, "random.sta", statement).changed_nothing
        c = ctx.company_id
        for pay in ctx.session.scalars(select(Payment).where(Payment.company_id == c)):
            used = ctx.session.scalar(select(func.coalesce(func.sum(Allocation.amount_minor), 0))
                                      .where(Allocation.payment_id == pay.id))
            assert 0 <= used <= pay.amount_minor and pay.unapplied_minor == pay.amount_minor - used
        for inv in ctx.session.scalars(select(Invoice).where(Invoice.company_id == c)):
            assert 0 <= inv.open_minor <= inv.amount_minor
        assert ledger.verify_projections(ctx) == []


def test_demo_step_imports_a_camt053_statement(seeded: Ctx) -> None:
    from types import SimpleNamespace

    from arguard.recon.demo import recon_demo

    with seeded() as ctx:
        recon_demo(ctx, SimpleNamespace(as_of=date(2024, 2, 15)), random.Random(7))  # type: ignore[arg-type]
        [stmt], _ = service.list_statements(ctx)
        assert stmt.format == "camt.053" and stmt.balance_ok is True and stmt.counts["auto"] >= 1
