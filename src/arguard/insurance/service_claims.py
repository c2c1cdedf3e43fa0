"""Credit insurance service, second part: insured limits, declarations (turnover and premium, overdue),
claims with their file and indemnity, recoveries. The rules are in `terms.py` and `rules.py`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from arguard.collections import interface as collections
from arguard.core.errors import Conflict, NotFound, ValidationError
from arguard.core.money import Money
from arguard.insurance import rules, terms
from arguard.insurance.messages import term_explanation
from arguard.insurance.model import CLAIM_CAUSES, Policy
from arguard.insurance.service import (
    insured_buyers,
    insured_items,
    list_notifications,
    money_text,
    obligations_report,
    record_notification,
)
from arguard.insurance.tables import Claim, Declaration, Recovery
from arguard.ledger import interface as ledger
from arguard.limits import interface as limits
from arguard.limits.model import LimitDecision
from arguard.platform.context import ServiceContext

# ---------------------------------------------------------------- insured limits


def request_insured_limit(ctx: ServiceContext, code: str, amount: Money, on: date, reason: str | None = None) -> int:
    """Record a limit request sent to the insurer; returns its id."""
    return limits.request_cover(ctx, code, amount, on=on, reason=reason, kind="insured")


def record_insurer_decision(ctx: ServiceContext, code: str, *, status: str, amount: Money | None, on: date,
                            reason: str, effective_from: date | None = None, effective_to: date | None = None,
                            request_id: int | None = None, conditions: str | None = None,
                            reference: str | None = None, cover_stopped: bool = False) -> LimitDecision:
    """The insurer's answer (approved, partly_approved, refused, conditional, reduced, cancelled); a
    reduction takes effect after the notice period, so deliveries already made stay covered."""
    return limits.decide_cover(ctx, code, kind="insured", status=status, amount=amount, reason=reason, on=on,
                               effective_from=effective_from, effective_to=effective_to, request_id=request_id,
                               conditions=conditions, reference=reference, cover_stopped=cover_stopped)


def set_discretionary_limit(ctx: ServiceContext, policy: Policy, code: str, amount: Money, on: date,
                            basis: str) -> LimitDecision:
    """A limit the seller sets itself within the policy's discretionary maximum, on the basis named (a
    credit report, its own payment experience); the policy's conditions are recorded with it."""
    if amount > policy.discretionary_max:
        raise ValidationError(f"a discretionary limit is at most {policy.discretionary_max.amount} under policy "
                              f"{policy.policy_number}", code="discretionary_over_max")
    if not basis.strip():
        raise ValidationError("a discretionary limit names its basis (credit report, payment experience)",
                              code="reason_required")
    return limits.decide_cover(ctx, code, kind="discretionary", status="approved", amount=amount, on=on,
                               reason=basis, conditions="; ".join(policy.discretionary_conditions) or None)


def insured_limits(ctx: ServiceContext, policy: Policy, as_of: date) -> list[dict[str, Any]]:
    """Every buyer with insurer or discretionary cover: the cover in force on `as_of` and its history."""
    out = []
    for code, spans in sorted(limits.cover_spans(ctx, policy.discretionary_max).items()):
        now = next((a for s, e, a in spans if s <= as_of and (e is None or as_of <= e)), None)
        out.append({"customer": code, "limit": None if now is None else str(now.amount),
                    "currency": policy.currency,
                    "spans": [{"from": s.isoformat(), "to": e.isoformat() if e else None,
                               "limit": None if a is None else str(a.amount)} for s, e, a in spans]})
    return out


# ---------------------------------------------------------------- declarations

def _declaration(ctx: ServiceContext, policy: Policy, kind: str, start: date, end: date) -> Declaration | None:
    return ctx.session.scalar(select(Declaration).where(
        Declaration.company_id == ctx.company_id, Declaration.policy_number == policy.policy_number,
        Declaration.kind == kind, Declaration.period_start == start, Declaration.period_end == end))


