"""Posting a proposal through the ledger service: the payment (once, by external id), one allocation per
invoice capped at what is open now and what is left of the payment, and the residuals it leaves behind.
Service layer; ledger rows are only written through `arguard.ledger.service`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from arguard.core.money import Money
from arguard.ledger import interface as ledger
from arguard.ledger import interface as ledger_bulk
from arguard.ledger.model import PaymentRecord, PostedReceipt, Receipt, ReceiptLine
from arguard.platform.context import ServiceContext
from arguard.recon.tables import BankEntry, Proposal, ProposalLine, Residual


def _minor(amount: Any, currency: str) -> int:
    return Money(amount, currency).minor


def _external_id(ctx: ServiceContext, row: Proposal) -> str:
    key = ctx.session.scalar(select(BankEntry.entry_key).where(BankEntry.id == row.entry_id))
    return f"bank:{key}" + (f":{row.detail_index}" if row.detail_index is not None else "")


def book_payment(ctx: ServiceContext, row: Proposal, entry: BankEntry | None = None) -> ledger.StoredPayment:
    """The ledger payment for this proposal's money (in the invoices' currency when the payer
    instructed one), created once."""
    currency = row.item_currency or row.currency
    minor = row.item_amount_minor if row.item_currency and row.item_amount_minor is not None else row.amount_minor
    customer = row.customer_code or ""
    assert row.booked_on is not None
    ext = _external_id(ctx, row)
    payment = ledger.add_payment(ctx, PaymentRecord(
        external_id=ext, customer_code=customer, received_on=row.booked_on,
        amount=Money.from_minor(minor, currency), reference=(row.remittance or "")[:500] or None), source="bank")
    if payment is None:
        payment = ledger.get_payment(ctx, ext)
    row.payment_id = payment.id
    return payment


def apply_credits(ctx: ServiceContext, on: date | None, lines: Sequence[ProposalLine | LineDraft],
                  reason: str) -> dict[str, int]:
    """Apply the credit notes the payer deducted (lines with a negative amount) to the proposal's invoices
    through the ledger, before any cash: an invoice takes credit up to its proposed amount and what it has
    open now, a credit note gives at most its proposed amount and the credit it has left now, both of one
    customer and currency. The credit-note lines record what they gave and the ledger's applications.
    Returns invoice number → credit applied (minor units)."""
    credits = [ln for ln in lines if ln.amount_minor < 0]
    if not credits or on is None:
        return {}
    room: dict[str, tuple[Any, int]] = {}
    for ln in lines:
        inv = ledger.find_invoice(ctx, ln.invoice_number) if ln.amount_minor > 0 else None
        if inv is not None:
            room[ln.invoice_number] = (inv, min(ln.amount_minor, max(inv.open_minor, 0)))
    given: dict[str, int] = {}
    for cl in credits:
        cn = ledger.find_invoice(ctx, cl.invoice_number, "credit_note")
        left = min(-cl.amount_minor, max(-cn.open_minor, 0)) if cn is not None else 0
        targets: list[str] = []
        amounts: list[Money | None] = []
        for number, (inv, space) in room.items():
            minor = min(space, left)
            if cn is None or minor <= 0 or inv.customer_id != cn.customer_id or inv.currency != cn.currency \
                    or on < max(inv.issue_date, cn.issue_date):
                continue
            targets.append(number)
            amounts.append(Money.from_minor(minor, cn.currency))
            room[number] = (inv, space - minor)
            left -= minor
            given[number] = given.get(number, 0) + minor
        if targets:
            done = ledger.apply_credit_note(ctx, cl.invoice_number, targets, on, amounts=amounts,
                                            reason=f"deducted by the payer: {reason}"[:1000])
            cl.applied_minor = -sum(a.amount.minor for a in done)
            cl.credit_applications = [a.id for a in done]
    return given


def post(ctx: ServiceContext, row: Proposal, lines: Sequence[ProposalLine], reason: str) -> int:
    """Apply the credit notes the payer deducted, book the payment and allocate each invoice line, never
    beyond the invoice's open amount now nor what is left of the payment. Records what stays unapplied
    and what stays open. Returns the minor units of cash applied."""
    payment = book_payment(ctx, row)
    credited = apply_credits(ctx, row.booked_on, lines, reason)
    applied = sum(ln.applied_minor for ln in lines if ln.amount_minor < 0)
    on = row.booked_on
    assert on is not None
    unapplied = payment.unapplied_minor  # the ledger's record is as the payment was booked: count down here
    for line in lines:
        if line.amount_minor < 0:
            continue
        inv = ledger.find_invoice(ctx, line.invoice_number)
        if inv is None or inv.currency != payment.currency:
            continue
        credit = credited.get(line.invoice_number, 0)
        amount = min(line.amount_minor - credit, max(inv.open_minor, 0), unapplied)
        line.applied_minor = credit
        applied += credit
        if amount <= 0:
            if 0 < credit < line.amount_minor:
                add_residual(ctx, row, "short_payment", line.amount_minor - credit, inv.currency,
                             line.customer_code, line.invoice_number)
            continue
        alloc = ledger.allocate(ctx, payment.id, inv.id, Money.from_minor(amount, inv.currency), on,
                                source="bank", reason=reason[:1000])
        unapplied -= amount
        line.applied_minor = credit + amount
        line.allocation_id = alloc.id
        applied += amount
        amount += credit
        if amount < line.amount_minor:
            add_residual(ctx, row, "short_payment", line.amount_minor - amount, inv.currency, line.customer_code,
                      line.invoice_number)
    shortfalls = {n: (a, k) for n, a, k in row.shortfalls or []}
    for line in lines:
        if line.invoice_number in shortfalls and line.applied_minor:
            amount_text, kind = shortfalls[line.invoice_number]
            add_residual(ctx, row, kind, _minor(amount_text, line.currency), line.currency, line.customer_code,
                      line.invoice_number)
    if unapplied > 0:
        kind = "overpayment" if applied else "unapplied_cash"
        add_residual(ctx, row, kind, unapplied, payment.currency, row.customer_code, payment_id=payment.id)
    ctx.session.flush()
    return applied


Posting = tuple[Proposal, Sequence[ProposalLine], str]
"""A proposal to post, its lines, and the reason written on each allocation."""


@dataclass(slots=True, eq=False)
class LineDraft:
    """A proposal line on its way to the ledger (plain: for a statement's thousands of lines an ORM object
    costs more than the rest of posting). Same fields as `ProposalLine`."""

    invoice_number: str
    customer_code: str
    amount_minor: int
    currency: str
    applied_minor: int = 0
    allocation_id: int | None = None
    credit_applications: list[int] | None = None


@dataclass(slots=True, eq=False)
class ResidualDraft:
    """What a posting leaves behind (a `Residual` without its proposal)."""

    kind: str
    amount_minor: int
    currency: str
    customer_code: str | None = None
    invoice_number: str | None = None
    payment_id: int | None = None


@dataclass(slots=True, eq=False)
class ReceiptDraft:
    """A proposal's money on its way to the ledger: the receipt, its lines, and after posting the
    ledger payment, the cash applied and the residuals left."""

    external_id: str
    customer_code: str | None
    booked_on: date
    amount_minor: int
    currency: str
    remittance: str | None
    lines: list[LineDraft]
    reason: str
    shortfalls: list[list[str]] = field(default_factory=list)
    payment_id: int | None = None
    applied: int = 0
    residuals: list[ResidualDraft] = field(default_factory=list)


def external_id(entry_key: str, detail_index: int | None) -> str:
    return f"bank:{entry_key}" + (f":{detail_index}" if detail_index is not None else "")


def post_drafts(ctx: ServiceContext, drafts: Sequence[ReceiptDraft]) -> None:
    """Post a whole statement at once: the credit notes its payers deducted (through the ledger, before
    any cash), then every payment and allocation in one bulk call of the ledger
    (`ledger.interface.post_receipts`); each draft gets its payment, what was applied per line, and the
    residuals it leaves (as `post` records them)."""
    if not drafts:
        return
    credited = [apply_credits(ctx, d.booked_on, d.lines, d.reason) for d in drafts]
    receipts = [_receipt(d, credit) for d, credit in zip(drafts, credited, strict=True)]
    posted = ledger_bulk.post_receipts(ctx, receipts, source="bank")
    for d, done, credit in zip(drafts, posted, credited, strict=True):
        _after_posting(d, done, credit)


def post_many(ctx: ServiceContext, postings: Sequence[Posting]) -> list[int]:
    """`post_drafts` for stored proposals (a decision by hand): their drafts are posted and what was booked
    is written back on the rows, the residuals added to the session. Returns minor units applied per posting."""
    if not postings:
        return []
    keys = _entry_keys(ctx, {row.entry_id for row, _, _ in postings})
    drafts = [_draft_of(row, lines, reason, keys[row.entry_id]) for row, lines, reason in postings]
    post_drafts(ctx, drafts)
    with ctx.session.no_autoflush:  # the residuals are written with the proposals, at the next flush
        for (row, lines, _), d in zip(postings, drafts, strict=True):
            row.payment_id = d.payment_id
            for line, done in zip(lines, d.lines, strict=True):
                line.applied_minor, line.allocation_id = done.applied_minor, done.allocation_id
                line.credit_applications = done.credit_applications
            for r in d.residuals:
                add_residual(ctx, row, r.kind, r.amount_minor, r.currency, r.customer_code, r.invoice_number,
                             r.payment_id)
    return [d.applied for d in drafts]


def _draft_of(row: Proposal, lines: Sequence[ProposalLine], reason: str, entry_key: str) -> ReceiptDraft:
    currency = row.item_currency or row.currency
    minor = row.item_amount_minor if row.item_currency and row.item_amount_minor is not None else row.amount_minor
    assert row.booked_on is not None
    return ReceiptDraft(external_id(entry_key, row.detail_index), row.customer_code or None, row.booked_on, minor,
                        currency, row.remittance, [LineDraft(ln.invoice_number, ln.customer_code, ln.amount_minor,
                                                             ln.currency) for ln in lines],
                        reason, list(row.shortfalls or []))


def _entry_keys(ctx: ServiceContext, entry_ids: set[int]) -> dict[int, str]:
    ids = sorted(entry_ids)
    out: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        q = select(BankEntry.id, BankEntry.entry_key).where(BankEntry.id.in_(ids[i:i + 500]))
        out.update({entry_id: key for entry_id, key in ctx.session.execute(q)})
    return out


def _receipt(d: ReceiptDraft, credited: dict[str, int]) -> Receipt:
    lines = []
    for ln in d.lines:
        cash = ln.amount_minor - credited.get(ln.invoice_number, 0)
        if cash > 0:
            lines.append(ReceiptLine(ln.invoice_number, Money.from_minor(cash, ln.currency)))
    return Receipt(external_id=d.external_id, customer_code=d.customer_code, received_on=d.booked_on,
                   amount=Money.from_minor(d.amount_minor, d.currency), reference=(d.remittance or "")[:500] or None,
                   lines=tuple(lines), reason=d.reason[:1000])


def _after_posting(d: ReceiptDraft, done: PostedReceipt, credited: dict[str, int]) -> None:
    """Record on the draft what was applied, and the residuals it leaves (as `post` does)."""
    d.payment_id = done.payment_id
    got = {number: (minor, alloc_id) for number, minor, alloc_id in done.applied}
    applied = sum(ln.applied_minor for ln in d.lines if ln.amount_minor < 0)
    left = d.residuals
    for line in d.lines:
        credit = credited.get(line.invoice_number, 0) if line.amount_minor > 0 else 0
        if line.invoice_number not in got or line.amount_minor < 0:
            if credit:
                line.applied_minor = credit
                applied += credit
                if credit < line.amount_minor:
                    left.append(ResidualDraft("short_payment", line.amount_minor - credit, line.currency,
                                              line.customer_code, line.invoice_number))
            continue
        cash, alloc_id = got.pop(line.invoice_number)
        minor = cash + credit
        line.applied_minor, line.allocation_id = minor, alloc_id
        applied += minor
        if minor < line.amount_minor:
            left.append(ResidualDraft("short_payment", line.amount_minor - minor, line.currency, line.customer_code,
                                      line.invoice_number))
    if d.shortfalls:
        shortfalls = {n: (a, k) for n, a, k in d.shortfalls}
        for line in d.lines:
            if line.invoice_number in shortfalls and line.applied_minor:
                amount_text, kind = shortfalls[line.invoice_number]
                left.append(ResidualDraft(kind, _minor(amount_text, line.currency), line.currency, line.customer_code,
                                          line.invoice_number))
    if d.lines and done.unapplied_minor > 0:
        left.append(ResidualDraft("overpayment" if applied else "unapplied_cash", done.unapplied_minor, done.currency,
                                  d.customer_code, payment_id=done.payment_id))
    for r in left:
        if r.payment_id is None:
            r.payment_id = done.payment_id
    d.residuals = [r for r in left if r.amount_minor > 0]
    d.applied = applied


def add_residual(ctx: ServiceContext, row: Proposal, kind: str, minor: int, currency: str, customer: str | None = None,
              invoice: str | None = None, payment_id: int | None = None) -> None:
    if minor <= 0:
        return
    ctx.session.add(Residual(company_id=ctx.company_id, proposal_id=row.id, kind=kind, customer_code=customer,
                             invoice_number=invoice, amount_minor=minor, currency=currency, booked_on=row.booked_on,
                             payment_id=payment_id if payment_id is not None else row.payment_id))
