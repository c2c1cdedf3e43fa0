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
from arguard.limits.model import CoverRecord, LimitDecision, Recommendation
from arguard.limits.service_base import decision_record
from arguard.limits.service_limits import DecisionInput, decide_limit, request_limit
from arguard.limits.tables import LimitDecisionRow, LimitRequest
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


def cover_records(ctx: ServiceContext, kinds: tuple[str, ...] = ("insured",)) -> list[CoverRecord]:
    """Every limit request of the kinds named with the decision that answered it, and every decision taken
    without a request, oldest first (an underwriter's work list); a request answered twice shows once per
    decision. Two queries for the whole company."""
    requests = list(ctx.session.scalars(select(LimitRequest).where(
        LimitRequest.company_id == ctx.company_id, LimitRequest.kind.in_(kinds)).order_by(LimitRequest.id)))
    decisions = list(ctx.session.scalars(select(LimitDecisionRow).where(
        LimitDecisionRow.company_id == ctx.company_id, LimitDecisionRow.kind.in_(kinds))
        .order_by(LimitDecisionRow.id)))
    codes = ledger.customer_codes(ctx, {r.customer_id for r in requests} | {d.customer_id for d in decisions})
    by_request: dict[int, list[LimitDecisionRow]] = {}
    for d in decisions:
        if d.request_id is not None:
            by_request.setdefault(d.request_id, []).append(d)
    known = {r.id for r in requests}
    out: list[tuple[date, int, CoverRecord]] = []
    for r in requests:
        asked = None if r.amount_minor is None else Money.from_minor(r.amount_minor, r.currency)
        for d in by_request.get(r.id) or [None]:  # type: ignore[list-item]
            out.append((r.requested_on, r.id, _record(codes[r.customer_id], r.kind, r.id, r.requested_on, asked, d)))
    for d in decisions:
        if d.request_id is None or d.request_id not in known:
            asked = None if d.requested_minor is None else Money.from_minor(d.requested_minor, d.currency)
            out.append((d.decided_on, 0, _record(codes[d.customer_id], d.kind, None, None, asked, d)))
    return [rec for _, _, rec in sorted(out, key=lambda t: (t[0], t[1], t[2].customer_code))]


def _record(code: str, kind: str, request_id: int | None, on: date | None, asked: Money | None,
            d: LimitDecisionRow | None) -> CoverRecord:
    if d is None:
        return CoverRecord(code, kind, request_id, on, asked)
    return CoverRecord(code, kind, request_id, on, asked, decision_record(d), d.reference, d.reason)


def recommended_limits(ctx: ServiceContext, codes: list[str], as_of: date) -> dict[str, Recommendation]:
    """The recommended limit of each buyer named (`recommend`: every bound and the one that decided it), in
    the limit currency; a buyer the recommendation cannot value (a missing rate, an unknown code) is
    absent. What it reads of the buyers is read for all of them in a few bulk queries and each capped scope
    (country, sector, book) once (`service_recommend`); the answer is `recommend`'s, buyer by buyer."""
    from arguard.limits.service_recommend import recommended_limits_bulk

    return recommended_limits_bulk(ctx, codes, as_of)
