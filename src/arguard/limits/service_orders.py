"""The order credit check, order lifecycle and the hold queue (part of the limits service).

Rules (numbers as in limits/README.md):
30. A check first locks the buyer's credit-state row (and its group parent's), so checks of one buyer
    or one group run one at a time and each sees the reservations of the ones before.
26. An order that is released reserves its amount: it counts in exposure until shipped and invoiced,
    or cancelled. Held orders reserve nothing until a credit manager releases them.
31. Idempotent per order id: the same order (amount, currency, ship date) again answers the stored
    decision without checking again.
32. A changed amount or ship date is checked again in full against the exposure without the order's
    own earlier reservation, i.e. the change is checked against the limit.
33. A cancelled or rejected order sent again is reopened: checked again in full.
33. Only an explicit, audited cancellation frees a reservation before shipping; a shipped order cannot
    change (corrections go through invoices and credit notes).
34. An order id belongs to one customer.
35. Imported open orders are checked like any other (an import cannot bypass the check); imported
    shipped orders are recorded as shipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from arguard.core.errors import Conflict, Issue, NotFound, ValidationError
from arguard.core.money import Money
from arguard.ledger import interface as ledger
from arguard.limits import service_base as svc
from arguard.limits import sources
from arguard.limits.check import check_order as decide
from arguard.limits.model import Appetite, BuyerSituation, CheckResult, GroupPosition, ScopeUse
from arguard.limits.orders_io import OrderLine
from arguard.limits.service_overdue import oldest_material_overdue_days
from arguard.limits.tables import CreditOrder
from arguard.platform.context import ServiceContext


@dataclass(frozen=True)
class OrderCheck:
    """One order to check: the seller's order id, the buyer's code, the amount and the ship date."""

    order_id: str
    customer_code: str
    amount: Money
    ship_date: date


@dataclass(frozen=True)
class CheckAnswer:
    """The stored answer for an order. figures: exposure before and after, limit, available (limit
    currency); replayed: the same order was already checked and this is that answer again."""

    order_id: str
    customer_code: str
    status: str
    outcome: str
    reasons: list[dict[str, Any]]
    amount: Money
    ship_date: date
    figures: dict[str, Any]
    version: int
    replayed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"order_id": self.order_id, "customer": self.customer_code, "decision": self.outcome,
                "status": self.status, "reasons": self.reasons, "amount": str(self.amount.amount),
                "currency": self.amount.currency, "ship_date": self.ship_date.isoformat(), **self.figures,
                "version": self.version, "replayed": self.replayed}


def _validate(order: OrderCheck) -> None:
    if not order.order_id or len(order.order_id) > 64:
        raise ValidationError("an order id has 1 to 64 characters", code="invalid_order_id")
    if order.amount.amount <= 0:
        raise ValidationError("an order amount is positive", code="invalid_amount")


def _answer(row: Any, code: str, replayed: bool = False) -> CheckAnswer:
    return CheckAnswer(row.order_id, code, row.status, row.outcome or "release", list(row.reasons or []),
                       Money.from_minor(row.amount_minor, row.currency), row.ship_date, dict(row.figures or {}),
                       row.version, replayed)


def _stored_answer(ctx: ServiceContext, order_id: str, code: str) -> CheckAnswer:
    """The stored answer of an order (the replay of an unchanged order), read as a plain row."""
    q = svc.prebuilt("order_answer", lambda: select(
        CreditOrder.order_id, CreditOrder.status, CreditOrder.outcome, CreditOrder.reasons, CreditOrder.amount_minor,
        CreditOrder.currency, CreditOrder.ship_date, CreditOrder.figures, CreditOrder.version).where(
        CreditOrder.company_id == bindparam("company"), CreditOrder.order_id == bindparam("oid")))
    row = ctx.connection().execute(q, {"company": ctx.company_id, "oid": order_id}).one()
    return _answer(row, code, replayed=True)


def _order_row(ctx: ServiceContext, order_id: str) -> CreditOrder | None:
    return ctx.session.scalar(select(CreditOrder).where(CreditOrder.company_id == ctx.company_id,
                                                        CreditOrder.order_id == order_id))


@dataclass(frozen=True)
class _Buyer:
    id: int
    code: str
    country: str | None
    sector: str | None
    parent_code: str | None


@dataclass(frozen=True)
class _State:
    order_block: bool
    block_reason: str | None
    in_collections: bool


def check_order(ctx: ServiceContext, order: OrderCheck, *, as_of: date, grades: sources.GradeSource | None = None,
                source: str = "check") -> CheckAnswer:
    """Check one order (rules 25–34): one decision with every reason; audited.

    README rule 41: the lock, which also returns the buyer, its group parent, their flags and the
    settings token (policy and appetite then come from the process cache); the buyer's facts
    (`svc.check_facts`); the order's write; the change of what it reserves; the pending audit entry
    (`ctx.audit_later`: sealed into the chain after commit). A buyer in a group adds two reads of the
    group's exposure."""
    ctx.require("analyst")
    _validate(order)
    rows, token = svc.lock_for_check(ctx, order.customer_code)
    found = {r[1]: r for r in rows}
    if order.customer_code not in found:
        raise NotFound(f"no customer {order.customer_code!r}", code="customer_not_found")
    mine = found[order.customer_code]
    customer = _Buyer(*mine[:5])
    parent = next((_Buyer(*r[:5]) for r in rows if r[1] == customer.parent_code and r[1] != customer.code), None)
    state = _State(*mine[5:8])
    svc.use_cached_settings(ctx, token)
    policy = svc.get_policy(ctx)
    horizon_end = as_of + timedelta(days=policy.check.horizon_days)
    facts = svc.check_facts(ctx, order.order_id, customer.id, as_of, horizon_end, customer.country, customer.sector)
    existing = facts.existing
    reopened = False
    if existing is not None:
        if existing.customer_id != customer.id:
            raise Conflict(f"order {order.order_id} belongs to another customer", code="order_customer_conflict")
        same = (existing.amount_minor == order.amount.minor and existing.currency == order.amount.currency
                and existing.ship_date == order.ship_date)
        if same and existing.status in ("released", "pending", "shipped") and existing.outcome is not None:
            return _stored_answer(ctx, order.order_id, customer.code)
        if existing.status == "shipped":
            raise Conflict(f"order {order.order_id} has shipped; correct it with invoices and credit notes",
                           code="order_shipped")
        reopened = existing.status in ("cancelled", "rejected")
    appetite = svc.get_appetite(ctx)
    rates = svc.Rates(ctx, policy.currency, as_of)
    amount_lc = rates.convert(order.amount)
    situation = _situation(ctx, customer, parent, order, as_of, appetite, rates, grades, state, facts)
    result = decide(amount_lc, situation, policy.check)
    answer = _store(ctx, existing, customer, order, amount_lc, result, situation, source)
    before = None if existing is None else {"version": answer.version - 1, "amount": str(order.amount.amount)}
    # Written with this unit of work, sealed into the hash chain just after commit: the company-wide
    # append lock stays out of the check's transaction (platform `audit_later`).
    ctx.audit_later("credit_check.reopen" if reopened else "credit_check", "order", order.order_id,
                    reason="; ".join(r.message for r in result.reasons) or "within limit",
                    before=before, after={"customer": customer.code, "amount": str(order.amount.amount),
                                          "currency": order.amount.currency, "ship_date": order.ship_date,
                                          "decision": result.outcome, "status": answer.status,
                                          "reasons": [r.code for r in result.reasons], **answer.figures})
    return answer


