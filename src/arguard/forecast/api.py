"""Forecast and provision routes: a few lines each, the service does the work."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query

from arguard.api.deps import CreditManager, Viewer
from arguard.forecast.service import ForecastRequest, forecast_run
from arguard.forecast.service_provisions import ProvisionRequest, provisions, save_provision

router = APIRouter(tags=["forecast"])
Multiplier = Annotated[Decimal, Query(ge=0, le=10, description="Forward-looking multiplier of the loss rates.")]
Lgd = Annotated[Decimal, Query(ge=0, le=1, description="Loss given default for PD × LGD × EAD.")]
Months = Annotated[int, Query(ge=1, le=60, description="Look-back of the roll rates in months.")]


@router.get("/forecast/cash-in")
def cash_in(ctx: Viewer, as_of: date, scenarios: Annotated[int, Query(ge=20, le=2000)] = 200, seed: int = 20240601,
            delay_days: Annotated[int, Query(ge=-90, le=365)] = 0, default_buyer: str | None = None) -> dict[str, Any]:
    """Expected receipts per week (13) and month (12) with P10/P50/P90 (amounts as decimal strings)."""
    return forecast_run(ctx, ForecastRequest(as_of, scenarios, seed, delay_days, default_buyer))


@router.get("/provisions")
def get_provisions(ctx: Viewer, as_of: date, multiplier: Multiplier = Decimal(1), lgd: Lgd = Decimal("0.45"),
                   months: Months = 12) -> dict[str, Any]:
    """IFRS 9 provision matrix, PD × LGD × EAD per buyer, movement against the saved provision, journal."""
    return provisions(ctx, ProvisionRequest(as_of, multiplier, lgd, months))


@router.post("/provisions", status_code=201)
def post_provisions(ctx: CreditManager, as_of: date, multiplier: Multiplier = Decimal(1),
                    lgd: Lgd = Decimal("0.45"), months: Months = 12) -> dict[str, Any]:
    """Compute and store the provision (audited); the next one's movement starts from it."""
    return save_provision(ctx, ProvisionRequest(as_of, multiplier, lgd, months))
