"""Credit insurance service, the underwriter's view: every insured-limit request and insurer decision under a
policy beside the risk engine's grade, PD, top reasons and the limits capability's recommended limit, with
the disagreements flagged (`underwriting.py`). Other capabilities are read through their front doors only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from arguard.core.money import Money
from arguard.insurance import underwriting
from arguard.insurance.model import Policy, RiskReason, UnderwritingLine
from arguard.insurance.service import insured_buyers, insured_items, money_text
from arguard.ledger import interface as ledger
from arguard.limits import interface as limits
from arguard.limits.model import CoverRecord
from arguard.platform.context import ServiceContext
from arguard.risk import interface as risk


def _day(r: CoverRecord) -> date:
    if r.requested_on is not None:
        return r.requested_on
    assert r.decision is not None  # a record without a request is a decision
    return r.decision.decided_on


def under_policy(r: CoverRecord, policy: Policy, as_of: date) -> bool:
    """A request or decision belongs to the policy's view when it was made by `as_of` and by the policy's
    end, and either within the period or (an earlier decision) still in force when the period began."""
    day = _day(r)
    if day > as_of or day > policy.end:
        return False
    if day >= policy.start:
        return True
    d = r.decision
    return d is not None and (d.effective_to is None or d.effective_to >= policy.start)


def underwriting_lines(ctx: ServiceContext, policy: Policy, as_of: date, customer: str | None = None,
                       ) -> list[UnderwritingLine]:
    """The underwriter's view as of a date, oldest request first: one line per request (and per decision
    answering it), the buyer's exposure and cover now, its newest grading and recommended limit, flags.
    `customer`: one buyer's lines only. The recommendations of all the buyers are read in bulk
    (`limits.interface.recommended_limits`): on the large demo's 5,369 insured buyers about 4 s CPU for the
    whole view (docs/benchmarks.md)."""
    records = [r for r in limits.cover_records(ctx, ("insured",)) if under_policy(r, policy, as_of)
               and (customer is None or r.customer_code == customer)]
    codes = sorted({r.customer_code for r in records})
    if not codes:
        return []
    gradings = risk.newest_gradings(ctx, codes, as_of)
    recommended = limits.recommended_limits(ctx, codes, as_of)
    names = {c: rec.name for c, rec in ledger.customers_by_code(ctx, codes).items()}
    items, countries, _ = insured_items(ctx, policy, as_of)
    exposure: dict[str, int] = {}
    wanted = set(codes)
    for i in items:
        if i.customer_code in wanted:
            exposure[i.customer_code] = exposure.get(i.customer_code, 0) + i.open_minor
    buyers = insured_buyers(ctx, policy, as_of, {c: countries.get(c, "") for c in codes})
    cur = policy.currency
    out = []
    for r in records:
        g, rec, b, d = gradings.get(r.customer_code), recommended.get(r.customer_code), buyers.get(r.customer_code), \
            r.decision
        limit_now = None if b is None else b.limit_on(as_of)
        cover_now = None if limit_now is None else Money.from_minor(limit_now, cur)
        status = "pending" if d is None else d.status
        decided = None if d is None or d.status in ("refused", "cancelled") else d.amount
        rec_amount = None if rec is None else rec.amount
        out.append(UnderwritingLine(
            customer_code=r.customer_code, customer_name=names.get(r.customer_code, ""), request_id=r.request_id,
            requested_on=r.requested_on, requested=r.requested, status=status,
            decided_on=None if d is None else d.decided_on, decided=decided,
            effective_from=None if d is None else d.effective_from, effective_to=None if d is None else d.effective_to,
            conditions=None if d is None else d.conditions, reference=r.reference,
            exposure=Money.from_minor(exposure.get(r.customer_code, 0), cur), cover_now=cover_now,
            grade=None if g is None else g.grade, pd=None if g is None else g.pd_12m, recommended=rec_amount,
            binding_rule=None if rec is None or rec.binding is None else rec.binding.rule,
            binding_explanation=None if rec is None or rec.binding is None else rec.binding.explanation,
            reasons=() if g is None else tuple(RiskReason(x.code, x.label, x.label_zh or x.label, x.direction)
                                              for x in g.reasons),
            flags=underwriting.disagreements(status=status, requested=r.requested, decided=decided,
                                             recommended=rec_amount, grade=None if g is None else g.grade,
                                             cover_now=cover_now)))
    return out


def _money(m: Money | None) -> str | None:
    return None if m is None else money_text(m.minor, m.currency)


def line_json(x: UnderwritingLine) -> dict[str, Any]:
    def iso(d: date | None) -> str | None:
        return None if d is None else d.isoformat()

    return {"customer": x.customer_code, "name": x.customer_name, "request_id": x.request_id,
            "requested_on": iso(x.requested_on), "requested": _money(x.requested),
            "decision": {"status": x.status, "decided_on": iso(x.decided_on), "amount": _money(x.decided),
                         "effective_from": iso(x.effective_from), "effective_to": iso(x.effective_to),
                         "conditions": x.conditions, "reference": x.reference},
            "exposure": _money(x.exposure), "cover_now": _money(x.cover_now),
            "risk": {"grade": x.grade, "pd_12m": x.pd, "recommended_limit": _money(x.recommended),
                     "binding_rule": x.binding_rule, "binding_explanation": x.binding_explanation,
                     "reasons": [{"code": r.code, "label": r.label, "label_zh": r.label_zh, "direction": r.direction}
                                 for r in x.reasons]},
            "flags": list(x.flags)}


def underwriting_view(ctx: ServiceContext, policy: Policy, as_of: date, customer: str | None = None,
                      ) -> dict[str, Any]:
    """The underwriter's view as JSON: the policy, the date, its currency and one entry per request or
    decision (`line_json`), with the number of lines flagged; `customer`: one buyer's only."""
    lines = [line_json(x) for x in underwriting_lines(ctx, policy, as_of, customer)]
    return {"policy_number": policy.policy_number, "insurer": policy.insurer, "as_of": as_of.isoformat(),
            "currency": policy.currency, "flagged": sum(1 for x in lines if x["flags"]), "lines": lines}
