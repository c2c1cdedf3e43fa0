"""Ledger services: credit notes applied to invoices. Re-exported by `arguard.ledger.service`.

An application is an append-only pair of adjustment rows (kind 'credit_applied') written in one
transaction: on the invoice (+amount, it owes less) and on the credit note (−amount, less credit is left),
each naming the other document in `counterpart_id`. The invoice's row is the application (its id
identifies it). Because both are adjustments, open amounts as of any date, aging, DSO, statements and
`verify_projections` account for them without special cases. A reversal is a second pair with the negative
amounts and `reverses_id` pointing at the originals.

Invariants: both documents belong to the same customer and currency; the applied amount is positive and
never exceeds the credit note's remaining credit nor the invoice's open amount (both rows locked first, in
id order, and conditional updates refuse any overdraw).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from arguard.core.errors import Conflict, NotFound, ValidationError
from arguard.core.money import Money
from arguard.ledger.model import CreditApplication
from arguard.ledger.tables import Adjustment, Customer, Invoice
from arguard.platform.context import ServiceContext
from arguard.platform.events import publish

KIND = "credit_applied"

__all__ = ["apply_credit_note", "list_credit_applications", "reverse_credit_application", "unapply_credit_note"]


def _document(ctx: ServiceContext, number: str, document_type: str) -> Invoice:
    row = ctx.session.scalar(select(Invoice).where(Invoice.company_id == ctx.company_id,
                                                   Invoice.document_type == document_type,
                                                   Invoice.number == number))
    if row is None:
        raise NotFound(f"no {document_type.replace('_', ' ')} {number!r}", code="invoice_not_found")
    return row


def _lock(ctx: ServiceContext, ids: Sequence[int]) -> dict[int, Invoice]:
    """Lock documents in id order (no deadlock between two applications touching the same pair)."""
    rows = ctx.session.scalars(select(Invoice).where(Invoice.company_id == ctx.company_id,
                                                     Invoice.id.in_(sorted(set(ids))))
                               .order_by(Invoice.id).with_for_update())
    return {r.id: r for r in rows}


def _move(ctx: ServiceContext, doc_id: int, delta: int, floor: int | None, ceiling: int | None) -> bool:
    """open_minor += delta, only if the result stays within [floor, ceiling] (conditional update)."""
    q = update(Invoice).where(Invoice.id == doc_id, Invoice.company_id == ctx.company_id)
    if floor is not None:
        q = q.where(Invoice.open_minor + delta >= floor)
    if ceiling is not None:
        q = q.where(Invoice.open_minor + delta <= ceiling)
    return bool(ctx.session.execute(q.values(open_minor=Invoice.open_minor + delta)).rowcount)  # type: ignore[attr-defined]


def apply_credit_note(ctx: ServiceContext, credit_note: str, invoices: Sequence[str], on: date, *,
                      amounts: Sequence[Money | None] | None = None,
                      reason: str | None = None) -> list[CreditApplication]:
    """Apply a credit note to invoices of the same customer and currency, in the order named: each gets
    the amount given (None: as much as both still allow); what is left of the credit stays open.
    An amount beyond the credit left or the invoice's open amount is a Conflict (nothing is written)."""
    ctx.require("analyst")
    if not invoices:
        raise ValidationError("name at least one invoice", code="bad_credit_application")
    if amounts is not None and len(amounts) != len(invoices):
        raise ValidationError("give one amount per invoice (or none)", code="bad_credit_application")
    cn = _document(ctx, credit_note, "credit_note")
    targets = [_document(ctx, n, "invoice") for n in invoices]
    if len({t.id for t in targets}) != len(targets):
        raise ValidationError("an invoice is named twice", code="bad_credit_application")
    locked = _lock(ctx, [cn.id, *(t.id for t in targets)])
    cn = locked[cn.id]
    out = []
    for i, target in enumerate(targets):
        inv = locked[target.id]
        if inv.customer_id != cn.customer_id:
            raise ValidationError(f"invoice {inv.number} is another customer's", code="customer_mismatch")
        if inv.currency != cn.currency:
            raise ValidationError(f"credit note in {cn.currency} cannot settle invoice {inv.number} in "
                                  f"{inv.currency}", code="currency_mismatch")
        if on < max(inv.issue_date, cn.issue_date):
            raise ValidationError(f"{on} is before the credit note or invoice {inv.number} was issued",
                                  code="bad_credit_application")
        credit_left, owed = -cn.open_minor, inv.open_minor
        wanted = amounts[i] if amounts is not None else None
        if wanted is None:
            minor = min(credit_left, owed)
            if minor <= 0:
                continue
        else:
            if wanted.currency != cn.currency or wanted.minor <= 0:
                raise ValidationError(f"an applied amount is positive and in {cn.currency}",
                                      code="bad_credit_application")
            minor = wanted.minor
            if minor > credit_left or minor > owed:
                raise Conflict(f"{wanted} exceeds the credit left "
                               f"{Money.from_minor(max(credit_left, 0), cn.currency)} or invoice {inv.number}'s "
                               f"open {Money.from_minor(max(owed, 0), cn.currency)}", code="over_allocation")
        ok = _move(ctx, inv.id, -minor, 0, None) and _move(ctx, cn.id, minor, None, 0)
        if not ok:
            raise Conflict("a concurrent change used the amount first", code="over_allocation")
        ctx.session.refresh(inv)
        ctx.session.refresh(cn)
        row = Adjustment(company_id=ctx.company_id, invoice_id=inv.id, kind=KIND, amount_minor=minor,
                         currency=cn.currency, effective_on=on, reason=reason, counterpart_id=cn.id)
        ctx.session.add(row)
        ctx.session.add(Adjustment(company_id=ctx.company_id, invoice_id=cn.id, kind=KIND, amount_minor=-minor,
                                   currency=cn.currency, effective_on=on, reason=reason, counterpart_id=inv.id))
        ctx.session.flush()
        amount = Money.from_minor(minor, cn.currency)
        ctx.audit("credit_note.apply", "invoice", inv.number, reason=reason,
                  after={"credit_note": cn.number, "application": row.id, "amount": str(amount.amount),
                         "currency": amount.currency, "on": on.isoformat()})
        publish(ctx, "ledger.allocation", None, {"invoice_id": inv.id, "customer_id": inv.customer_id})
        out.append(_read(ctx, row, cn.number, inv.number, inv.customer_id))
    return out