def _situation(ctx: ServiceContext, customer: _Buyer, parent: _Buyer | None, order: OrderCheck, as_of: date,
               appetite: Appetite, rates: svc.Rates, grades: sources.GradeSource | None,
               state: _State, facts: svc.CheckFacts) -> BuyerSituation:
    policy = svc.get_policy(ctx)
    horizon_end = as_of + timedelta(days=policy.check.horizon_days)
    existing = facts.existing
    own = svc.exposure_facts(ctx, [customer.id], rates, horizon_end=horizon_end, facts=facts)
    on = max(order.ship_date, as_of)
    line = svc.line_of(ctx, customer.id, on, appetite, facts.decisions)
    source = grades or sources.GRADES
    # The default source's grade came with the buyer's other facts (one statement less per check).
    risk = (facts.grade if isinstance(source, sources.RiskServiceGrades) and svc.GRADES_IN_FACTS
            else source.risk_of(ctx, customer.code, as_of, accounts=False))
    scopes: list[ScopeUse] = []
    cap = appetite.cap("buyer", customer.code)
    if cap is not None:
        scopes.append(ScopeUse("buyer", customer.code, cap, own.exposure.total))
    capped = [(scope, key) for scope, key in (("country", customer.country), ("sector", customer.sector),
                                              ("total", "*")) if key and appetite.cap(scope, key) is not None]
    reserved = (existing.country, existing.sector, existing.ship_date, existing.limit_minor) \
        if existing is not None and existing.status == "released" else None
    uses = svc.scope_uses(ctx, capped, rates, horizon_end=horizon_end, exclude=reserved,
                          max_age_s=policy.check.scope_snapshot_seconds, released=facts.released)
    for (scope, key), (used, unrated_items, unrated_currencies) in uses.items():
        cap = appetite.cap(scope, key)
        assert cap is not None
        scopes.append(ScopeUse(scope, key, cap, used, unrated_items, unrated_currencies))
    group = None
    if customer.parent_code and customer.parent_code != customer.code:
        members = svc.group_members(ctx, customer.parent_code, policy.check.scope_snapshot_seconds)
        g = svc.exposure_facts(ctx, members, rates, horizon_end=horizon_end, exclude_order=order.order_id)
        group = GroupPosition(customer.parent_code, g.exposure.total,
                              svc.line_of(ctx, parent.id, on, appetite).amount if parent else None)
    collections = sources.collections_source()
    in_collections = (collections.in_collections(ctx, customer.code) if collections is not None
                      else state.in_collections)
    return BuyerSituation(
        customer_code=customer.code, as_of=as_of, exposure=own.exposure, line=line,
        oldest_overdue_days=oldest_material_overdue_days(ctx, customer.id, as_of,
                                                         anything_overdue=own.oldest_due is not None),
        grade=risk.grade if risk else None, pd=risk.pd if risk else None,
        disputed=own.disputed if own.disputed.amount > 0 else None, in_collections=in_collections,
        block_reason=state.block_reason or "blocked" if state.order_block else None,
        scopes=tuple(scopes), group=group)


