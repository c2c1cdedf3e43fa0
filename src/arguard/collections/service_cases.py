"""Collections services for cases (agency, legal) with costs and recoveries cleared in the policy's order,
and write-offs with four-eyes approval booked through the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from arguard.collections import rules
from arguard.collections.service_work import _choice, _one
from arguard.collections.tables import CaseEntry, CaseRow, WriteOffRequest
from arguard.core.errors import Conflict, Forbidden, NotFound, ValidationError
from arguard.core.money import Money
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext

CASE_STATUSES = ("open", "closed_paid", "closed_settled", "closed_uncollectable", "closed_withdrawn")


# ---------------------------------------------------------------- cases


@dataclass(frozen=True)
class CaseBalance:
    """What a case still claims: costs, interest and principal outstanding, and what it recovered."""

    costs: Money
    interest: Money
    principal: Money
    recovered: Money


def list_cases(ctx: ServiceContext, status: str | None = None, customer_code: str | None = None) -> list[CaseRow]:
    q = select(CaseRow).where(CaseRow.company_id == ctx.company_id)
    if status:
        q = q.where(CaseRow.status == status)
    if customer_code:
        q = q.where(CaseRow.customer_code == customer_code)
    return list(ctx.session.scalars(q.order_by(CaseRow.opened_on.desc(), CaseRow.id.desc())))


def get_case(ctx: ServiceContext, case_id: int) -> tuple[CaseRow, list[CaseEntry], CaseBalance]:
    row: CaseRow = _one(ctx, CaseRow, case_id, "case")
    entries = list(ctx.session.scalars(select(CaseEntry).where(CaseEntry.case_id == row.id)
                                       .order_by(CaseEntry.entry_on, CaseEntry.id)))
    return row, entries, case_balance(row, entries)


def case_balance(row: CaseRow, entries: list[CaseEntry]) -> CaseBalance:
    cur = row.currency
    costs = row.costs_minor + sum(e.amount_minor for e in entries if e.kind == "cost")
    rec = [e for e in entries if e.kind == "recovery"]
    return CaseBalance(Money.from_minor(costs - sum(e.costs_minor for e in rec), cur),
                       Money.from_minor(row.interest_minor - sum(e.interest_minor for e in rec), cur),
                       Money.from_minor(row.principal_minor - sum(e.principal_minor for e in rec), cur),
                       Money.from_minor(sum(e.amount_minor for e in rec), cur))


def open_case(ctx: ServiceContext, customer_code: str, kind: str, on: date, handler: str | None = None,
              note: str | None = None) -> CaseRow:
    """Hand a buyer's overdue items over to an agency or a lawyer by hand (the run opens cases too)."""
    ctx.require("credit_manager")
    from arguard.collections import service

    _choice(kind, ("agency", "legal"), "kind")
    result = service.dunning(ctx, on)
    action = next((a for a in result.actions if a.customer_code == customer_code), None)
    if action is None:
        raise ValidationError(f"{customer_code} has nothing overdue to hand over on {on}", code="nothing_overdue")
    row = CaseRow(company_id=ctx.company_id, customer_code=customer_code, kind=kind, handler=handler, status="open",
                  opened_on=on, currency=action.currency, principal_minor=action.overdue_total.minor,
                  interest_minor=action.interest_total.minor, costs_minor=(action.fee + action.compensation).minor,
                  invoices=[i.number for i in action.invoices], note=note)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("collections.case_open", "collections_case", row.id, after={"customer": customer_code, "kind": kind,
                                                                           "principal": str(action.overdue_total)})
    return row


def add_case_cost(ctx: ServiceContext, case_id: int, amount: Money, on: date, note: str) -> CaseEntry:
    ctx.require("credit_manager")
    row: CaseRow = _one(ctx, CaseRow, case_id, "case")
    if amount.currency != row.currency or amount.amount <= 0:
        raise ValidationError(f"a cost is a positive amount in {row.currency}", code="invalid_amount")
    entry = CaseEntry(company_id=ctx.company_id, case_id=row.id, kind="cost", entry_on=on, amount_minor=amount.minor,
                      note=note)
    ctx.session.add(entry)
    ctx.session.flush()
    ctx.audit("collections.case_cost", "collections_case", row.id, reason=note, after={"amount": str(amount)})
    return entry


def add_recovery(ctx: ServiceContext, case_id: int, amount: Money, on: date, note: str | None = None) -> CaseEntry:
    """Money the agency or lawyer recovered: cleared in the policy's order (costs, interest, principal by
    default); the principal part is booked in the ledger as a payment applied to the case's invoices."""
    ctx.require("credit_manager")
    from arguard.collections.service import get_policy
    from arguard.ledger.model import PaymentRecord

    row, _, bal = get_case(ctx, case_id)
    if row.status != "open":
        raise Conflict(f"case {case_id} is {row.status}", code="case_closed")
    if amount.currency != row.currency or amount.amount <= 0:
        raise ValidationError(f"a recovery is a positive amount in {row.currency}", code="invalid_amount")
    c = rules.clear(amount.amount, bal.costs.amount, bal.interest.amount, bal.principal.amount,
                    get_policy(ctx).clearing_order)
    cur = row.currency

    def minor(d: Decimal) -> int:
        return Money(d, cur).minor

    entry = CaseEntry(company_id=ctx.company_id, case_id=row.id, kind="recovery", entry_on=on,
                      amount_minor=amount.minor, costs_minor=minor(c.costs), interest_minor=minor(c.interest),
                      principal_minor=minor(c.principal), surplus_minor=minor(c.surplus), note=note)
    ctx.session.add(entry)
    ctx.session.flush()
    if c.principal > 0:
        ledger.add_payment(ctx, PaymentRecord(external_id=f"CASE-{row.id}-{entry.id}", customer_code=row.customer_code,
                                              received_on=on, amount=Money(c.principal, cur),
                                              invoice_numbers=tuple(row.invoices),
                                              reference=f"recovery {row.kind} case {row.id}"))
    ctx.audit("collections.case_recovery", "collections_case", row.id, reason=note,
              after={"amount": str(amount), "costs": str(c.costs), "interest": str(c.interest),
                     "principal": str(c.principal), "surplus": str(c.surplus)})
    return entry