def _store(ctx: ServiceContext, policy: Policy, kind: str, start: date, end: date, amount_minor: int,
           premium_minor: int, content: dict[str, Any]) -> Declaration:
    row = _declaration(ctx, policy, kind, start, end)
    if row is not None and row.sent_on is not None:
        raise Conflict(f"the {kind} declaration {start} – {end} was sent on {row.sent_on}; it stays as sent",
                       code="declaration_sent")
    if row is None:
        row = Declaration(company_id=ctx.company_id, policy_number=policy.policy_number, kind=kind,
                          period_start=start, period_end=end, currency=policy.currency, actor=ctx.actor,
                          amount_minor=0, premium_minor=0, content={})
        ctx.session.add(row)
    row.amount_minor, row.premium_minor, row.content = amount_minor, premium_minor, content
    ctx.session.flush()
    ctx.audit("insurance.declare", "insurance_declaration", row.id, after={
        "kind": kind, "period": [start, end], "amount": money_text(amount_minor, policy.currency),
        "premium": money_text(premium_minor, policy.currency)})
    return row


def declare_turnover(ctx: ServiceContext, policy: Policy, period: tuple[date, date]) -> Declaration:
    """Insured turnover of a declaration period from the ledger (sales to buyers with cover in force at the
    period's end and not excluded, converted at the period-end rate) and the premium due, with a monitoring
    fee for every such buyer (README rule 13)."""
    ctx.require("analyst")
    start, end = period
    if (start, end) not in terms.declaration_periods(policy):
        raise ValidationError(f"{start} – {end} is not a declaration period of {policy.policy_number}",
                              code="invalid_period")
    sales = ledger.sales_by_buyer(ctx, start, end)
    _, countries, _ = insured_items(ctx, policy, end)
    countries.update({code: country for code, country, _, _ in sales})
    buyers = insured_buyers(ctx, policy, end, countries)

    def insured(code: str) -> bool:
        b = buyers.get(code)
        return b is not None and bool(b.limit_on(end)) and not rules.exclusion_reasons(policy, b)

    fx = ledger.fx_table(ctx) if any(cur != policy.currency for _, _, cur, _ in sales) else None
    turnover: dict[str, int] = {}
    for code, _, cur, minor in sales:
        if not insured(code):
            continue
        m = minor if fx is None or cur == policy.currency else fx.convert(
            Money.from_minor(minor, cur), policy.currency, end).minor
        turnover[code] = turnover.get(code, 0) + m
    monitored = sum(1 for code in buyers if insured(code))
    earlier = [Money.from_minor(int(m), policy.currency) for m in ctx.session.scalars(select(
        Declaration.premium_minor).where(Declaration.company_id == ctx.company_id,
                                         Declaration.policy_number == policy.policy_number,
                                         Declaration.kind == "turnover", Declaration.period_end < start))]
    due = terms.premium_due(policy, period, Money.from_minor(sum(turnover.values()), policy.currency),
                            monitored, earlier, last=end == policy.end)
    content = {"buyers": [{"customer": c, "turnover": money_text(m, policy.currency)}
                          for c, m in sorted(turnover.items())],
               "turnover": str(due.turnover.amount), "rate_pct": str(due.rate_pct), "premium": str(due.premium.amount),
               "buyer_fees": str(due.buyer_fees.amount), "total": str(due.total.amount)}
    return _store(ctx, policy, "turnover", start, end, due.turnover.minor, due.total.minor, content)


