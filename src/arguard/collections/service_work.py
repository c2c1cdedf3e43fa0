"""Collections services for the daily work: tasks, assignments, contacts, promises to pay, disputes, cases
(agency, legal) with costs and recoveries, write-offs with approval, and the worklist.

Other capabilities are reached through their front doors only: the ledger (disputes, payments, write-offs,
payment history), monitoring (promise events, so that a broken promise raises its alert), risk (PDs),
limits (the buyer's exposure and limit)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from arguard.collections import rules
from arguard.collections.model import WorkItem
from arguard.collections.tables import (
    Assignment,
    CollectionsTask,
    Contact,
    DisputeRow,
    DunningActionRow,
    DunningRun,
    PromiseRow,
)
from arguard.core.errors import Conflict, NotFound, ValidationError
from arguard.core.money import Money
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext

CONTACT_CHANNELS = ("call", "email", "letter", "visit", "meeting")
CONTACT_OUTCOMES = ("reached", "no_answer", "promise", "dispute", "refused", "wrong_contact", "paid")
DISPUTE_REASONS = ("pricing", "quantity", "quality", "not_delivered", "duplicate", "terms", "other")
DISPUTE_RESOLUTIONS = ("credit_note", "rejected", "corrected", "withdrawn")


def _one(ctx: ServiceContext, table: Any, row_id: int, what: str) -> Any:
    row = ctx.session.scalar(select(table).where(table.company_id == ctx.company_id, table.id == row_id))
    if row is None:
        raise NotFound(f"no {what} {row_id}", code=f"{what.replace(' ', '_')}_not_found")
    return row


def _customer(ctx: ServiceContext, code: str) -> str:
    if code not in ledger.customers_by_code(ctx, [code]):
        raise NotFound(f"no customer {code!r}", code="customer_not_found")
    return code


def _choice(value: str, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise ValidationError(f"{field} {value!r} is not one of {', '.join(allowed)}", code=f"invalid_{field}")
    return value


# ---------------------------------------------------------------- tasks, assignment, contacts


def list_tasks(ctx: ServiceContext, status: str | None = "open", kind: str | None = None,
               customer_code: str | None = None, limit: int = 200) -> list[CollectionsTask]:
    q = select(CollectionsTask).where(CollectionsTask.company_id == ctx.company_id)
    if status:
        q = q.where(CollectionsTask.status == status)
    if kind:
        q = q.where(CollectionsTask.kind == kind)
    if customer_code:
        q = q.where(CollectionsTask.customer_code == customer_code)
    return list(ctx.session.scalars(q.order_by(CollectionsTask.due_on, CollectionsTask.id).limit(limit)))


def close_task(ctx: ServiceContext, task_id: int, note: str) -> CollectionsTask:
    ctx.require("analyst")
    row: CollectionsTask = _one(ctx, CollectionsTask, task_id, "task")
    row.status, row.note = "done", f"{row.note or ''}\n{note}".strip()
    ctx.audit("collections.task_done", "collections_task", row.id, reason=note)
    return row


def assign(ctx: ServiceContext, customer_code: str, collector: str) -> Assignment:
    """Give a buyer to a collector (replacing the one before; audited)."""
    ctx.require("credit_manager")
    _customer(ctx, customer_code)
    row = ctx.session.scalar(select(Assignment).where(Assignment.company_id == ctx.company_id,
                                                      Assignment.customer_code == customer_code))
    before = None if row is None else row.collector
    if row is None:
        row = Assignment(company_id=ctx.company_id, customer_code=customer_code, collector=collector,
                         assigned_by=ctx.actor)
        ctx.session.add(row)
    else:
        row.collector, row.assigned_by = collector, ctx.actor
    ctx.session.flush()
    ctx.audit("collections.assign", "customer", customer_code, before={"collector": before},
              after={"collector": collector})
    return row


def log_contact(ctx: ServiceContext, customer_code: str, on: date, channel: str, outcome: str,
                note: str | None = None) -> Contact:
    ctx.require("analyst")
    _customer(ctx, customer_code)
    row = Contact(company_id=ctx.company_id, customer_code=customer_code, contacted_on=on,
                  channel=_choice(channel, CONTACT_CHANNELS, "channel"),
                  outcome=_choice(outcome, CONTACT_OUTCOMES, "outcome"), note=note, actor=ctx.actor)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("collections.contact", "customer", customer_code, after={"channel": channel, "outcome": outcome})
    return row


def contacts(ctx: ServiceContext, customer_code: str, limit: int = 50) -> list[Contact]:
    return list(ctx.session.scalars(select(Contact).where(
        Contact.company_id == ctx.company_id, Contact.customer_code == customer_code)
        .order_by(Contact.contacted_on.desc(), Contact.id.desc()).limit(limit)))


# ---------------------------------------------------------------- promises


def _post_event(ctx: ServiceContext, kind: str, p: PromiseRow, on: date) -> None:
    from arguard.monitor import interface as monitor

    details = {"promise_id": p.reference, "amount": str(Money.from_minor(p.amount_minor, p.currency).amount),
               "currency": p.currency, "due_on": p.due_on.isoformat()}
    monitor.post_event(ctx, monitor.EventRecord(kind, p.customer_code, on, details,
                                                external_id=f"collections:{kind}:{p.reference}"), on, "collections")


def add_promise(ctx: ServiceContext, customer_code: str, amount: Money, due_on: date, made_on: date,
                reference: str | None = None) -> PromiseRow:
    """Record a promise to pay; the monitor hears of it (event promise.due), so that its broken-promise
    rule can raise the alert if it is not kept."""
    ctx.require("analyst")
    _customer(ctx, customer_code)
    if amount.amount <= 0 or due_on < made_on:
        raise ValidationError("a promise is a positive amount due on or after the day it is made",
                              code="invalid_promise")
    ref = reference or f"PTP-{customer_code}-{made_on:%Y%m%d}-{amount.minor}"
    if ctx.session.scalar(select(PromiseRow.id).where(PromiseRow.company_id == ctx.company_id,
                                                      PromiseRow.reference == ref)):
        raise Conflict(f"promise {ref} exists", code="promise_exists")
    row = PromiseRow(company_id=ctx.company_id, reference=ref, customer_code=customer_code, made_on=made_on,
                     due_on=due_on, amount_minor=amount.minor, currency=amount.currency, status="open",
                     paid_minor=0, actor=ctx.actor)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("collections.promise", "customer", customer_code,
              after={"reference": ref, "amount": str(amount.amount), "currency": amount.currency,
                     "due_on": due_on.isoformat()})
    _post_event(ctx, "promise.due", row, made_on)
    return row


def paid_between(ctx: ServiceContext, customer_code: str, currency: str, start: date, end: date) -> Money:
    """Cash received from the buyer in the currency from start to end (both included)."""
    total = Money.zero(currency)
    for p in ledger.payment_history(ctx, customer_code, end, limit=1000):
        if start <= p.received_on <= end and p.amount.currency == currency:
            total += p.amount
    return total


def check_promises(ctx: ServiceContext, as_of: date, grace_days: int = 0) -> list[PromiseRow]:
    """Settle every open promise whose date (plus grace) has passed: kept when the buyer paid the amount
    from the day of the promise to its date plus grace, broken otherwise (the monitor is told: event
    promise.broken raises the alert). A promise paid in full early is kept at once. Returns the rows
    whose status changed."""
    ctx.require("analyst")
    changed = []
    for p in ctx.session.scalars(select(PromiseRow).where(PromiseRow.company_id == ctx.company_id,
                                                          PromiseRow.status == "open")):
        deadline = date.fromordinal(p.due_on.toordinal() + grace_days)
        paid = paid_between(ctx, p.customer_code, p.currency, p.made_on, min(as_of, deadline))
        p.paid_minor, p.checked_on = paid.minor, as_of
        if paid.minor >= p.amount_minor:
            p.status = "kept"
        elif as_of > deadline:
            p.status = "broken"
            _post_event(ctx, "promise.broken", p, as_of)
        else:
            continue
        ctx.audit(f"collections.promise_{p.status}", "customer", p.customer_code,
                  after={"reference": p.reference, "paid": str(paid.amount)})
        changed.append(p)
    return changed


def list_promises(ctx: ServiceContext, customer_code: str | None = None, status: str | None = None,
                  limit: int = 200) -> list[PromiseRow]:
    q = select(PromiseRow).where(PromiseRow.company_id == ctx.company_id)
    if customer_code:
        q = q.where(PromiseRow.customer_code == customer_code)
    if status:
        q = q.where(PromiseRow.status == status)
    return list(ctx.session.scalars(q.order_by(PromiseRow.due_on.desc()).limit(limit)))


# ---------------------------------------------------------------- disputes


def open_dispute(ctx: ServiceContext, invoice_number: str, reason_code: str, owner: str, on: date,
                 note: str | None = None) -> DisputeRow:
    """The buyer disputes an invoice: the ledger marks it (dunning leaves it out) and a dispute case with a
    reason code and an owner is opened."""
    ctx.require("analyst")
    code = ledger.document_customer(ctx, invoice_number)
    if code is None:
        raise NotFound(f"no invoice {invoice_number!r}", code="invoice_not_found")
    if ctx.session.scalar(select(DisputeRow.id).where(DisputeRow.company_id == ctx.company_id,
                                                      DisputeRow.invoice_number == invoice_number,
                                                      DisputeRow.status == "open")):
        raise Conflict(f"invoice {invoice_number} already has an open dispute", code="dispute_open")
    row = DisputeRow(company_id=ctx.company_id, invoice_number=invoice_number, customer_code=code,
                     reason_code=_choice(reason_code, DISPUTE_REASONS, "reason_code"), owner=owner, status="open",
                     opened_on=on, note=note)
    ctx.session.add(row)
    ledger.set_dispute(ctx, invoice_number, True, f"{reason_code}: {note or ''}".strip(": "))
    ctx.session.flush()
    ctx.audit("collections.dispute_open", "invoice", invoice_number, after={"reason": reason_code, "owner": owner})
    return row


def resolve_dispute(ctx: ServiceContext, dispute_id: int, resolution: str, on: date,
                    note: str | None = None) -> DisputeRow:
    """Close a dispute; the invoice is dunned again from the next run (what a credit note or correction
    changed is in the ledger by then)."""
    ctx.require("analyst")
    row: DisputeRow = _one(ctx, DisputeRow, dispute_id, "dispute")
    if row.status != "open":
        raise Conflict(f"dispute {dispute_id} is {row.status}", code="dispute_closed")
    row.status, row.resolution, row.resolved_on = "resolved", _choice(resolution, DISPUTE_RESOLUTIONS,
                                                                      "resolution"), on
    row.note = f"{row.note or ''}\n{note}".strip() if note else row.note
    ledger.set_dispute(ctx, row.invoice_number, False, f"resolved: {resolution}")
    ctx.audit("collections.dispute_resolve", "invoice", row.invoice_number, after={"resolution": resolution})
    return row


def list_disputes(ctx: ServiceContext, status: str | None = None, customer_code: str | None = None,
                  limit: int = 200) -> list[DisputeRow]:
    q = select(DisputeRow).where(DisputeRow.company_id == ctx.company_id)
    if status:
        q = q.where(DisputeRow.status == status)
    if customer_code:
        q = q.where(DisputeRow.customer_code == customer_code)
    return list(ctx.session.scalars(q.order_by(DisputeRow.opened_on.desc(), DisputeRow.id.desc()).limit(limit)))


# ---------------------------------------------------------------- worklist


def latest_run(ctx: ServiceContext, as_of: date) -> DunningRun | None:
    return ctx.session.scalar(select(DunningRun).where(DunningRun.company_id == ctx.company_id,
                                                       DunningRun.as_of <= as_of)
                              .order_by(DunningRun.as_of.desc()).limit(1))


def worklist(ctx: ServiceContext, as_of: date, collector: str | None = None, limit: int = 50,
             offset: int = 0) -> tuple[list[WorkItem], int]:
    """The buyers of the newest recorded run on or before as_of, highest call value first (PD × overdue in
    the base currency × days overdue of the oldest item / 365); collector: only that collector's buyers
    ('-' for unassigned). Returns (page, total)."""
    from arguard.risk import interface as risk

    run = latest_run(ctx, as_of)
    if run is None:
        return [], 0
    base = ledger.base_currency(ctx)
    fx = ledger.fx_table(ctx)
    owners = dict(ctx.session.execute(select(Assignment.customer_code, Assignment.collector)
                                      .where(Assignment.company_id == ctx.company_id)).all())
    promises = dict(ctx.session.execute(
        select(PromiseRow.customer_code, func.count()).where(PromiseRow.company_id == ctx.company_id,
                                                             PromiseRow.status == "open")
        .group_by(PromiseRow.customer_code)).all())
    grades = risk.newest_grades(ctx)
    rows = ctx.session.execute(select(DunningActionRow.customer_code, DunningActionRow.level,
                                      DunningActionRow.currency, DunningActionRow.overdue_minor,
                                      DunningActionRow.oldest_days).where(DunningActionRow.run_id == run.id)).all()
    later = (as_of - run.as_of).days
    items = []
    for code, level, cur, overdue_minor, oldest_days in rows:
        if collector is not None and owners.get(code, "-") != collector:
            continue
        overdue = Money.from_minor(int(overdue_minor), cur)
        if cur != base:
            overdue = fx.convert(overdue, base, run.as_of)
        oldest = int(oldest_days) + later
        g = grades.get(code)
        pd = Decimal(str(g[1])) if g else rules.DEFAULT_PD
        items.append(WorkItem(code, code, owners.get(code), overdue, oldest, pd, g is not None,
                              g[0] if g else None, level, rules.call_value(pd, overdue, oldest),
                              int(promises.get(code, 0))))
    items.sort(key=lambda w: (-w.value.amount, w.customer_code))
    page = items[offset:offset + limit]
    names = {c: r.name for c, r in ledger.customers_by_code(ctx, [w.customer_code for w in page]).items()}
    return [replace(w, name=names.get(w.customer_code, w.customer_code)) for w in page], len(items)


def work_item_dict(w: WorkItem) -> dict[str, Any]:
    return {"customer_id": w.customer_code, "name": w.name, "collector": w.collector, "level": w.level,
            "overdue": str(w.overdue.amount), "currency": w.overdue.currency, "oldest_days_overdue": w.oldest_days,
            "pd_12m": str(w.pd), "pd_known": w.pd_known, "grade": w.grade, "value": str(w.value.amount),
            "open_promises": w.open_promises, "why": w.explanation()}


def buyer_view(ctx: ServiceContext, customer_code: str, as_of: date) -> dict[str, Any]:
    """Everything a collector wants at hand for one buyer: open items, payment history, grade, limit,
    promises, contacts, disputes, cases and the dunning history."""
    from arguard.collections.service import list_actions
    from arguard.collections.service_cases import list_cases
    from arguard.risk import interface as risk

    _customer(ctx, customer_code)
    detail = ledger.customer_detail(ctx, customer_code, as_of)
    exposure: dict[str, Any] | None
    try:
        from arguard.limits import interface as limits

        exposure = limits.buyer_exposure(ctx, customer_code, as_of)
    except (NotFound, ValidationError):
        exposure = None
    return {"customer": detail.customer, "detail": detail, "risk": risk.buyer_risk(ctx, customer_code, as_of),
            "exposure": exposure, "open_items": ledger.open_items(ctx, customer_code, as_of),
            "payments": ledger.payment_history(ctx, customer_code, as_of, limit=20),
            "promises": list_promises(ctx, customer_code), "contacts": contacts(ctx, customer_code),
            "disputes": list_disputes(ctx, customer_code=customer_code),
            "cases": list_cases(ctx, customer_code=customer_code),
            "actions": list_actions(ctx, customer_code=customer_code, limit=20)}
