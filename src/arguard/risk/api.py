"""Risk routes: a buyer's grade with reasons and history, statements in (JSON or file), portfolio view."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, UploadFile
from pydantic import BaseModel, Field

from arguard.api.deps import Analyst, Viewer
from arguard.risk import service
from arguard.risk.model import StatementItems

router = APIRouter(tags=["risk"])


class StatementCreate(BaseModel):
    """One fiscal year of a buyer's accounts; amounts as decimal strings or numbers, in `currency`."""

    fiscal_year: int
    fiscal_year_end: date
    currency: str = Field("EUR", min_length=3, max_length=3)
    items: dict[str, Decimal]


@router.get("/buyers/{code}/risk")
def buyer_risk(code: str, ctx: Viewer, as_of: date | None = None) -> dict[str, Any]:
    """Newest stored grade (1–10), 12-month PD, confidence, top reasons (English and Chinese text) and
    the grade history; never grades (`grade` is null for a buyer never graded)."""
    return service.buyer_risk(ctx, code, as_of or date.today())


@router.post("/buyers/{code}/statements", status_code=201)
def add_statement(code: str, body: StatementCreate, ctx: Analyst) -> dict[str, Any]:
    unknown = sorted(set(body.items) - set(StatementItems.__dataclass_fields__))
    items = StatementItems(body.fiscal_year_end, body.currency.upper(),
                           **{k: v for k, v in body.items.items() if k not in unknown})
    row = service.add_statement(ctx, code, body.fiscal_year, body.fiscal_year_end, items)
    return {"id": row.id, "ignored_items": unknown}


@router.post("/risk/statements/import")
async def import_statements(file: UploadFile, ctx: Analyst) -> dict[str, Any]:
    stored, issues = service.import_statements(ctx, await file.read(), file.filename or "upload.csv")
    return {"stored": stored, "issues": [{"line": i.line, "field": i.field, "reason": i.reason} for i in issues]}


@router.post("/buyers/{code}/risk/grade")
def grade_one(code: str, ctx: Analyst, as_of: date | None = None) -> dict[str, Any]:
    """Grade one buyer now (exact TreeSHAP reasons) and return its newest grade."""
    day = as_of or date.today()
    service.regrade_buyer(ctx, code, day)
    return service.buyer_risk(ctx, code, day)


@router.post("/risk/grade")
def grade_all(ctx: Analyst, as_of: date | None = None, portfolio_rate: float | None = None,
              exact_reasons: bool = False) -> dict[str, Any]:
    """Grade every buyer as one batch; `portfolio_rate` (0–1, your 12-month default rate) re-bases the
    PDs from the training sample's rate (docs/risk.md, "Portfolio calibration"); reasons per-leaf unless
    `exact_reasons`."""
    grades = service.grade_buyers(ctx, as_of or date.today(), portfolio_rate=portfolio_rate,
                                  exact_reasons=exact_reasons or None)
    return {"graded": len(grades)}


@router.get("/risk/portfolio")
def portfolio(ctx: Viewer) -> list[dict[str, Any]]:
    """Buyers and open receivables per grade, at each buyer's newest grade."""
    return service.portfolio(ctx)