def close_case(ctx: ServiceContext, case_id: int, status: str, on: date, note: str | None = None) -> CaseRow:
    ctx.require("credit_manager")
    row: CaseRow = _one(ctx, CaseRow, case_id, "case")
    if status == "open" or row.status != "open":
        raise ValidationError(f"case {case_id} is {row.status}; close it as one of "
                              f"{', '.join(CASE_STATUSES[1:])}", code="invalid_status")
    row.status, row.closed_on = _choice(status, CASE_STATUSES, "status"), on
    row.note = f"{row.note or ''}\n{note}".strip() if note else row.note
    ctx.audit("collections.case_close", "collections_case", row.id, reason=note, after={"status": status})
    return row


# ---------------------------------------------------------------- write-offs


def request_writeoff(ctx: ServiceContext, invoice_number: str, amount: Money, reason: str,
                     on: date) -> WriteOffRequest:
    ctx.require("analyst")
    code = ledger.document_customer(ctx, invoice_number)
    if code is None:
        raise NotFound(f"no invoice {invoice_number!r}", code="invoice_not_found")
    if amount.amount <= 0 or not reason.strip():
        raise ValidationError("a write-off is a positive amount with a reason", code="invalid_writeoff")
    row = WriteOffRequest(company_id=ctx.company_id, invoice_number=invoice_number, customer_code=code,
                          amount_minor=amount.minor, currency=amount.currency, reason=reason, status="requested",
                          requested_by=ctx.actor, requested_on=on)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("collections.writeoff_request", "invoice", invoice_number, reason=reason,
              after={"amount": str(amount), "request": row.id})
    return row


def decide_writeoff(ctx: ServiceContext, request_id: int, approve: bool, on: date, note: str = "") -> WriteOffRequest:
    """Approve (booked through the ledger's write_off) or reject a write-off request. Four eyes: whoever
    asked cannot approve."""
    ctx.require("credit_manager")
    row: WriteOffRequest = _one(ctx, WriteOffRequest, request_id, "write-off request")
    if row.status != "requested":
        raise Conflict(f"write-off request {request_id} is {row.status}", code="writeoff_decided")
    if approve and row.requested_by == ctx.actor:
        raise Forbidden("a write-off needs a second person's approval", code="four_eyes")
    if approve:
        ledger.write_off(ctx, row.invoice_number, Money.from_minor(row.amount_minor, row.currency), on,
                         f"{row.reason} (approved by {ctx.actor}, request {row.id})")
    row.status, row.decided_by, row.decided_on = ("approved" if approve else "rejected"), ctx.actor, on
    ctx.audit(f"collections.writeoff_{row.status}", "invoice", row.invoice_number, reason=note or row.reason,
              after={"request": row.id, "amount": str(Money.from_minor(row.amount_minor, row.currency))})
    return row


def list_writeoffs(ctx: ServiceContext, status: str | None = None) -> list[WriteOffRequest]:
    q = select(WriteOffRequest).where(WriteOffRequest.company_id == ctx.company_id)
    if status:
        q = q.where(WriteOffRequest.status == status)
    return list(ctx.session.scalars(q.order_by(WriteOffRequest.id.desc())))


def case_dict(row: CaseRow, entries: list[CaseEntry], bal: CaseBalance) -> dict[str, object]:
    """A case as the API and the dashboard show it: claim, costs, recoveries (each cleared), balance."""
    cur = row.currency

    def m(minor: int) -> str:
        return str(Money.from_minor(minor, cur).amount)

    return {"id": row.id, "customer_id": row.customer_code, "kind": row.kind, "handler": row.handler,
            "status": row.status, "opened_on": row.opened_on.isoformat(),
            "closed_on": row.closed_on.isoformat() if row.closed_on else None, "currency": cur,
            "invoices": list(row.invoices), "principal": m(row.principal_minor), "interest": m(row.interest_minor),
            "costs": m(row.costs_minor), "recovered": str(bal.recovered.amount),
            "outstanding": {"costs": str(bal.costs.amount), "interest": str(bal.interest.amount),
                            "principal": str(bal.principal.amount)},
            "entries": [{"kind": e.kind, "on": e.entry_on.isoformat(), "amount": m(e.amount_minor),
                         "costs": m(e.costs_minor), "interest": m(e.interest_minor),
                         "principal": m(e.principal_minor), "surplus": m(e.surplus_minor), "note": e.note}
                        for e in entries], "note": row.note}


def writeoff_dict(row: WriteOffRequest) -> dict[str, object]:
    return {"id": row.id, "invoice_number": row.invoice_number, "customer_id": row.customer_code,
            "amount": str(Money.from_minor(row.amount_minor, row.currency).amount), "currency": row.currency,
            "reason": row.reason, "status": row.status, "requested_by": row.requested_by,
            "requested_on": row.requested_on.isoformat(), "decided_by": row.decided_by,
            "decided_on": row.decided_on.isoformat() if row.decided_on else None}
