"""Credit insurance routes under /api/v1/insurance. A few lines each; everything else is in the services.
Reads need a viewer, notifications and declarations an analyst, policies, limits and claims a credit
manager; every change is audited by the service."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from arguard.api.deps import Analyst, CreditManager, Viewer
from arguard.core.errors import ValidationError
from arguard.core.money import Money
from arguard.insurance import service, service_claims
from arguard.insurance.policy import policy_terms
from arguard.insurance.render import render_claim_file, render_declaration
from arguard.insurance.terms import declaration_periods

router = APIRouter(prefix="/insurance", tags=["insurance"])

_MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "pdf": "application/pdf"}


def today() -> date:
    return datetime.now(UTC).date()


class PolicyIn(BaseModel):
    text: str = Field(min_length=1, description="the policy file (YAML or JSON text, docs/formats.md)")
    source: str = "api"


class TagIn(BaseModel):
    tag: str
    on: bool = True


class NotificationIn(BaseModel):
    customer: str
    kind: str = Field(description="overdue or adverse_event")
    notified_on: date | None = None
    event_on: date | None = None
    amount: Decimal | None = None
    reference: str | None = None
    details: str | None = None
    policy_number: str | None = None


class LimitRequestIn(BaseModel):
    customer: str
    amount: Decimal = Field(gt=0)
    on: date | None = None
    reason: str | None = None
    policy_number: str | None = None


class DecisionIn(BaseModel):
    customer: str
    status: str
    amount: Decimal | None = None
    reason: str = Field(min_length=1)
    on: date | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    request_id: int | None = None
    conditions: str | None = None
    reference: str | None = None
    cover_stopped: bool = False
    discretionary: bool = Field(False, description="a discretionary limit set by the seller (reason = its basis)")
    policy_number: str | None = None


class TurnoverIn(BaseModel):
    period_start: date | None = Field(None, description="first day of the period; none: every period ended")
    as_of: date | None = None
    policy_number: str | None = None


class OverdueIn(BaseModel):
    as_of: date | None = None
    policy_number: str | None = None


class SentIn(BaseModel):
    sent_on: date | None = None


class ClaimIn(BaseModel):
    customer: str
    cause: str = Field(description="insolvency, protracted_default or political")
    as_of: date | None = None
    policy_number: str | None = None


class ClaimActionIn(BaseModel):
    on: date | None = None
    reason: str | None = None
    amount: Decimal | None = None


class RecoveryIn(BaseModel):
    amount: Decimal = Field(gt=0)
    received_on: date | None = None
    reference: str | None = None


# ---------------------------------------------------------------- policies, obligations

@router.get("/policies")
def policies(ctx: Viewer) -> list[dict[str, Any]]:
    return [policy_terms(p) for p in service.list_policies(ctx)]


@router.post("/policies")
def load_policy(body: PolicyIn, ctx: CreditManager) -> dict[str, Any]:
    policy, created = service.load_policy(ctx, body.text, body.source)
    return {"created": created, "policy": policy_terms(policy)}


@router.get("/policies/{policy_number}")
def policy(policy_number: str, ctx: Viewer) -> dict[str, Any]:
    return policy_terms(service.get_policy(ctx, policy_number))


@router.get("/obligations")
def obligations(ctx: Viewer, as_of: date | None = None, policy_number: str | None = None) -> dict[str, Any]:
    day = as_of or today()
    return service.check(ctx, service.get_policy(ctx, policy_number, day), day)


@router.post("/monitor")
def run_monitor(ctx: Analyst, as_of: date | None = None, policy_number: str | None = None) -> dict[str, Any]:
    day = as_of or today()
    p = service.get_policy(ctx, policy_number, day)
    report, _ = service.obligations_report(ctx, p, day)
    changes = service.sync_stop_supply(ctx, p, day, report)
    return {**changes, "alerts_posted": service.post_deadline_alerts(ctx, p, day, report)}


@router.get("/exposure/{customer}")
def exposure(customer: str, ctx: Viewer, as_of: date | None = None, policy_number: str | None = None,
             ) -> dict[str, Any]:
    return service.insured_exposure(ctx, customer, as_of or today(), policy_number)


@router.put("/buyers/{customer}/tags")
def tag(customer: str, body: TagIn, ctx: Analyst) -> dict[str, Any]:
    service.tag_buyer(ctx, customer, body.tag, body.on)
    return {"customer": customer, "tag": body.tag, "on": body.on}


@router.post("/notifications")
def notify(body: NotificationIn, ctx: Analyst) -> dict[str, Any]:
    p = service.get_policy(ctx, body.policy_number, body.notified_on or body.event_on or today())
    row = service.record_notification(
        ctx, p.policy_number, body.customer, body.kind, notified_on=body.notified_on, event_on=body.event_on,
        amount=None if body.amount is None else Money.of(body.amount, p.currency), reference=body.reference,
        details=body.details)
    return notification_json(row)


@router.get("/notifications")
def notifications(ctx: Viewer, policy_number: str | None = None) -> list[dict[str, Any]]:
    return [notification_json(n) for n in service.list_notifications(ctx, policy_number)]


def notification_json(n: Any) -> dict[str, Any]:
    return {"id": n.id, "policy_number": n.policy_number, "customer": n.customer_code, "kind": n.kind,
            "event_on": n.event_on, "notified_on": n.notified_on, "reference": n.reference,
            "amount": None if n.amount_minor is None else service.money_text(n.amount_minor, n.currency)}


# ---------------------------------------------------------------- insured limits

@router.get("/limits")
def insured_limits(ctx: Viewer, as_of: date | None = None, policy_number: str | None = None) -> list[dict[str, Any]]:
    day = as_of or today()
    return service_claims.insured_limits(ctx, service.get_policy(ctx, policy_number, day), day)


@router.post("/limits/requests")
def request_limit(body: LimitRequestIn, ctx: Analyst) -> dict[str, Any]:
    day = body.on or today()
    p = service.get_policy(ctx, body.policy_number, day)
    rid = service_claims.request_insured_limit(ctx, body.customer, Money.of(body.amount, p.currency), day, body.reason)
    return {"request_id": rid, "customer": body.customer, "amount": str(Money.of(body.amount, p.currency).amount)}


@router.post("/limits/decisions")
def decide_limit(body: DecisionIn, ctx: CreditManager) -> dict[str, Any]:
    day = body.on or today()
    p = service.get_policy(ctx, body.policy_number, day)
    amount = None if body.amount is None else Money.of(body.amount, p.currency)
    if body.discretionary:
        if amount is None:
            raise ValidationError("a discretionary limit has an amount", code="invalid_amount")
        d = service_claims.set_discretionary_limit(ctx, p, body.customer, amount, day, body.reason)
    else:
        d = service_claims.record_insurer_decision(
            ctx, body.customer, status=body.status, amount=amount, on=day, reason=body.reason,
            effective_from=body.effective_from, effective_to=body.effective_to, request_id=body.request_id,
            conditions=body.conditions, reference=body.reference, cover_stopped=body.cover_stopped)
    return {"customer": body.customer, "kind": d.kind, "status": d.status, "amount": str(d.amount.amount),
            "effective_from": d.effective_from, "effective_to": d.effective_to}


@router.get("/underwriting")
def underwriting(ctx: Viewer, as_of: date | None = None, policy_number: str | None = None,
                 customer: str | None = None) -> dict[str, Any]:
    """The underwriter's view: every insured-limit request and insurer decision under the policy, with the
    buyer's exposure, the risk engine's grade, PD and top reasons, the recommended limit and its binding
    rule, and the disagreements (`flags`)."""
    from arguard.insurance.service_underwriting import underwriting_view

    day = as_of or today()
    return underwriting_view(ctx, service.get_policy(ctx, policy_number, day), day, customer)


# ---------------------------------------------------------------- declarations

@router.post("/declarations/turnover")
def declare_turnover(body: TurnoverIn, ctx: Analyst) -> list[dict[str, Any]]:
    day = body.as_of or today()
    p = service.get_policy(ctx, body.policy_number, day)
    periods = [x for x in declaration_periods(p) if (x[0] == body.period_start if body.period_start else x[1] <= day)]
    return [service_claims.declaration_json(service_claims.declare_turnover(ctx, p, x)) for x in periods]


@router.post("/declarations/overdue")
def declare_overdue(body: OverdueIn, ctx: Analyst) -> dict[str, Any]:
    day = body.as_of or today()
    p = service.get_policy(ctx, body.policy_number, day)
    return service_claims.declaration_json(service_claims.declare_overdue(ctx, p, day))


@router.get("/declarations")
def declarations(ctx: Viewer, policy_number: str | None = None) -> list[dict[str, Any]]:
    return [service_claims.declaration_json(d) for d in service_claims.list_declarations(ctx, policy_number)]


@router.get("/declarations/{declaration_id}/file")
def declaration_file(declaration_id: int, ctx: Viewer, fmt: str = Query("csv", alias="format")) -> Response:
    data = service_claims.declaration_json(service_claims.get_declaration(ctx, declaration_id))
    body = render_declaration(data, fmt)
    return Response(body, media_type=_MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="declaration-{declaration_id}.{fmt}"'})


@router.post("/declarations/{declaration_id}/sent")
def declaration_sent(declaration_id: int, body: SentIn, ctx: Analyst) -> dict[str, Any]:
    return service_claims.declaration_json(service_claims.mark_sent(ctx, declaration_id, body.sent_on or today()))


# ---------------------------------------------------------------- claims

@router.get("/claims")
def claims(ctx: Viewer, policy_number: str | None = None) -> list[dict[str, Any]]:
    return [service_claims.claim_json(ctx, c) for c in service_claims.list_claims(ctx, policy_number)]


@router.post("/claims")
def open_claim(body: ClaimIn, ctx: CreditManager) -> dict[str, Any]:
    day = body.as_of or today()
    p = service.get_policy(ctx, body.policy_number, day)
    return service_claims.claim_json(ctx, service_claims.open_claim(ctx, p, body.customer, body.cause, day),
                                     with_file=True)


@router.get("/claims/{claim_id}")
def claim(claim_id: int, ctx: Viewer) -> dict[str, Any]:
    return service_claims.claim_json(ctx, service_claims.get_claim(ctx, claim_id), with_file=True)


@router.get("/claims/{claim_id}/file")
def claim_file(claim_id: int, ctx: Viewer, fmt: str = Query("json", alias="format"),
               language: str = Query("en", description="en or zh-CN (the PDF's language)")) -> Response:
    """The claim file (invoices, statement of account, notifications, dunning history, disputes, the indemnity
    with every term) as JSON or as a PDF for the insurer."""
    data = service_claims.claim_json(ctx, service_claims.get_claim(ctx, claim_id), with_file=True)
    if fmt not in ("json", "pdf"):
        raise ValidationError("a claim file is json or pdf", code="invalid_format")
    body = (render_claim_file(data, language) if fmt == "pdf"
            else json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    return Response(body, media_type=_MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="claim-{claim_id}.{fmt}"'})


@router.post("/claims/{claim_id}/recoveries")
def add_recovery(claim_id: int, body: RecoveryIn, ctx: CreditManager) -> dict[str, Any]:
    row = service_claims.get_claim(ctx, claim_id)
    service_claims.add_recovery(ctx, claim_id, Money.of(body.amount, row.currency), body.received_on or today(),
                                body.reference)
    return service_claims.claim_json(ctx, row)


@router.post("/claims/{claim_id}/{action}")
def advance_claim(claim_id: int, action: str, body: ClaimActionIn, ctx: CreditManager) -> dict[str, Any]:
    row = service_claims.get_claim(ctx, claim_id)
    p = service.get_policy(ctx, row.policy_number)
    done = service_claims.advance_claim(ctx, p, claim_id, action, body.on or today(), reason=body.reason,
                                        amount=None if body.amount is None else Money.of(body.amount, p.currency))
    return service_claims.claim_json(ctx, done)