def declare_overdue(ctx: ServiceContext, policy: Policy, as_of: date) -> Declaration:
    """The overdue declaration as of a date: every covered invoice whose MEP has ended and that was not yet
    notified, by buyer, from the ledger."""
    ctx.require("analyst")
    report, _ = obligations_report(ctx, policy, as_of)
    lines = [o for o in report.obligations if o.cover.covered and o.notified_on is None and o.mep_end < as_of]
    by_buyer: dict[str, int] = {}
    for o in lines:
        by_buyer[o.customer_code] = by_buyer.get(o.customer_code, 0) + o.open_minor
    cur = policy.currency
    content = {"invoices": [{"customer": o.customer_code, "invoice_number": o.number,
                             "delivered_on": o.delivered_on.isoformat(), "due_date": o.due_date.isoformat(),
                             "days_overdue": o.days_overdue, "open_amount": money_text(o.open_minor, cur),
                             "mep_end": o.mep_end.isoformat(),
                             "notification_deadline": o.notification_deadline.isoformat()} for o in lines],
               "buyers": [{"customer": c, "overdue": money_text(m, cur)} for c, m in sorted(by_buyer.items())]}
    return _store(ctx, policy, "overdue", policy.start, as_of, sum(by_buyer.values()), 0, content)


def mark_sent(ctx: ServiceContext, declaration_id: int, sent_on: date) -> Declaration:
    """Mark a declaration as sent; an overdue declaration then counts as the overdue notification of every
    buyer it lists."""
    ctx.require("analyst")
    row = get_declaration(ctx, declaration_id)
    if row.sent_on is not None:
        raise Conflict(f"declaration {declaration_id} was sent on {row.sent_on}", code="declaration_sent")
    row.sent_on = sent_on
    ctx.session.flush()
    ctx.audit("insurance.declaration_sent", "insurance_declaration", row.id, after={"sent_on": sent_on})
    if row.kind == "overdue":
        for b in row.content.get("buyers", []):
            record_notification(ctx, row.policy_number, b["customer"], "overdue", notified_on=sent_on,
                                amount=Money.of(b["overdue"], row.currency), reference=f"declaration {row.id}")
    return row


def get_declaration(ctx: ServiceContext, declaration_id: int) -> Declaration:
    row = ctx.session.get(Declaration, declaration_id)
    if row is None or row.company_id != ctx.company_id:
        raise NotFound(f"no declaration {declaration_id}", code="declaration_not_found")
    return row


def list_declarations(ctx: ServiceContext, policy_number: str | None = None) -> list[Declaration]:
    q = select(Declaration).where(Declaration.company_id == ctx.company_id)
    if policy_number:
        q = q.where(Declaration.policy_number == policy_number)
    return list(ctx.session.scalars(q.order_by(Declaration.period_end.desc(), Declaration.id.desc())))


def declaration_json(row: Declaration) -> dict[str, Any]:
    return {"id": row.id, "policy_number": row.policy_number, "kind": row.kind,
            "period_start": row.period_start.isoformat(), "period_end": row.period_end.isoformat(),
            "currency": row.currency, "amount": money_text(row.amount_minor, row.currency),
            "premium": money_text(row.premium_minor, row.currency),
            "sent_on": row.sent_on.isoformat() if row.sent_on else None, "content": row.content}


# ---------------------------------------------------------------- claims

def _year_claims(ctx: ServiceContext, policy: Policy, exclude_id: int | None = None) -> list[Claim]:
    q = select(Claim).where(Claim.company_id == ctx.company_id, Claim.policy_number == policy.policy_number,
                            Claim.status.in_(("filed", "under_review", "paid")))
    if exclude_id is not None:
        q = q.where(Claim.id != exclude_id)
    return list(ctx.session.scalars(q.order_by(Claim.filed_on, Claim.id)))


def _year_premium(ctx: ServiceContext, policy: Policy) -> Money:
    total = ctx.session.scalar(select(func.coalesce(func.sum(Declaration.premium_minor), 0)).where(
        Declaration.company_id == ctx.company_id, Declaration.policy_number == policy.policy_number,
        Declaration.kind == "turnover"))
    return Money.from_minor(int(total or 0), policy.currency)


