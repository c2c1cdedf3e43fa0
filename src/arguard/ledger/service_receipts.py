"""Receipts in bulk (service layer): many payments and their allocations in a few statements.

`post_receipts` is what `add_payment` + `allocate` do one at a time, for a whole bank statement: one
read of the payments already known, one of the customers, one of the invoices (locked), one multi-row
insert of the payments and one of the allocations, one conditional update per touched invoice and
payment (executemany), and the allocations' audit entries appended to the chain in one call. Same
rules as `allocate`: never beyond what an invoice has open or what is left of the payment, same
currency only; the same facts are published (a payment per receipt, an allocation per allocation).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from arguard.core.errors import Conflict
from arguard.core.money import Money
from arguard.ledger.model import PostedReceipt, Receipt
from arguard.ledger.tables import Allocation, Customer, Invoice, Payment
from arguard.platform.audit import canonical
from arguard.platform.context import ServiceContext, append_entries, lock_chain
from arguard.platform.events import publish

CHUNK = 500


def post_receipts(ctx: ServiceContext, receipts: Sequence[Receipt], *, source: str = "bank") -> list[PostedReceipt]:
    """Record each receipt once (an external id already known with the same amount is reused, with
    another amount is a Conflict) and apply its lines in order. Returns one result per receipt."""
    ctx.require("analyst")
    if not receipts:
        return []
    known = _existing_payments(ctx, [r.external_id for r in receipts])
    for r in receipts:
        found = known.get(r.external_id)
        if found is not None and (found[2] != r.amount.minor or found[1] != r.amount.currency):
            raise Conflict(f"payment {r.external_id} exists with another amount", code="payment_conflict")
    customers = _customer_ids(ctx, {r.customer_code for r in receipts if r.customer_code})
    new = list({r.external_id: r for r in reversed(receipts) if r.external_id not in known}.values())[::-1]
    if new:
        rows = [{"company_id": ctx.company_id, "external_id": r.external_id,
                 "customer_id": customers.get(r.customer_code or ""), "received_on": r.received_on,
                 "currency": r.amount.currency, "amount_minor": r.amount.minor, "unapplied_minor": r.amount.minor,
                 "reference": r.reference, "source": source} for r in new]
        ids = ctx.connection().execute(insert(Payment).returning(Payment.id, sort_by_parameter_order=True),
                                       rows).scalars().all()
        for r, pid in zip(new, ids, strict=True):
            known[r.external_id] = (pid, r.amount.currency, r.amount.minor, r.amount.minor)
    invoices = _invoices(ctx, {ln.invoice_number for r in receipts for ln in r.lines})
    allocs, audit, plan = _plan(ctx, receipts, known, invoices, source)
    alloc_ids = _book(ctx, allocs)
    _audit(ctx, audit)
    out = []
    announced: set[str] = set()
    for r, lines in zip(receipts, plan, strict=True):
        pid, currency, _amount, left = known[r.external_id]
        applied = tuple((number, minor, alloc_ids[k]) for number, minor, k in lines)
        out.append(PostedReceipt(r.external_id, pid, currency, left, applied))
        if r.external_id not in announced:
            announced.add(r.external_id)
            publish(ctx, "ledger.payment", r.customer_code, {"external_id": r.external_id})
    for a in allocs:
        publish(ctx, "ledger.allocation", None, {"invoice_id": a["invoice_id"], "customer_id": a["customer_id"]})
    return out


def _plan(ctx: ServiceContext, receipts: Sequence[Receipt], known: dict[str, tuple[int, str, int, int]],
          invoices: dict[str, list[Any]], source: str
          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[list[tuple[str, int, int]]]]:
    """Allocation rows, their audit entries, and per receipt (invoice, minor, index of the allocation)."""
    allocs: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    plan: list[list[tuple[str, int, int]]] = []
    at = datetime.now(UTC).replace(tzinfo=None)
    for r in receipts:
        pid, currency, amount_minor, left = known[r.external_id]
        lines: list[tuple[str, int, int]] = []
        for line in r.lines:
            inv = invoices.get(line.invoice_number)  # [id, customer id, currency, open minor]
            if inv is None or inv[2] != currency or line.amount.currency != currency:
                continue
            minor = min(line.amount.minor, max(inv[3], 0), left)
            if minor <= 0:
                continue
            inv[3] -= minor
            left -= minor
            lines.append((line.invoice_number, minor, len(allocs)))
            allocs.append({"company_id": ctx.company_id, "payment_id": pid, "invoice_id": inv[0],
                           "amount_minor": minor, "currency": currency, "allocated_on": r.received_on,
                           "source": source, "customer_id": inv[1]})
            audit.append({"at": at, "actor": ctx.actor, "action": "allocation.create", "entity": "invoice",
                          "entity_id": line.invoice_number, "reason": (r.reason or "")[:1000] or None,
                          "before": canonical(None),
                          "after": canonical({"payment": r.external_id, "amount": str(Money.from_minor(minor, currency).amount),
                                              "currency": currency, "source": source})})
        known[r.external_id] = (pid, currency, amount_minor, left)
        plan.append(lines)
    return allocs, audit, plan


def _book(ctx: ServiceContext, allocs: list[dict[str, Any]]) -> list[int]:
    """Insert the allocations and take their amounts off the invoices and payments (conditionally:
    never below zero, whatever a concurrent writer did)."""
    if not allocs:
        return []
    conn = ctx.connection()
    rows = [{k: v for k, v in a.items() if k != "customer_id"} for a in allocs]
    ids = list(conn.execute(insert(Allocation).returning(Allocation.id, sort_by_parameter_order=True),
                            rows).scalars().all())
    per_invoice: dict[int, int] = {}
    per_payment: dict[int, int] = {}
    for a in allocs:
        per_invoice[a["invoice_id"]] = per_invoice.get(a["invoice_id"], 0) + a["amount_minor"]
        per_payment[a["payment_id"]] = per_payment.get(a["payment_id"], 0) + a["amount_minor"]
    for table, col, sums in ((Invoice, Invoice.open_minor, per_invoice),
                             (Payment, Payment.unapplied_minor, per_payment)):
        stmt = (update(table).where(table.id == bindparam("k"), col >= bindparam("a"))  # type: ignore[attr-defined]
                .values({col.key: col - bindparam("a")}).execution_options(synchronize_session=False))
        done = conn.execute(stmt, [{"k": k, "a": a} for k, a in sums.items()]).rowcount
        if done != len(sums):
            raise Conflict("a concurrent allocation used the amount first; post the statement again",
                           code="over_allocation")
    for obj in list(ctx.session.identity_map.values()):  # loaded invoices and payments see the new amounts
        if isinstance(obj, Invoice | Payment):
            ctx.session.expire(obj, ["open_minor"] if isinstance(obj, Invoice) else ["unapplied_minor"])
    return ids


def _audit(ctx: ServiceContext, items: list[dict[str, Any]]) -> None:
    if not items:
        return
    conn = ctx.connection()
    lock_chain(conn, ctx.company_id)
    append_entries(conn, ctx.company_id, items)


def _existing_payments(ctx: ServiceContext, external_ids: list[str]) -> dict[str, tuple[int, str, int, int]]:
    """external id → (payment id, currency, amount minor, unapplied minor) of payments already recorded."""
    out: dict[str, tuple[int, str, int, int]] = {}
    unique = sorted(set(external_ids))
    for i in range(0, len(unique), CHUNK):
        q = select(Payment.external_id, Payment.id, Payment.currency, Payment.amount_minor, Payment.unapplied_minor
                   ).where(Payment.company_id == ctx.company_id, Payment.external_id.in_(unique[i:i + CHUNK]))
        out.update({ext: (pid, cur, amt, left) for ext, pid, cur, amt, left in ctx.session.execute(q)})
    return out


def _customer_ids(ctx: ServiceContext, codes: set[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    unique = sorted(codes)
    for i in range(0, len(unique), CHUNK):
        out.update({code: cid for code, cid in ctx.session.execute(select(Customer.code, Customer.id).where(
            Customer.company_id == ctx.company_id, Customer.code.in_(unique[i:i + CHUNK])))})
    return out


def _invoices(ctx: ServiceContext, numbers: set[str]) -> dict[str, list[Any]]:
    """number → [id, customer id, currency, open minor] of the invoices named, locked for the update."""
    out: dict[str, list[Any]] = {}
    unique = sorted(numbers)
    for i in range(0, len(unique), CHUNK):
        q = (select(Invoice.number, Invoice.id, Invoice.customer_id, Invoice.currency, Invoice.open_minor)
             .where(Invoice.company_id == ctx.company_id, Invoice.document_type == "invoice",
                    Invoice.number.in_(unique[i:i + CHUNK])).with_for_update())
        out.update({num: [iid, cid, cur, open_] for num, iid, cid, cur, open_ in ctx.session.execute(q)})
    return out
