"""Default flags (risk README rules 13–14): see a buyer's insolvency / protracted default on record,
put one on record by hand, lift it by a recorded decision."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from arguard.api.deps import CreditManager, Viewer
from arguard.risk import service_flags as service

router = APIRouter(tags=["risk"])


class DefaultCreate(BaseModel):
    kind: Literal["insolvency", "protracted_default"]
    on: date | None = None
    cause: str = Field(min_length=1, description="where the news comes from (court, case number, creditor)")


class DefaultLift(BaseModel):
    reason: str = Field(min_length=1, description="why the default is over (kept in the audit log)")
    on: date | None = None


def _grade(code: str, g: Any) -> dict[str, Any]:
    return {"customer_code": code, "grade": g.grade, "pd_12m": g.pd_12m, "as_of": g.as_of.isoformat(),
            "reasons": [r.label for r in g.reasons]}


@router.get("/buyers/{code}/default")
def list_defaults(code: str, ctx: Viewer) -> list[dict[str, Any]]:
    return [{"kind": f.kind, "flagged_on": f.flagged_on, "cause": f.cause, "flagged_by": f.flagged_by,
             "lifted_on": f.lifted_on, "lifted_by": f.lifted_by, "lift_reason": f.lift_reason}
            for f in service.default_flags(ctx, code)]


@router.post("/buyers/{code}/default", status_code=201)
def put_default_on_record(code: str, body: DefaultCreate, ctx: CreditManager) -> dict[str, Any]:
    return _grade(code, service.flag_default(ctx, code, body.kind, body.on or date.today(), body.cause))


@router.post("/buyers/{code}/default/lift")
def lift_default(code: str, body: DefaultLift, ctx: CreditManager) -> dict[str, Any]:
    return _grade(code, service.lift_default(ctx, code, body.reason, body.on or date.today()))
