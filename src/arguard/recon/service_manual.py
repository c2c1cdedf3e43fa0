"""Cash application by hand (recon README rules 20–23): what a credit manager does with the money the
engine could not place. Service layer; ledger facts only through `arguard.ledger.interface`.

    apply_by_hand(ctx, proposal_id, customer, lines, reason)   a receipt to a customer, or split over invoices
    mark_not_customer(ctx, proposal_id, reason)                money that is no customer's (refund, interest…)
    write_off_residual(ctx, residual_id, reason)               a difference within the tolerance, written off

Each is audited; each settles the open residuals of the receipt it concerns (they keep how, who, when).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import delete, select

from arguard.core.errors import Conflict, NotFound, ValidationError
from arguard.core.money import Money
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext
from arguard.recon.posting import add_residual, post_many
from arguard.recon.tables import Proposal, ProposalLine, Residual

OPEN_FOR_HAND = ("unmatched", "rejected", "suggested")
WRITE_OFF_KINDS = ("short_payment", "bank_charges", "fx_difference")


def _proposal(ctx: ServiceContext, proposal_id: int) -> Proposal:
    row = ctx.session.scalar(select(Proposal).where(Proposal.company_id == ctx.company_id,
                                                    Proposal.id == proposal_id).with_for_update())
    if row is None:
        raise NotFound(f"no bank match proposal {proposal_id}", code="proposal_not_found")
    return row


def _settle(ctx: ServiceContext, proposal_id: int, resolution: str) -> int:
    """Mark the proposal's open residuals settled; returns how many."""
    rows = list(ctx.session.scalars(select(Residual).where(
        Residual.company_id == ctx.company_id, Residual.proposal_id == proposal_id, Residual.resolved_at.is_(None))))
    now = datetime.now(UTC)
    for r in rows:
        r.resolution, r.resolved_by, r.resolved_at = resolution, ctx.actor, now
    return len(rows)


def apply_by_hand(ctx: ServiceContext, proposal_id: int, customer_code: str,
                  lines: Sequence[tuple[str, Decimal]] = (), reason: str = "") -> Proposal:
    """Book an unplaced receipt to `customer_code`: on its account when `lines` is empty, else applied to
    those invoices in the order given (invoice number, amount in the invoice's currency; each capped at
    what is open). What is left stays as unapplied cash (or an overpayment) of that customer."""
    ctx.require("credit_manager")
    if not reason.strip():
        raise ValidationError("say why the money is applied this way", code="reason_required")
    row = _proposal(ctx, proposal_id)
    if row.status not in OPEN_FOR_HAND:
        raise Conflict(f"proposal {proposal_id} is {row.status}: nothing left to apply by hand", code="already_decided")
    if row.booked_on is None:
        raise ValidationError("the bank entry has no booking date", code="no_booking_date")
    if ledger.find_customer(ctx, customer_code) is None:
        raise NotFound(f"no customer {customer_code!r}", code="customer_not_found")
    if row.payment_id is not None and row.customer_code not in (None, customer_code):
        raise Conflict(f"the money is booked on {row.customer_code}'s account already", code="booked_elsewhere")
    currency = row.item_currency or row.currency
    ctx.session.execute(delete(ProposalLine).where(ProposalLine.company_id == ctx.company_id,
                                                   ProposalLine.proposal_id == row.id,
                                                   ProposalLine.allocation_id.is_(None)))
    new_lines = [ProposalLine(company_id=ctx.company_id, proposal_id=row.id, invoice_number=number,
                              customer_code=customer_code, amount_minor=Money(amount, currency).minor,
                              currency=currency) for number, amount in lines]
    ctx.session.add_all(new_lines)
    before = {"status": row.status, "customer": row.customer_code}
    row.customer_code = customer_code
    _settle(ctx, row.id, "applied")
    ctx.session.flush()
    applied = post_many(ctx, [(row, new_lines, f"applied by hand: {reason}")])[0]
    if not new_lines:
        add_residual(ctx, row, "unapplied_cash", row.item_amount_minor if row.item_currency and
                     row.item_amount_minor is not None else row.amount_minor, currency, customer=customer_code)
    row.status, row.decided_by, row.decided_at, row.decision_reason = "confirmed", ctx.actor, datetime.now(UTC), reason
    ctx.audit("recon.proposal.apply_by_hand", "bank_match", row.id, reason=reason, before=before,
              after={"customer": customer_code, "applied_minor": applied, "currency": currency,
                     "lines": [[n, str(a)] for n, a in lines]})
    ctx.session.flush()
    return row