def reverse_credit_application(ctx: ServiceContext, application_id: int, reason: str,
                               on: date | None = None) -> CreditApplication:
    """Undo an application by a reversing pair (negative amounts); the originals stay.

    on: the reversal's date; by default the application's date (views as of earlier dates treat it as
    never made); a later date keeps past views as they were reported."""
    ctx.require("credit_manager")
    orig = ctx.session.scalar(select(Adjustment).where(
        Adjustment.company_id == ctx.company_id, Adjustment.id == application_id, Adjustment.kind == KIND,
        Adjustment.amount_minor > 0, Adjustment.reverses_id.is_(None)).with_for_update())
    if orig is None or orig.counterpart_id is None:
        raise NotFound("no credit-note application to reverse", code="application_not_found")
    if ctx.session.scalar(select(Adjustment.id).where(Adjustment.company_id == ctx.company_id,
                                                      Adjustment.reverses_id == orig.id)):
        raise Conflict("application already reversed", code="already_reversed")
    twin = ctx.session.scalar(select(Adjustment).where(
        Adjustment.company_id == ctx.company_id, Adjustment.kind == KIND, Adjustment.invoice_id == orig.counterpart_id,
        Adjustment.counterpart_id == orig.invoice_id, Adjustment.amount_minor == -orig.amount_minor,
        Adjustment.effective_on == orig.effective_on, Adjustment.reverses_id.is_(None), Adjustment.id > orig.id)
        .order_by(Adjustment.id).limit(1))
    if twin is None:
        raise NotFound("the credit note's side of the application is missing", code="application_not_found")
    docs = _lock(ctx, [orig.invoice_id, orig.counterpart_id])
    inv, cn = docs[orig.invoice_id], docs[orig.counterpart_id]
    minor = orig.amount_minor
    # The invoice owes again; the credit note has its credit back (its open amount can never pass its amount).
    if not (_move(ctx, inv.id, minor, None, None) and _move(ctx, cn.id, -minor, cn.amount_minor, None)):
        raise Conflict("the credit note's projection disagrees with its facts", code="projection_mismatch")
    when = max(on, orig.effective_on) if on else orig.effective_on
    rev = Adjustment(company_id=ctx.company_id, invoice_id=inv.id, kind=KIND, amount_minor=-minor,
                     currency=orig.currency, effective_on=when, reason=reason, reverses_id=orig.id,
                     counterpart_id=cn.id)
    ctx.session.add(rev)
    ctx.session.add(Adjustment(company_id=ctx.company_id, invoice_id=cn.id, kind=KIND, amount_minor=minor,
                               currency=orig.currency, effective_on=when, reason=reason, reverses_id=twin.id,
                               counterpart_id=inv.id))
    ctx.session.flush()
    ctx.session.refresh(inv)
    ctx.session.refresh(cn)
    ctx.audit("credit_note.apply_reverse", "invoice", inv.number, reason=reason,
              before={"application": orig.id, "amount": str(Money.from_minor(minor, orig.currency).amount)},
              after={"reversal": rev.id, "on": when.isoformat()})
    publish(ctx, "ledger.allocation", None, {"invoice_id": inv.id, "customer_id": inv.customer_id})
    return _read(ctx, rev, cn.number, inv.number, inv.customer_id)