def _store(ctx: ServiceContext, existing: Any, customer: _Buyer, order: OrderCheck, amount_lc: Money,
           result: CheckResult, s: BuyerSituation, source: str) -> CheckAnswer:
    """Write the order's row (one INSERT or UPDATE, no ORM object) and return the answer."""
    status = "released" if result.reserves else "pending"
    reasons = [{"code": r.code, "decision": r.outcome, "message": r.message, **dict(r.data)} for r in result.reasons]
    figures = {
        "limit_currency": amount_lc.currency, "amount_in_limit_currency": str(amount_lc.amount),
        **svc.exposure_json(s.exposure), "exposure_after": str(result.exposure_after.amount),
        "limit": None if result.limit is None else str(result.limit.amount), "limit_kind": s.line.source,
        "available": None if result.available is None else str(result.available.amount),
        "grade": s.grade, "oldest_overdue_days": s.oldest_overdue_days, "as_of": s.as_of.isoformat()}
    version = (existing.version or 0) + 1 if existing is not None else 1
    values = {"amount_minor": order.amount.minor, "currency": order.amount.currency, "limit_minor": amount_lc.minor,
              "ship_date": order.ship_date, "country": customer.country, "sector": customer.sector,
              "status": status, "outcome": result.outcome, "reasons": reasons, "figures": figures,
              "version": version, "checked_at": datetime.now(UTC), "decided_by": None, "comment": None}
    c = ctx.connection()
    if existing is None:
        c.execute(svc.prebuilt("order_insert", _order_insert),
                  {**values, "company_id": ctx.company_id, "order_id": order.order_id, "customer_id": customer.id,
                   "source": source})
    else:
        c.execute(svc.prebuilt("order_update", _order_update), {**values, "row_id": existing.id})
    changes = []
    if existing is not None and existing.status == "released":
        changes.append((existing.country, existing.sector, existing.ship_date, -existing.limit_minor))
    if status == "released":
        changes.append((customer.country, customer.sector, order.ship_date, amount_lc.minor))
    svc.reserve(ctx, changes)
    return CheckAnswer(order.order_id, customer.code, status, result.outcome, reasons, order.amount,
                       order.ship_date, figures, version)


