"""Materiality routes (ledger rules 12–14): the company's tolerance, immaterial leftovers and their
write-off in bulk. Thin: the service (`ledger.service_materiality`) does the work and audits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from arguard.api.deps import CreditManager, Viewer
from arguard.ledger import service_materiality as service
from arguard.ledger.materiality import Leftover, Materiality

router = APIRouter(tags=["ledger"])
AsOf = Annotated[date | None, Query(description="Date of the view (default: today)")]


class MaterialityRead(BaseModel):
    amount: str = Field(description="tolerance in the base currency, e.g. '50.00'")
    currency: str
    share: str = Field(description="tolerance as a share of the invoice, e.g. '0.05'")


class MaterialityUpdate(BaseModel):
    amount: Decimal = Field(ge=0)
    share: Decimal = Field(ge=0, le=Decimal("0.5"))
    reason: str = Field(min_length=1)


class LeftoverRead(BaseModel):
    customer: str
    number: str
    due_date: date
    days_past_due: int
    open: str
    amount: str
    currency: str


class LeftoverWriteOffCreate(BaseModel):
    reason: str = Field(min_length=1, description="why (the credit manager's approval), kept in the audit log")
    as_of: date | None = None
    customer: str | None = None
    numbers: list[str] | None = Field(None, description="only these invoices (each must be a leftover)")


class LeftoverWriteOffRead(BaseModel):
    written_off: list[LeftoverRead]
    totals: dict[str, str]


def _materiality(m: Materiality) -> MaterialityRead:
    return MaterialityRead(amount=str(m.amount.amount), currency=m.amount.currency, share=str(m.share))


def _leftover(lo: Leftover, as_of: date) -> LeftoverRead:
    return LeftoverRead(customer=lo.customer_code, number=lo.number, due_date=lo.due_date,
                        days_past_due=lo.days_past_due(as_of), open=str(lo.open.amount), amount=str(lo.amount.amount),
                        currency=lo.open.currency)


@router.get("/ledger/materiality", response_model=MaterialityRead)
def get_materiality(ctx: Viewer) -> MaterialityRead:
    return _materiality(service.get_materiality(ctx))


@router.put("/ledger/materiality", response_model=MaterialityRead)
def set_materiality(ctx: CreditManager, body: MaterialityUpdate) -> MaterialityRead:
    return _materiality(service.set_materiality(ctx, body.amount, body.share, body.reason))


@router.get("/ledger/leftovers", response_model=list[LeftoverRead])
def list_leftovers(ctx: Viewer, as_of: AsOf = None, customer: str | None = None,
                   limit: Annotated[int, Query(ge=1, le=10000)] = 1000) -> list[LeftoverRead]:
    day = as_of or date.today()
    return [_leftover(lo, day) for lo in service.leftovers(ctx, day, customer, limit)]


@router.post("/ledger/leftovers/write-off", response_model=LeftoverWriteOffRead)
def write_off_leftovers(ctx: CreditManager, body: LeftoverWriteOffCreate) -> LeftoverWriteOffRead:
    day = body.as_of or date.today()
    done = service.write_off_leftovers(ctx, day, body.reason, body.customer, body.numbers)
    return LeftoverWriteOffRead(written_off=[_leftover(lo, day) for lo in done.items],
                                totals={c: str(m.amount) for c, m in sorted(done.totals.items())})