def unapply_credit_note(ctx: ServiceContext, credit_note: str, invoice: str, reason: str,
                        on: date | None = None) -> list[CreditApplication]:
    """Reverse every application of the credit note to the invoice that is not reversed yet."""
    ctx.require("credit_manager")
    live = [a for a in list_credit_applications(ctx, invoice_number=invoice, credit_note_number=credit_note,
                                                limit=100_000)]
    reversed_ids = {a.reverses_id for a in live if a.reverses_id is not None}
    todo = [a for a in live if a.reverses_id is None and a.id not in reversed_ids]
    if not todo:
        raise NotFound(f"credit note {credit_note!r} is not applied to invoice {invoice!r}",
                       code="application_not_found")
    return [reverse_credit_application(ctx, a.id, reason, on) for a in todo]


def list_credit_applications(ctx: ServiceContext, *, invoice_number: str | None = None,
                             credit_note_number: str | None = None, customer_code: str | None = None,
                             limit: int = 200) -> list[CreditApplication]:
    """Applications and their reversals (invoice side), oldest first."""
    cn = aliased(Invoice)
    q = (select(Adjustment, cn.number, Invoice.number, Customer.code)
         .join(Invoice, Invoice.id == Adjustment.invoice_id).join(cn, cn.id == Adjustment.counterpart_id)
         .join(Customer, Customer.id == Invoice.customer_id)
         .where(Adjustment.company_id == ctx.company_id, Adjustment.kind == KIND,
                Invoice.document_type == "invoice"))
    if invoice_number:
        q = q.where(Invoice.number == invoice_number)
    if credit_note_number:
        q = q.where(cn.number == credit_note_number)
    if customer_code:
        q = q.where(Customer.code == customer_code)
    return [_row(a, cn_no, inv_no, code)
            for a, cn_no, inv_no, code in ctx.session.execute(q.order_by(Adjustment.id).limit(limit))]


def _row(a: Adjustment, cn_number: str, inv_number: str, code: str) -> CreditApplication:
    return CreditApplication(id=a.id, credit_note_number=cn_number, invoice_number=inv_number, customer_code=code,
                             amount=Money.from_minor(a.amount_minor, a.currency), applied_on=a.effective_on,
                             reverses_id=a.reverses_id, reason=a.reason)


def _read(ctx: ServiceContext, a: Adjustment, cn_number: str, inv_number: str, customer_id: int) -> CreditApplication:
    code = ctx.session.scalar(select(Customer.code).where(Customer.company_id == ctx.company_id,
                                                          Customer.id == customer_id)) or ""
    return _row(a, cn_number, inv_number, code)