def _order_insert() -> Any:
    return insert(CreditOrder.__table__)  # type: ignore[arg-type]  # the columns are the keys of the parameters


def _order_update() -> Any:
    t: Any = CreditOrder.__table__
    return update(t).where(t.c.id == bindparam("row_id"))  # SET: the other keys of the parameters


# ---------------------------------------------------------------- lifecycle and the hold queue

def _locked_order(ctx: ServiceContext, order_id: str) -> CreditOrder:
    row = _order_row(ctx, order_id)
    if row is None:
        raise NotFound(f"no order {order_id!r}", code="order_not_found")
    svc.lock_buyers(ctx, [row.customer_id])
    ctx.session.refresh(row)
    return row


def _transition(ctx: ServiceContext, order_id: str, allowed: tuple[str, ...], to: str, action: str,
                comment: str) -> CreditOrder:
    if not comment or not comment.strip():
        raise ValidationError("say why (a comment is required)", code="comment_required")
    row = _locked_order(ctx, order_id)
    if row.status not in allowed:
        raise Conflict(f"order {order_id} is {row.status}; only {' or '.join(allowed)} orders can be {to}",
                       code="order_state")
    before = row.status
    row.status, row.decided_by, row.comment = to, ctx.actor, comment
    ctx.session.flush()
    held = (row.country, row.sector, row.ship_date, row.limit_minor)
    svc.reserve(ctx, [(*held[:3], -held[3])] if before == "released" else [held] if to == "released" else [])
    svc.audit(ctx, action, "order", order_id, reason=comment, before={"status": before},
              after={"status": to, "decision": row.outcome, "amount": str(Money.from_minor(
                  row.amount_minor, row.currency).amount), "currency": row.currency})
    return row


def release_order(ctx: ServiceContext, order_id: str, comment: str) -> CreditOrder:
    """A credit manager releases a held order (it then reserves its amount)."""
    ctx.require("credit_manager")
    return _transition(ctx, order_id, ("pending",), "released", "credit_check.release", comment)


def reject_order(ctx: ServiceContext, order_id: str, comment: str) -> CreditOrder:
    ctx.require("credit_manager")
    return _transition(ctx, order_id, ("pending",), "rejected", "credit_check.reject", comment)


def cancel_order(ctx: ServiceContext, order_id: str, reason: str) -> CreditOrder:
    """Cancel an order before it ships: frees its reservation (rule 33)."""
    ctx.require("analyst")
    return _transition(ctx, order_id, ("released", "pending"), "cancelled", "order.cancel", reason)


def ship_order(ctx: ServiceContext, order_id: str, shipped_on: date) -> CreditOrder:
    ctx.require("analyst")
    return _transition(ctx, order_id, ("released",), "shipped", "order.ship", f"shipped on {shipped_on}")


