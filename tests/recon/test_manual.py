"""Cash application by hand on SQLite and PostgreSQL: a receipt split over invoices, a known payer's money
on account applied, money that is no customer's set aside, a bank-charge difference written off within
the tolerance (and refused above it) — each audited, each settling the residuals it concerns."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from tests.recon.helpers import mt940, seed_ledger
from tests.recon.test_service import STATEMENT_1

from arguard.core.errors import Conflict, Forbidden, ValidationError
from arguard.ledger import service as ledger
from arguard.platform.tables import AuditEntry
from arguard.recon import service
from arguard.recon import service_manual as manual
from arguard.recon.tables import BankEntry, Proposal

Ctx = Callable[..., Any]


@pytest.fixture
def imported(ctx_factory: Ctx) -> Ctx:
    with ctx_factory() as ctx:
        seed_ledger(ctx)
    with ctx_factory("analyst") as ctx:
        service.import_statement(ctx, "feb.sta", mt940(STATEMENT_1))
    return ctx_factory


def proposal_of(ctx: Any, bank_ref: str) -> Proposal:
    row = ctx.session.scalar(select(Proposal).join(BankEntry, BankEntry.id == Proposal.entry_id)
                             .where(Proposal.company_id == ctx.company_id, BankEntry.bank_ref == bank_ref))
    assert row is not None
    return row


def open_minor(ctx: Any, number: str) -> int:
    return ledger.find_invoice(ctx, number).open_minor


def open_residuals(ctx: Any) -> list[tuple[str, int, str | None]]:
    return sorted((r.kind, r.amount_minor, r.customer_code) for r in service.residuals(ctx)[0])


def audited(ctx: Any, action: str) -> list[AuditEntry]:
    return list(ctx.session.scalars(select(AuditEntry).where(AuditEntry.company_id == ctx.company_id,
                                                             AuditEntry.action == action)))


def test_a_receipt_split_over_two_invoices_by_hand(imported: Ctx) -> None:
    """JOHN SMITH's 420.00 was only suggested (amount alone); the credit manager knows it pays C3's two
    invoices in part: 300.00 of INV-2024-00301 and 120.00 of INV-2024-00300."""
    with imported("credit_manager") as ctx:
        row = proposal_of(ctx, "B003")
        manual.apply_by_hand(ctx, row.id, "C3", [("INV-2024-00301", Decimal("300.00")),
                                                 ("INV-2024-00300", Decimal("120.00"))], "phoned the buyer")
    with imported() as ctx:
        assert open_minor(ctx, "INV-2024-00301") == 12000 and open_minor(ctx, "INV-2024-00300") == 58000
        row = proposal_of(ctx, "B003")
        assert row.status == "confirmed" and row.customer_code == "C3" and row.decided_by == "test"
        [entry] = audited(ctx, "recon.proposal.apply_by_hand")
        assert entry.reason == "phoned the buyer"
        assert service.review_queue(ctx, "suggestions")[1] == 0


def test_a_known_payers_money_on_account_applied_later(imported: Ctx) -> None:
    """The second 1,000.00 of MUELLER was booked on C1's account; 250.00 of it pays INV-2024-00124 and
    750.00 stay as C1's overpayment."""
    with imported("credit_manager") as ctx:
        row = proposal_of(ctx, "B002")
        assert row.payment_id is not None
        manual.apply_by_hand(ctx, row.id, "C1", [("INV-2024-00124", Decimal("250.00"))], "remittance by e-mail")
    with imported() as ctx:
        assert open_minor(ctx, "INV-2024-00124") == 0
        assert ("overpayment", 75000, "C1") in open_residuals(ctx)
        assert ("unapplied_cash", 100000, "C1") not in open_residuals(ctx)
    with imported("credit_manager") as ctx, pytest.raises(Conflict):
        manual.apply_by_hand(ctx, proposal_of(ctx, "B002").id, "C1", [], "again")


def test_money_that_is_no_customers_leaves_the_queue(imported: Ctx) -> None:
    with imported("credit_manager") as ctx:
        manual.mark_not_customer(ctx, proposal_of(ctx, "B005").id, "refund of a supplier's overcharge")
    with imported() as ctx:
        unmatched = {v.proposal.id for v in service.review_queue(ctx, "unmatched")[0]}
        assert proposal_of(ctx, "B005").id not in unmatched
        assert ("unapplied_cash", 7700, None) not in open_residuals(ctx)
        assert len(audited(ctx, "recon.proposal.not_customer")) == 1
    with imported("credit_manager") as ctx, pytest.raises(Conflict):  # booked on C1's account: reverse first
        manual.mark_not_customer(ctx, proposal_of(ctx, "B002").id, "not C1's")


def test_a_bank_charge_within_tolerance_is_written_off(imported: Ctx) -> None:
    """ACME paid 485.00 of 500.00: 15.00 bank charges, under the default tolerance (the lower of EUR 50
    and 5 % of the invoice: 25.00)."""
    with imported("credit_manager") as ctx:
        [charge] = [r for r in service.residuals(ctx)[0] if r.kind == "bank_charges"]
        manual.write_off_residual(ctx, charge.id, "bank charges of the payer's bank")
    with imported() as ctx:
        assert open_minor(ctx, "INV-2024-00200") == 0
        assert not [r for r in service.residuals(ctx)[0] if r.kind == "bank_charges"]
    with imported("credit_manager") as ctx, pytest.raises(Conflict):
        manual.write_off_residual(ctx, charge.id, "twice")


def test_a_difference_above_tolerance_is_not_written_off(imported: Ctx) -> None:
    with imported("credit_manager") as ctx:
        [charge] = [r for r in service.residuals(ctx)[0] if r.kind == "bank_charges"]
        charge.amount_minor = 4000  # 40.00 of a 500.00 invoice: 8 %, above the 5 % share
        with pytest.raises(ValidationError) as err:
            manual.write_off_residual(ctx, charge.id, "too much")
        assert err.value.code == "above_tolerance"
    with imported() as ctx:
        assert open_minor(ctx, "INV-2024-00200") == 1500


def test_only_a_credit_manager_applies_by_hand(imported: Ctx) -> None:
    with imported("analyst") as ctx, pytest.raises(Forbidden):
        manual.apply_by_hand(ctx, proposal_of(ctx, "B003").id, "C3", [], "on account")
    with imported("credit_manager") as ctx, pytest.raises(ValidationError):
        manual.apply_by_hand(ctx, proposal_of(ctx, "B003").id, "C3", [], "  ")
