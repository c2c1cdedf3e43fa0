"""Collections API under /api/v1/collections: policy, runs, letters, worklist, tasks, contacts, promises,
disputes, cases, write-offs, statements and KPIs. Routes are role-checked (viewer reads; analyst records
contacts, promises, disputes, statements; credit manager loads the policy, runs dunning, assigns, handles
cases and write-offs) and call the services, which audit every change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from arguard.api.deps import Analyst, CreditManager, Viewer
from arguard.collections import service, service_cases, service_kpis, service_statements, service_work
from arguard.collections.policy import policy_dict
from arguard.core.money import Money

router = APIRouter(prefix="/collections", tags=["collections"])


def _today() -> date:
    return datetime.now(UTC).date()


class PolicyText(BaseModel):
    yaml: str = Field(max_length=256 * 1024, description="The policy file's text (docs/formats.md)")


class AssignmentIn(BaseModel):
    customer_id: str
    collector: str = Field(min_length=1, max_length=128)


class ContactIn(BaseModel):
    customer_id: str
    channel: str
    outcome: str
    note: str | None = Field(default=None, max_length=4000)
    on: date | None = None


class PromiseIn(BaseModel):
    customer_id: str
    amount: str
    currency: str
    due_on: date
    made_on: date | None = None
    reference: str | None = Field(default=None, max_length=64)


class DisputeIn(BaseModel):
    invoice_number: str
    reason_code: str
    owner: str = Field(min_length=1, max_length=128)
    note: str | None = Field(default=None, max_length=4000)
    on: date | None = None


class ResolutionIn(BaseModel):
    resolution: str
    note: str | None = Field(default=None, max_length=4000)
    on: date | None = None


class CaseIn(BaseModel):
    customer_id: str
    kind: str
    handler: str | None = Field(default=None, max_length=255)
    on: date | None = None


class AmountIn(BaseModel):
    amount: str
    currency: str
    note: str | None = Field(default=None, max_length=4000)
    on: date | None = None


class CloseIn(BaseModel):
    status: str
    note: str | None = Field(default=None, max_length=4000)
    on: date | None = None


class WriteOffIn(BaseModel):
    invoice_number: str
    amount: str
    currency: str
    reason: str = Field(min_length=1, max_length=4000)
    on: date | None = None


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=4000)
    on: date | None = None


class StatementsIn(BaseModel):
    as_of: date
    customers: list[str] | None = None


class AnswerIn(BaseModel):
    customer_id: str
    as_of: date
    confirmed: bool
    note: str | None = Field(default=None, max_length=4000)
    on: date | None = None


# ---------------------------------------------------------------- policy and runs


@router.get("/policy")
def get_policy(ctx: Viewer) -> dict[str, Any]:
    return {"policy": policy_dict(service.get_policy(ctx)), "yaml": service.policy_source(ctx)}


@router.put("/policy")
def put_policy(ctx: CreditManager, body: PolicyText) -> dict[str, Any]:
    return {"policy": policy_dict(service.load_policy(ctx, body.yaml, "api"))}


@router.post("/runs")
def post_run(ctx: CreditManager, as_of: date, dry_run: bool = False) -> dict[str, Any]:
    """The dunning run of a date (the issue's JSON); recorded once per date unless dry_run."""
    answer, replayed, skipped = service.run_dunning_explained(ctx, as_of, dry_run=dry_run)
    return {**answer, "replayed": replayed, "dry_run": dry_run, "skipped": skipped}


@router.get("/runs/{as_of}")
def get_run(ctx: Viewer, as_of: date) -> dict[str, Any]:
    answer = service.recorded_run(ctx, as_of)
    if answer is None:
        from arguard.core.errors import NotFound

        raise NotFound(f"no dunning run recorded for {as_of}", code="run_not_found")
    return answer


@router.get("/actions")
def list_actions(ctx: Viewer, as_of: date | None = None, customer_id: str | None = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    return [{"id": r.id, "as_of": r.as_of.isoformat(), "status": r.status, "error": r.error, "letter": r.letter is not None,
             **r.payload} for r in service.list_actions(ctx, as_of, customer_id, limit)]


@router.get("/actions/{action_id}/letter")
def letter(ctx: Viewer, action_id: int) -> Response:
    return Response(service.get_letter(ctx, action_id), media_type="application/pdf")


# ---------------------------------------------------------------- worklist, tasks, contacts


@router.get("/worklist")
def worklist(ctx: Viewer, as_of: date | None = None, collector: str | None = None,
             limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """Buyers ordered by what a call is worth; every item says why (`why`)."""
    items, total = service_work.worklist(ctx, as_of or _today(), collector, limit, offset)
    return {"ordering": "value = PD × overdue amount (base currency) × days overdue of the oldest item / 365; "
                        "buyers never graded count with PD 5 %",
            "total": total, "items": [service_work.work_item_dict(w) for w in items]}


@router.get("/tasks")
def tasks(ctx: Viewer, kind: str | None = None, status: str | None = "open") -> list[dict[str, Any]]:
    return [{"id": t.id, "customer_id": t.customer_code, "kind": t.kind, "due_on": t.due_on.isoformat(),
             "status": t.status, "note": t.note} for t in service_work.list_tasks(ctx, status, kind)]


@router.post("/tasks/{task_id}/done")
def task_done(ctx: Analyst, task_id: int, note: Annotated[str, Body(embed=True, max_length=4000)]) -> dict[str, Any]:
    t = service_work.close_task(ctx, task_id, note)
    return {"id": t.id, "status": t.status}


@router.post("/assignments")
def assign(ctx: CreditManager, body: AssignmentIn) -> dict[str, str]:
    row = service_work.assign(ctx, body.customer_id, body.collector)
    return {"customer_id": row.customer_code, "collector": row.collector}


@router.post("/contacts")
def contact(ctx: Analyst, body: ContactIn) -> dict[str, Any]:
    row = service_work.log_contact(ctx, body.customer_id, body.on or _today(), body.channel, body.outcome, body.note)
    return {"id": row.id}


@router.get("/buyers/{customer_id}")
def buyer(ctx: Viewer, customer_id: str, as_of: date | None = None) -> dict[str, Any]:
    """What a collector has at hand: grade, limit, open items, payments, promises, contacts, disputes, cases."""
    v = service_work.buyer_view(ctx, customer_id, as_of or _today())
    risk = v["risk"]
    return {"customer_id": customer_id, "name": v["customer"].name, "language": v["customer"].language,
            "grade": risk.get("grade"), "pd_12m": risk.get("pd_12m"),
            "limit": (v["exposure"] or {}).get("limit"), "exposure": (v["exposure"] or {}).get("total"),
            "open_items": [{"number": i.number, "due_date": i.due_date.isoformat(), "open": str(i.open.amount),
                            "currency": i.open.currency} for i in v["open_items"]],
            "payments": [{"id": p.external_id, "on": p.received_on.isoformat(), "amount": str(p.amount.amount),
                          "currency": p.amount.currency} for p in v["payments"]],
            "promises": [_promise(p) for p in v["promises"]],
            "contacts": [{"on": c.contacted_on.isoformat(), "channel": c.channel, "outcome": c.outcome,
                          "note": c.note, "by": c.actor} for c in v["contacts"]],
            "disputes": [_dispute(d) for d in v["disputes"]],
            "cases": [{"id": c.id, "kind": c.kind, "status": c.status} for c in v["cases"]],
            "actions": [{"as_of": a.as_of.isoformat(), "level": a.level, "channel": a.channel, "status": a.status}
                        for a in v["actions"]]}


# ---------------------------------------------------------------- promises and disputes


def _promise(p: Any) -> dict[str, Any]:
    return {"reference": p.reference, "customer_id": p.customer_code, "made_on": p.made_on.isoformat(),
            "due_on": p.due_on.isoformat(), "amount": str(Money.from_minor(p.amount_minor, p.currency).amount),
            "currency": p.currency, "status": p.status, "paid": str(Money.from_minor(p.paid_minor, p.currency).amount)}


def _dispute(d: Any) -> dict[str, Any]:
    return {"id": d.id, "invoice_number": d.invoice_number, "customer_id": d.customer_code,
            "reason_code": d.reason_code, "owner": d.owner, "status": d.status, "opened_on": d.opened_on.isoformat(),
            "resolved_on": d.resolved_on.isoformat() if d.resolved_on else None, "resolution": d.resolution,
            "note": d.note}


@router.get("/promises")
def promises(ctx: Viewer, customer_id: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    return [_promise(p) for p in service_work.list_promises(ctx, customer_id, status)]


@router.post("/promises")
def add_promise(ctx: Analyst, body: PromiseIn) -> dict[str, Any]:
    p = service_work.add_promise(ctx, body.customer_id, Money.of(body.amount, body.currency), body.due_on,
                                 body.made_on or _today(), body.reference)
    return _promise(p)


@router.post("/promises/check")
def check_promises(ctx: Analyst, as_of: date | None = None, grace_days: Annotated[int, Query(ge=0, le=60)] = 0
                   ) -> list[dict[str, Any]]:
    return [_promise(p) for p in service_work.check_promises(ctx, as_of or _today(), grace_days)]


@router.get("/disputes")
def disputes(ctx: Viewer, status: str | None = None) -> list[dict[str, Any]]:
    return [_dispute(d) for d in service_work.list_disputes(ctx, status)]


@router.post("/disputes")
def open_dispute(ctx: Analyst, body: DisputeIn) -> dict[str, Any]:
    return _dispute(service_work.open_dispute(ctx, body.invoice_number, body.reason_code, body.owner,
                                              body.on or _today(), body.note))


@router.post("/disputes/{dispute_id}/resolve")
def resolve_dispute(ctx: Analyst, dispute_id: int, body: ResolutionIn) -> dict[str, Any]:
    return _dispute(service_work.resolve_dispute(ctx, dispute_id, body.resolution, body.on or _today(), body.note))


# ---------------------------------------------------------------- cases and write-offs


@router.get("/cases")
def cases(ctx: Viewer, status: str | None = None) -> list[dict[str, Any]]:
    return [service_cases.case_dict(r, *service_cases.get_case(ctx, r.id)[1:]) for r in service_cases.list_cases(ctx, status)]


@router.get("/cases/{case_id}")
def case(ctx: Viewer, case_id: int) -> dict[str, Any]:
    return service_cases.case_dict(*service_cases.get_case(ctx, case_id))


@router.post("/cases")
def open_case(ctx: CreditManager, body: CaseIn) -> dict[str, Any]:
    row = service_cases.open_case(ctx, body.customer_id, body.kind, body.on or _today(), body.handler)
    return service_cases.case_dict(*service_cases.get_case(ctx, row.id))


@router.post("/cases/{case_id}/costs")
def case_cost(ctx: CreditManager, case_id: int, body: AmountIn) -> dict[str, Any]:
    service_cases.add_case_cost(ctx, case_id, Money.of(body.amount, body.currency), body.on or _today(),
                                body.note or "cost")
    return service_cases.case_dict(*service_cases.get_case(ctx, case_id))


@router.post("/cases/{case_id}/recoveries")
def case_recovery(ctx: CreditManager, case_id: int, body: AmountIn) -> dict[str, Any]:
    service_cases.add_recovery(ctx, case_id, Money.of(body.amount, body.currency), body.on or _today(), body.note)
    return service_cases.case_dict(*service_cases.get_case(ctx, case_id))


@router.post("/cases/{case_id}/close")
def case_close(ctx: CreditManager, case_id: int, body: CloseIn) -> dict[str, Any]:
    service_cases.close_case(ctx, case_id, body.status, body.on or _today(), body.note)
    return service_cases.case_dict(*service_cases.get_case(ctx, case_id))


@router.get("/writeoffs")
def writeoffs(ctx: Viewer, status: str | None = None) -> list[dict[str, object]]:
    return [service_cases.writeoff_dict(r) for r in service_cases.list_writeoffs(ctx, status)]


@router.post("/writeoffs")
def request_writeoff(ctx: Analyst, body: WriteOffIn) -> dict[str, object]:
    return service_cases.writeoff_dict(service_cases.request_writeoff(
        ctx, body.invoice_number, Money.of(body.amount, body.currency), body.reason, body.on or _today()))


@router.post("/writeoffs/{request_id}/decide")
def decide_writeoff(ctx: CreditManager, request_id: int, body: DecisionIn) -> dict[str, object]:
    return service_cases.writeoff_dict(service_cases.decide_writeoff(ctx, request_id, body.approve,
                                                                     body.on or _today(), body.note))


# ---------------------------------------------------------------- statements and KPIs


@router.get("/statements")
def statements(ctx: Viewer, status: str | None = None) -> list[dict[str, Any]]:
    return [service_statements.statement_dict(r) for r in service_statements.list_statements(ctx, status)]


@router.post("/statements")
def send_statements(ctx: Analyst, body: StatementsIn) -> list[dict[str, Any]]:
    return [service_statements.statement_dict(r)
            for r in service_statements.send_statements(ctx, body.as_of, body.customers)]


@router.post("/statements/answer")
def answer_statement(ctx: Analyst, body: AnswerIn) -> dict[str, Any]:
    return service_statements.statement_dict(service_statements.answer(
        ctx, body.customer_id, body.as_of, body.confirmed, body.on or _today(), body.note))


@router.post("/statements/remind")
def remind(ctx: Analyst, as_of: date | None = None, after_days: Annotated[int, Query(ge=1, le=365)] = 14
           ) -> list[dict[str, Any]]:
    return [service_statements.statement_dict(r)
            for r in service_statements.remind_unconfirmed(ctx, as_of or _today(), after_days)]


@router.get("/kpis")
def kpis(ctx: Viewer, as_of: date | None = None, period_days: Annotated[int, Query(ge=1, le=730)] = 90
         ) -> dict[str, Any]:
    return service_kpis.kpis(ctx, as_of or _today(), period_days)