def mark_not_customer(ctx: ServiceContext, proposal_id: int, reason: str) -> Proposal:
    """Money that is no customer's (a refund from a supplier, interest, an own transfer): it leaves the
    review queue and the unapplied cash, with the reason. Money already booked on a customer's account
    is reversed in the ledger first."""
    ctx.require("credit_manager")
    if not reason.strip():
        raise ValidationError("say whose money it is", code="reason_required")
    row = _proposal(ctx, proposal_id)
    if row.status not in OPEN_FOR_HAND:
        raise Conflict(f"proposal {proposal_id} is {row.status}", code="already_decided")
    if row.payment_id is not None:
        raise Conflict(f"the money is booked on {row.customer_code}'s account: reverse that payment first",
                       code="booked_on_account")
    before = row.status
    row.status, row.decided_by, row.decided_at, row.decision_reason = ("not_customer", ctx.actor, datetime.now(UTC),
                                                                      reason)
    _settle(ctx, row.id, "not_customer")
    ctx.audit("recon.proposal.not_customer", "bank_match", row.id, reason=reason, before={"status": before},
              after={"status": "not_customer", "amount_minor": row.amount_minor, "currency": row.currency})
    ctx.session.flush()
    return row


def write_off_residual(ctx: ServiceContext, residual_id: int, reason: str) -> Residual:
    """Write off what a payment left open on an invoice (short payment, bank charges, FX difference)
    when it is within the company's materiality tolerance (ledger rule: amount and share of the
    invoice); booked through the ledger's write-off, audited there and here."""
    ctx.require("credit_manager")
    if not reason.strip():
        raise ValidationError("say why the difference is written off", code="reason_required")
    r = ctx.session.scalar(select(Residual).where(Residual.company_id == ctx.company_id, Residual.id == residual_id)
                           .with_for_update())
    if r is None:
        raise NotFound(f"no residual {residual_id}", code="residual_not_found")
    if r.resolved_at is not None:
        raise Conflict(f"residual {residual_id} was settled already ({r.resolution})", code="already_settled")
    if r.kind not in WRITE_OFF_KINDS or not r.invoice_number:
        raise ValidationError(f"a {r.kind} without an invoice is not written off; apply the money instead",
                              code="not_a_difference")
    on = r.booked_on or datetime.now(UTC).date()
    invoice_amount = _invoice_amount(ctx, r.invoice_number)
    thresholds = ledger.materiality_thresholds(ctx, on, [r.currency])
    if ledger.is_material(r.amount_minor, invoice_amount, r.currency, thresholds):
        raise ValidationError(f"{Money.from_minor(r.amount_minor, r.currency)} is above the write-off tolerance "
                              f"for invoice {r.invoice_number}; collect it or ask for a credit note",
                              code="above_tolerance")
    ledger.write_off(ctx, r.invoice_number, Money.from_minor(r.amount_minor, r.currency), on,
                     f"{r.kind.replace('_', ' ')} written off: {reason}")
    r.resolution, r.resolved_by, r.resolved_at = "written_off", ctx.actor, datetime.now(UTC)
    ctx.audit("recon.residual.write_off", "residual", r.id, reason=reason,
              after={"invoice": r.invoice_number, "kind": r.kind, "amount_minor": r.amount_minor,
                     "currency": r.currency})
    ctx.session.flush()
    return r


def _invoice_amount(ctx: ServiceContext, number: str) -> int:
    """The invoice's original amount in minor units (the materiality share is of the invoice)."""
    invoice = ledger.find_invoice(ctx, number)
    if invoice is None:
        raise NotFound(f"no invoice {number}", code="invoice_not_found")
    return int(invoice.amount_minor)