def hold_queue(ctx: ServiceContext, limit: int = 100, offset: int = 0) -> tuple[list[tuple[CreditOrder, str]], int]:
    return list_orders(ctx, status="pending", limit=limit, offset=offset)


def list_orders(ctx: ServiceContext, *, status: str | None = None, customer_code: str | None = None,
                limit: int = 100, offset: int = 0) -> tuple[list[tuple[CreditOrder, str]], int]:
    q = select(CreditOrder).where(CreditOrder.company_id == ctx.company_id)
    if status:
        q = q.where(CreditOrder.status == status)
    if customer_code:
        q = q.where(CreditOrder.customer_id == ledger.customer_id_select(ctx.company_id, customer_code))
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    orders = list(ctx.session.scalars(q.order_by(CreditOrder.checked_at.desc(), CreditOrder.id.desc())
                                      .limit(limit).offset(offset)))
    codes = ledger.customer_codes(ctx, {o.customer_id for o in orders})
    return [(o, codes.get(o.customer_id, "")) for o in orders], total


def import_orders(ctx: ServiceContext, lines: Iterable[OrderLine], *, as_of: date, source: str = "import",
                  grades: sources.GradeSource | None = None) -> tuple[list[dict[str, Any]], list[Issue]]:
    """Record orders from the seller's order system (rule 35). Returns one result per line and the
    issues of lines that could not be recorded (the others are kept)."""
    ctx.require("analyst")
    results: list[dict[str, Any]] = []
    issues: list[Issue] = []
    for line in lines:
        try:
            with ctx.session.begin_nested():
                results.append(_import_line(ctx, line, as_of, source, grades))
        except (ValidationError, NotFound, Conflict) as exc:
            issues.append(Issue(source, line.line, None, f"order {line.order_id}: {exc.message}"))
    return results, issues


def _import_line(ctx: ServiceContext, line: OrderLine, as_of: date, source: str,
                 grades: sources.GradeSource | None) -> dict[str, Any]:
    order = OrderCheck(line.order_id, line.customer_code, line.amount, line.ship_date)
    if line.status == "open":
        answer = check_order(ctx, order, as_of=as_of, grades=grades, source=source)
        return {"order_id": line.order_id, "status": answer.status, "decision": answer.outcome}
    row = _order_row(ctx, line.order_id)
    if row is not None and row.status == "shipped":
        return {"order_id": line.order_id, "status": "shipped", "decision": row.outcome}
    if row is not None and row.status == "released":
        ship_order(ctx, line.order_id, line.ship_date)
        return {"order_id": line.order_id, "status": "shipped", "decision": row.outcome}
    _validate(order)
    customer = svc.customer_by_code(ctx, line.customer_code)
    svc.lock_buyers(ctx, [customer.id])
    policy = svc.get_policy(ctx)
    amount_lc = svc.Rates(ctx, policy.currency, as_of).convert(line.amount)
    if row is None:
        row = CreditOrder(company_id=ctx.company_id, order_id=line.order_id, customer_id=customer.id, version=0)
        ctx.session.add(row)
    elif row.customer_id != customer.id:
        raise Conflict(f"order {line.order_id} belongs to another customer", code="order_customer_conflict")
    row.amount_minor, row.currency, row.limit_minor = line.amount.minor, line.amount.currency, amount_lc.minor
    row.ship_date, row.status, row.source, row.version = line.ship_date, "shipped", source, (row.version or 0) + 1
    row.country, row.sector = customer.country, customer.sector
    row.reasons, row.figures = row.reasons or [], row.figures or {}
    ctx.session.flush()
    svc.audit(ctx, "order.import", "order", line.order_id, after={
        "customer": customer.code, "amount": str(line.amount.amount), "currency": line.amount.currency,
        "status": "shipped"})
    return {"order_id": line.order_id, "status": "shipped", "decision": row.outcome}
