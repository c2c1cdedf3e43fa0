"""What other capabilities read of collections (behind `interface.py`): a buyer's dunning history, its
promises to pay and its disputes as they stood on a date, as frozen records of `model.py`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from arguard.collections.model import DisputeRecord, DunningStep, PromiseRecord
from arguard.collections.tables import Contact, DisputeRow, DunningActionRow, PromiseRow
from arguard.core.money import Money
from arguard.platform.context import ServiceContext


def letter_reference(level: str, customer_code: str, on: date) -> str:
    """The reference of a dunning letter: the name its PDF carries when e-mailed (without `.pdf`)."""
    return f"{level}-{customer_code}-{on.isoformat()}"


def dunning_history(ctx: ServiceContext, customer_code: str, as_of: date) -> list[DunningStep]:
    """Every dunning action of a recorded run and every logged contact with the buyer up to `as_of`, oldest
    first (a day's dunning action before that day's contacts)."""
    a = DunningActionRow
    steps = [DunningStep(r.as_of, "dunning", r.level, r.channel, letter_reference(r.level, customer_code, r.as_of),
                         r.status, Money.from_minor(r.total_due_minor, r.currency),
                         tuple(str(i["invoice_number"]) for i in (r.payload or {}).get("invoices", [])))
             for r in ctx.session.execute(select(a.as_of, a.level, a.channel, a.status, a.total_due_minor, a.currency,
                                                 a.payload).where(a.company_id == ctx.company_id,
                                                                  a.customer_code == customer_code,
                                                                  a.as_of <= as_of).order_by(a.as_of, a.id))]
    c = Contact
    steps += [DunningStep(r.contacted_on, "contact", None, r.channel, f"contact-{r.id}", r.outcome)
              for r in ctx.session.execute(select(c.id, c.contacted_on, c.channel, c.outcome).where(
                  c.company_id == ctx.company_id, c.customer_code == customer_code, c.contacted_on <= as_of)
                  .order_by(c.contacted_on, c.id))]
    return sorted(steps, key=lambda s: (s.on, s.kind != "dunning"))


def promises(ctx: ServiceContext, customer_code: str, as_of: date) -> list[PromiseRecord]:
    """The buyer's promises to pay made up to `as_of`, oldest first, with their status as last checked."""
    p = PromiseRow
    return [PromiseRecord(r.reference, r.customer_code, r.made_on, r.due_on, Money.from_minor(r.amount_minor, r.currency),
                          r.status, Money.from_minor(r.paid_minor or 0, r.currency))
            for r in ctx.session.scalars(select(p).where(p.company_id == ctx.company_id, p.customer_code == customer_code,
                                                         p.made_on <= as_of).order_by(p.made_on, p.id))]


def disputes(ctx: ServiceContext, customer_code: str, as_of: date) -> list[DisputeRecord]:
    """The buyer's disputes opened up to `as_of`, oldest first; one resolved after `as_of` shows as open."""
    d = DisputeRow
    out = []
    for r in ctx.session.scalars(select(d).where(d.company_id == ctx.company_id, d.customer_code == customer_code,
                                                 d.opened_on <= as_of).order_by(d.opened_on, d.id)):
        done = r.resolved_on is not None and r.resolved_on <= as_of
        out.append(DisputeRecord(r.invoice_number, r.customer_code, r.reason_code, "resolved" if done else "open",
                                 r.opened_on, r.resolved_on if done else None, r.resolution if done else None))
    return out
