"""Statements of account (对账单) sent to buyers by e-mail in their language, their confirmation or objection
recorded, and reminders of statements nobody answered. The statement itself is the ledger's
(`ledger.interface.render_statements`, PDF); collections keeps who was sent what and what came back."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from arguard.collections.letters import language_of
from arguard.collections.tables import StatementSent
from arguard.core.errors import Conflict, NotFound
from arguard.core.money import Money
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext

SUBJECTS = {"en": ("Statement of account as of {as_of} — {company}",
                   "Reminder: please confirm your statement of account as of {as_of} — {company}"),
            "zh-CN": ("对账单（截至{as_of}）— {company}", "提醒：请确认截至{as_of}的对账单 — {company}")}
BODIES = {"en": ("Dear {name},\n\nattached is your statement of account as of {as_of} (balance {balances}).\n"
                 "Please confirm the balance or tell us of any difference.\n\n{company}"),
          "zh-CN": ("尊敬的{name}：\n\n附件为截至{as_of}的对账单（余额 {balances}）。\n请确认余额，如有差异请告知。\n\n{company}")}


def _company(ctx: ServiceContext) -> str:
    from arguard.platform.interface import company_name

    return company_name(ctx)


def send_statements(ctx: ServiceContext, as_of: date, customer_codes: list[str] | None = None) -> list[StatementSent]:
    """Record a statement as of the date for every buyer with an open balance then (or those named) and
    queue its e-mail (sent after the commit). Once per buyer and date: a buyer already sent one for the
    date is skipped."""
    ctx.require("analyst")
    balances: dict[str, dict[str, int]] = {}
    for h in ledger.items_with_history(ctx, as_of, customer_codes, history_due_before=date.min):
        per = balances.setdefault(h.item.customer_code, {})
        per[h.item.open.currency] = per.get(h.item.open.currency, 0) + h.item.open.minor
    done = set(ctx.session.scalars(select(StatementSent.customer_code).where(
        StatementSent.company_id == ctx.company_id, StatementSent.as_of == as_of)))
    customers = ledger.customers_by_code(ctx, sorted(balances)) if balances else {}
    rows = []
    for code in sorted(balances):
        if code in done or code not in customers:
            continue
        shown = {cur: str(Money.from_minor(m, cur).amount) for cur, m in sorted(balances[code].items())}
        row = StatementSent(company_id=ctx.company_id, customer_code=code, as_of=as_of,
                            language=language_of(customers[code]), balances=shown, status="to_send", reminders=0)
        ctx.session.add(row)
        rows.append(row)
    ctx.session.flush()
    if rows:
        ctx.audit("collections.statements_send", "collections_statement", as_of.isoformat(),
                  after={"customers": [r.customer_code for r in rows]})
        engine, company_id, ids = ctx.session.get_bind(), ctx.company_id, [r.id for r in rows]
        ctx.after_commit(lambda: send_statement_mails(engine, company_id, ids))  # type: ignore[arg-type]
    return rows


def send_statement_mails(engine: Engine, company_id: int, statement_ids: list[int], reminder: bool = False) -> int:
    """E-mail each statement (PDF attached) in the buyer's language; each row is marked sent or failed in
    its own transaction. Returns how many went out."""
    from arguard.db.session import session_scope
    from arguard.monitor import interface as monitor

    sent = 0
    for sid in statement_ids:
        with session_scope(engine) as session:
            ctx = ServiceContext(session, company_id, "collections", "admin")
            row = session.get(StatementSent, sid)
            if row is None:
                continue
            try:
                cust = ledger.customers_by_code(ctx, [row.customer_code]).get(row.customer_code)
                if cust is None or not cust.email:
                    raise ValueError("the customer has no e-mail address")
                pdf = ledger.render_statements(ctx, row.customer_code, row.as_of, "pdf")
                lang = row.language if row.language in SUBJECTS else "en"
                values = {"as_of": row.as_of.isoformat(), "company": _company(ctx), "name": cust.name,
                          "balances": ", ".join(f"{v} {k}" for k, v in row.balances.items())}
                subject = SUBJECTS[lang][1 if reminder else 0].format(**values)
                monitor.send_email(cust.email, subject, BODIES[lang].format(**values),
                                   [(f"statement-{row.customer_code}-{row.as_of}.pdf", "application/pdf", pdf)])
                if not reminder:
                    row.status, row.sent_on, row.error = "sent", row.as_of, None
                sent += 1
            except Exception as exc:  # noqa: BLE001 - recorded on the row, never raised
                row.error = str(exc)[:500]
                if not reminder:
                    row.status = "failed"
    return sent


def answer(ctx: ServiceContext, customer_code: str, as_of: date, confirmed: bool, on: date,
           note: str | None = None) -> StatementSent:
    """Record the buyer's confirmation of the balance, or its objection (with what it says differs)."""
    ctx.require("analyst")
    row = ctx.session.scalar(select(StatementSent).where(StatementSent.company_id == ctx.company_id,
                                                         StatementSent.customer_code == customer_code,
                                                         StatementSent.as_of == as_of))
    if row is None:
        raise NotFound(f"no statement to {customer_code} as of {as_of}", code="statement_not_found")
    if row.status in ("confirmed", "objected"):
        raise Conflict(f"the statement was already {row.status} on {row.answered_on}", code="statement_answered")
    row.status, row.answered_on, row.answer_note = ("confirmed" if confirmed else "objected"), on, note
    ctx.audit(f"collections.statement_{row.status}", "customer", customer_code, reason=note,
              after={"as_of": as_of.isoformat(), "balances": row.balances})
    return row


def remind_unconfirmed(ctx: ServiceContext, as_of: date, after_days: int = 14) -> list[StatementSent]:
    """Statements sent at least after_days ago and neither confirmed nor objected, not reminded in the
    last after_days: each gets a reminder e-mail (after the commit)."""
    ctx.require("analyst")
    due = []
    for row in ctx.session.scalars(select(StatementSent).where(StatementSent.company_id == ctx.company_id,
                                                               StatementSent.status == "sent")):
        last = row.last_reminder_on or row.sent_on or row.as_of
        if (as_of - last).days >= after_days:
            row.reminders, row.last_reminder_on = row.reminders + 1, as_of
            due.append(row)
    if due:
        ctx.session.flush()
        ctx.audit("collections.statements_remind", "collections_statement", as_of.isoformat(),
                  after={"customers": [r.customer_code for r in due]})
        engine, company_id, ids = ctx.session.get_bind(), ctx.company_id, [r.id for r in due]
        ctx.after_commit(lambda: send_statement_mails(engine, company_id, ids, reminder=True))  # type: ignore[arg-type]
    return due


def list_statements(ctx: ServiceContext, status: str | None = None, limit: int = 200) -> list[StatementSent]:
    q = select(StatementSent).where(StatementSent.company_id == ctx.company_id)
    if status:
        q = q.where(StatementSent.status == status)
    return list(ctx.session.scalars(q.order_by(StatementSent.as_of.desc(), StatementSent.customer_code).limit(limit)))


def statement_dict(row: StatementSent) -> dict[str, Any]:
    return {"customer_id": row.customer_code, "as_of": row.as_of.isoformat(), "language": row.language,
            "balances": row.balances, "status": row.status, "sent_on": row.sent_on, "answered_on": row.answered_on,
            "note": row.answer_note, "reminders": row.reminders, "error": row.error}