def _assess(ctx: ServiceContext, policy: Policy, code: str, cause: str, as_of: date, claim_id: int | None,
            ) -> tuple[dict[str, Any], Any, int, int]:
    """(claim file, indemnity, covered minor, excluded minor) of a claim on a buyer as of a date."""
    items, countries, _ = insured_items(ctx, policy, as_of)
    mine = [i for i in items if i.customer_code == code]
    if not mine:
        raise ValidationError(f"{code} owes nothing open on {as_of}: nothing to claim", code="nothing_to_claim")
    buyers = insured_buyers(ctx, policy, as_of, countries)
    covers = rules.cover_per_invoice(policy, buyers, mine, as_of)
    claimed = [i for i in mine if cause == "insolvency" or i.due_date < as_of]
    covered = sum(covers[i.number].covered_minor for i in claimed if not i.disputed)
    excluded = sum(i.open_minor for i in claimed) - covered
    prior = _year_claims(ctx, policy, claim_id)
    cur = policy.currency
    ind = terms.indemnity(
        policy, cause=cause, covered=Money.from_minor(covered, cur), excluded=Money.from_minor(excluded, cur),
        limit=None, first_loss_used_before=Money.from_minor(sum(c.first_loss_minor for c in prior), cur),
        paid_before=Money.from_minor(sum(c.paid_minor or c.indemnity_minor for c in prior), cur),
        year_premium=_year_premium(ctx, policy))
    statements = ledger.statement_of_account(ctx, code, as_of)
    file = {
        "buyer": code, "as_of": as_of.isoformat(), "cause": cause, "currency": cur,
        "invoices": [{"invoice_number": i.number, "delivery_reference": i.number,
                      "delivered_on": i.delivered_on.isoformat(), "due_date": i.due_date.isoformat(),
                      "open_amount": money_text(i.open_minor, cur),
                      "covered_amount": money_text(0 if i.disputed else covers[i.number].covered_minor, cur),
                      "disputed": i.disputed, "reasons": list(covers[i.number].reasons)
                      + (["disputed"] if i.disputed else [])} for i in claimed],
        "statement_of_account": [{"currency": s.currency, "closing_balance": str(s.closing_balance.amount),
                                  "lines": [{"on": ln.on.isoformat(), "kind": ln.kind, "reference": ln.reference,
                                             "debit": str(ln.debit.amount), "credit": str(ln.credit.amount),
                                             "balance": str(ln.balance.amount)} for ln in s.lines]}
                                 for s in statements],
        "notifications": [{"kind": n.kind, "event_on": n.event_on.isoformat() if n.event_on else None,
                           "notified_on": n.notified_on.isoformat() if n.notified_on else None,
                           "reference": n.reference}
                          for n in list_notifications(ctx, policy.policy_number) if n.customer_code == code],
        **collection_history(ctx, code, as_of),
    }
    return file, ind, covered, excluded


def collection_history(ctx: ServiceContext, code: str, as_of: date) -> dict[str, list[dict[str, Any]]]:
    """The claim file's dunning history (letters, e-mails, calls, hand-overs, contacts and promises to pay,
    oldest first) and the buyer's disputes, from collections' front door."""
    steps = [(s.on, 0, {"on": s.on.isoformat(), "kind": s.kind, "level": s.level, "channel": s.channel,
                        "reference": s.reference, "outcome": s.outcome,
                        "amount": None if s.amount is None else str(s.amount.amount),
                        "currency": None if s.amount is None else s.amount.currency, "invoices": list(s.invoices)})
             for s in collections.dunning_history(ctx, code, as_of)]
    steps += [(p.made_on, 1, {"on": p.made_on.isoformat(), "kind": "promise", "level": None, "channel": None,
                              "reference": p.reference, "outcome": p.status, "amount": str(p.amount.amount),
                              "currency": p.amount.currency, "due_on": p.due_on.isoformat(),
                              "paid": str(p.paid.amount)})
              for p in collections.promises(ctx, code, as_of)]
    return {"dunning_history": [row for _, _, row in sorted(steps, key=lambda t: (t[0], t[1]))],
            "disputes": [{"invoice_number": d.invoice_number, "reason": d.reason_code, "status": d.status,
                          "opened_on": d.opened_on.isoformat(),
                          "resolved_on": d.resolved_on.isoformat() if d.resolved_on else None,
                          "resolution": d.resolution} for d in collections.disputes(ctx, code, as_of)]}


