"""Insolvency and protracted default on record (risk README rules 13–14).

An `insolvency.filing` or `payment.default` event sets the buyer's flag and re-grades it at once, in the
unit of work that records the event (the monitor calls `flag_default` through `risk.interface`): the
buyer is grade 10 before that request answers, and stays so on every later grading. Only a recorded
decision (a credit manager, with a reason) lifts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from arguard.core.errors import NotFound, ValidationError
from arguard.platform.context import ServiceContext
from arguard.risk.model import Grade
from arguard.risk.tables import DefaultFlag

DEFAULT_EVENTS: dict[str, str] = {"insolvency.filing": "insolvency", "payment.default": "protracted_default"}
"""Event kinds that put a default on record, and the flag each sets."""


@dataclass(frozen=True)
class FlagView:
    """A default flag as shown: kind, since when, why, and (once lifted) who lifted it, when and why."""

    customer_code: str
    kind: str
    flagged_on: date
    cause: str
    flagged_by: str
    lifted_on: date | None = None
    lifted_by: str | None = None
    lift_reason: str | None = None


def active_default_flags(ctx: ServiceContext, customer_ids: Sequence[int] | None = None) -> dict[int, str]:
    """customer id → kind of its active (not lifted) default flag."""
    q = select(DefaultFlag.customer_id, DefaultFlag.kind).where(
        DefaultFlag.company_id == ctx.company_id, DefaultFlag.lifted_on.is_(None)).order_by(DefaultFlag.id)
    if customer_ids is not None:
        q = q.where(DefaultFlag.customer_id.in_(list(customer_ids)))
    return {cid: kind for cid, kind in ctx.session.execute(q)}


def flag_default(ctx: ServiceContext, code: str, kind: str, on: date, cause: str,
                 grade_on: date | None = None) -> Grade:
    """Put an insolvency or protracted default on record as of `on` (idempotent while one is active) and
    grade the buyer again as of `grade_on` (default `on`; the day the news is recorded when it reports
    an earlier date): grade 10. Audited."""
    from arguard.risk.service import _customer, grade_buyers

    if kind not in DEFAULT_EVENTS.values():
        raise ValidationError(f"unknown default kind {kind!r}", code="invalid_default_kind")
    customer = _customer(ctx, code)
    if customer.id not in active_default_flags(ctx, [customer.id]):
        ctx.session.add(DefaultFlag(company_id=ctx.company_id, customer_id=customer.id, kind=kind, flagged_on=on,
                                    cause=cause[:255], flagged_by=ctx.actor))
        ctx.session.flush()
        ctx.audit("risk.default_flag", "customer", code, reason=cause,
                  after={"kind": kind, "flagged_on": on.isoformat(), "grade": 10})
    return grade_buyers(ctx, grade_on or on, [code], trigger=f"default:{kind}")[code]


def lift_default(ctx: ServiceContext, code: str, reason: str, on: date) -> Grade:
    """A credit manager's decision that the default is over (proceedings dismissed, debt settled): the
    flag is closed with who, when and why, and the buyer is graded again on its facts. Audited."""
    from arguard.risk.service import _customer, grade_buyers

    ctx.require("credit_manager")
    if not (reason or "").strip():
        raise ValidationError("say why the default is lifted (a reason is required)", code="reason_required")
    customer = _customer(ctx, code)
    rows = ctx.session.scalars(select(DefaultFlag).where(
        DefaultFlag.company_id == ctx.company_id, DefaultFlag.customer_id == customer.id,
        DefaultFlag.lifted_on.is_(None))).all()
    if not rows:
        raise NotFound(f"no default on record for {code!r}", code="no_default_flag")
    for row in rows:
        row.lifted_on, row.lifted_by, row.lift_reason = on, ctx.actor, reason.strip()
    ctx.session.flush()
    ctx.audit("risk.default_lift", "customer", code, reason=reason,
              before={"kinds": sorted({r.kind for r in rows})}, after={"lifted_on": on.isoformat()})
    return grade_buyers(ctx, on, [code], trigger="default_lifted")[code]


def default_flags(ctx: ServiceContext, code: str) -> list[FlagView]:
    """A buyer's default flags, newest first (active and lifted)."""
    from arguard.risk.service import _customer

    customer = _customer(ctx, code)
    rows = ctx.session.scalars(select(DefaultFlag).where(
        DefaultFlag.company_id == ctx.company_id, DefaultFlag.customer_id == customer.id)
        .order_by(DefaultFlag.id.desc())).all()
    return [FlagView(code, r.kind, r.flagged_on, r.cause, r.flagged_by, r.lifted_on, r.lifted_by, r.lift_reason)
            for r in rows]
