"""Insurer cover for the credit insurance capability: the insured (or discretionary) limit of every buyer
as spans of dates, and insurer decisions recorded as limit decisions. Reached through `limits.interface`.

The rule of which decision governs a date stays in `limits.exposure.credit_line` (limits README rules
2–5); this module only asks it at each date where a decision starts or ends.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from arguard.core.money import Money
from arguard.ledger import interface as ledger
from arguard.limits.exposure import credit_line
from arguard.limits.model import LimitDecision
from arguard.limits.service_base import decision_record
from arguard.limits.service_limits import DecisionInput, decide_limit, request_limit
from arguard.limits.tables import LimitDecisionRow
from arguard.platform.context import ServiceContext

COVER_KINDS = ("insured", "discretionary")


def cover_spans(ctx: ServiceContext, discretionary_cap: Money | None = None,
                ) -> dict[str, list[tuple[date, date | None, Money | None]]]:
    """Per buyer code: (from, to or None, cover) spans of the insurer's cover — the insured limit once the
    insurer has spoken, else the discretionary limit (capped by `discretionary_cap`) — oldest first;
    cover None where none is in force. One query for the whole company."""
    rows = list(ctx.session.scalars(select(LimitDecisionRow).where(
        LimitDecisionRow.company_id == ctx.company_id, LimitDecisionRow.kind.in_(COVER_KINDS))
        .order_by(LimitDecisionRow.id)))
    codes = ledger.customer_codes(ctx, {r.customer_id for r in rows})
    by_buyer: dict[str, list[LimitDecision]] = {}
    for row in rows:
        by_buyer.setdefault(codes[row.customer_id], []).append(decision_record(row))
    return {code: _spans(by_buyer[code], discretionary_cap) for code in sorted(by_buyer)}


def _spans(decisions: list[LimitDecision], cap: Money | None) -> list[tuple[date, date | None, Money | None]]:
    points = sorted({d.effective_from for d in decisions} | {d.decided_on for d in decisions}
                    | {d.effective_to + timedelta(days=1) for d in decisions if d.effective_to is not None})
    out: list[tuple[date, date | None, Money | None]] = []
    for k, start in enumerate(points):
        end = points[k + 1] - timedelta(days=1) if k + 1 < len(points) else None
        amount = credit_line(decisions, start, cap).amount
        if out and out[-1][2] == amount:
            out[-1] = (out[-1][0], end, amount)
        else:
            out.append((start, end, amount))
    return out


def request_cover(ctx: ServiceContext, code: str, amount: Money, *, on: date, reason: str | None = None,
                  kind: str = "insured") -> int:
    """Record a limit request to the insurer (or a discretionary limit to be set); returns its id."""
    return request_limit(ctx, code, kind=kind, amount=amount, on=on, reason=reason).id


def decide_cover(ctx: ServiceContext, code: str, *, kind: str, status: str, amount: Money | None, reason: str,
                 on: date, effective_from: date | None = None, effective_to: date | None = None,
                 request_id: int | None = None, conditions: str | None = None, reference: str | None = None,
                 cover_stopped: bool = False) -> LimitDecision:
    """Record an insurer's decision (kind insured) or a discretionary limit as a limit decision: approved,
    partly approved, refused, conditional, reduced, cancelled; reductions after the notice period."""
    row = decide_limit(ctx, code, DecisionInput(
        kind=kind, status=status, amount=amount, reason=reason, effective_from=effective_from,
        effective_to=effective_to, request_id=request_id, conditions=conditions, reference=reference,
        cover_stopped=cover_stopped), on=on)
    return decision_record(row)