def _terms_json(ind: Any) -> list[dict[str, Any]]:
    """The terms as stored with a claim: the English explanation, and its message key with the figures it
    names (so that it can be written in the reader's language: `messages.term_explanation`)."""
    return [{"name": t.name, "amount": str(t.amount.amount), "explanation": t.explanation,
             "explanation_key": t.key, "values": dict(t.values)} for t in ind.terms]


def _terms_out(stored: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A claim's stored terms with their explanation in every language (`explanations`: en, zh-CN)."""
    return [{**x, "explanations": {lang: term_explanation(x, lang) for lang in ("en", "zh-CN")}}
            for x in stored or []]


def open_claim(ctx: ServiceContext, policy: Policy, code: str, cause: str, as_of: date) -> Claim:
    """A draft claim on a buyer: its file assembled from the ledger and the indemnity computed."""
    ctx.require("credit_manager")
    if cause not in CLAIM_CAUSES:
        raise ValidationError(f"a claim's cause is one of {', '.join(CLAIM_CAUSES)}", code="invalid_cause")
    file, ind, covered, _ = _assess(ctx, policy, code, cause, as_of, None)
    row = Claim(company_id=ctx.company_id, policy_number=policy.policy_number, customer_code=code, cause=cause,
                status="draft", opened_on=as_of, currency=policy.currency, loss_minor=covered,
                indemnity_minor=ind.amount.minor, first_loss_minor=ind.first_loss_used.minor, paid_minor=0,
                terms=_terms_json(ind), file=file, actor=ctx.actor)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("insurance.claim_open", "insurance_claim", row.id, after={
        "customer": code, "cause": cause, "loss": money_text(covered, policy.currency),
        "indemnity": str(ind.amount.amount)})
    return row


_NEXT = {"file": ("draft",), "review": ("filed",), "pay": ("filed", "under_review"),
         "reject": ("filed", "under_review")}


def advance_claim(ctx: ServiceContext, policy: Policy, claim_id: int, action: str, on: date, *,
                  reason: str | None = None, amount: Money | None = None) -> Claim:
    """Move a claim on: file (draft → filed: the file and indemnity are assessed again as of the filing
    day), review (→ under_review), pay (→ paid, the indemnity or the amount the insurer paid), reject
    (→ rejected, with the insurer's reason)."""
    ctx.require("credit_manager")
    row = get_claim(ctx, claim_id)
    if action not in _NEXT:
        raise ValidationError(f"unknown claim action {action!r}", code="invalid_action")
    if row.status not in _NEXT[action]:
        raise Conflict(f"claim {claim_id} is {row.status}: it cannot be {action}ed", code="invalid_transition")
    before = row.status
    if action == "file":
        file, ind, covered, _ = _assess(ctx, policy, row.customer_code, row.cause, on, row.id)
        row.file, row.terms, row.loss_minor = file, _terms_json(ind), covered
        row.indemnity_minor, row.first_loss_minor = ind.amount.minor, ind.first_loss_used.minor
        row.status, row.filed_on = "filed", on
    elif action == "review":
        row.status = "under_review"
    elif action == "pay":
        paid = amount or Money.from_minor(row.indemnity_minor, row.currency)
        row.status, row.decided_on, row.paid_minor = "paid", on, paid.minor
    else:
        if not reason or not reason.strip():
            raise ValidationError("a rejected claim states the insurer's reason", code="reason_required")
        row.status, row.decided_on, row.reason = "rejected", on, reason
    ctx.session.flush()
    ctx.audit(f"insurance.claim_{action}", "insurance_claim", row.id, reason=reason,
              before={"status": before}, after={"status": row.status, "on": on,
                                               "indemnity": money_text(row.indemnity_minor, row.currency),
                                               "paid": money_text(row.paid_minor, row.currency)})
    return row


def get_claim(ctx: ServiceContext, claim_id: int) -> Claim:
    row = ctx.session.get(Claim, claim_id)
    if row is None or row.company_id != ctx.company_id:
        raise NotFound(f"no claim {claim_id}", code="claim_not_found")
    return row


def list_claims(ctx: ServiceContext, policy_number: str | None = None) -> list[Claim]:
    q = select(Claim).where(Claim.company_id == ctx.company_id)
    if policy_number:
        q = q.where(Claim.policy_number == policy_number)
    return list(ctx.session.scalars(q.order_by(Claim.id.desc())))


def add_recovery(ctx: ServiceContext, claim_id: int, amount: Money, on: date, reference: str | None = None,
                 ) -> Recovery:
    """Money recovered on a paid claim, shared pro rata with the insurer, surplus to the seller (rule 12)."""
    ctx.require("credit_manager")
    row = get_claim(ctx, claim_id)
    if row.status != "paid":
        raise Conflict(f"claim {claim_id} is {row.status}: recoveries are shared after payout",
                       code="claim_not_paid")
    if amount.currency != row.currency or amount.amount <= 0:
        raise ValidationError(f"a recovery is a positive amount in {row.currency}", code="invalid_amount")
    before = sum((r.amount_minor for r in recoveries_of(ctx, claim_id)), 0)
    share = terms.share_recovery(amount, Money.from_minor(before, row.currency),
                                 Money.from_minor(row.loss_minor, row.currency),
                                 Money.from_minor(row.paid_minor, row.currency))
    rec = Recovery(company_id=ctx.company_id, claim_id=claim_id, received_on=on, currency=row.currency,
                   amount_minor=amount.minor, insurer_minor=share.insurer.minor, seller_minor=share.seller.minor,
                   reference=reference, actor=ctx.actor)
    ctx.session.add(rec)
    ctx.session.flush()
    ctx.audit("insurance.recovery", "insurance_claim", claim_id, after={
        "received": str(amount.amount), "insurer": str(share.insurer.amount), "seller": str(share.seller.amount),
        "on": on})
    return rec


def recoveries_of(ctx: ServiceContext, claim_id: int) -> list[Recovery]:
    return list(ctx.session.scalars(select(Recovery).where(Recovery.company_id == ctx.company_id,
                                                           Recovery.claim_id == claim_id).order_by(Recovery.id)))


def claim_json(ctx: ServiceContext, row: Claim, with_file: bool = False) -> dict[str, Any]:
    cur = row.currency
    out: dict[str, Any] = {
        "id": row.id, "policy_number": row.policy_number, "customer": row.customer_code, "cause": row.cause,
        "status": row.status, "opened_on": row.opened_on.isoformat(),
        "filed_on": row.filed_on.isoformat() if row.filed_on else None,
        "decided_on": row.decided_on.isoformat() if row.decided_on else None, "currency": cur,
        "loss": money_text(row.loss_minor, cur), "indemnity": money_text(row.indemnity_minor, cur),
        "paid": money_text(row.paid_minor, cur), "reason": row.reason, "terms": _terms_out(row.terms),
        "recoveries": [{"received_on": r.received_on.isoformat(), "amount": money_text(r.amount_minor, cur),
                        "insurer": money_text(r.insurer_minor, cur), "seller": money_text(r.seller_minor, cur),
                        "reference": r.reference} for r in recoveries_of(ctx, row.id)]}
    if with_file:
        out["file"] = row.file
    return out
