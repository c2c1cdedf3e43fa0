"""Portfolio routes: the stored book's loss distribution, a posted book's (no storage), the value of
insurance. Reads only; every answer carries its seed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from arguard.api.deps import Analyst, Viewer
from arguard.core.errors import ValidationError
from arguard.portfolio import service
from arguard.portfolio.model import Correlation, SimulationSettings

router = APIRouter(tags=["portfolio"])
Seed = Annotated[int, Query(ge=0, le=2**32 - 1, description="Seed of the simulation (printed with the answer)")]
MAX_POSTED_BUYERS = 200_000


class CorrelationIn(BaseModel):
    """Asset-correlation shares (global + same country + same sector); `rho` alone: one factor."""

    rho: float | None = Field(default=None, ge=0, lt=1)
    rho_global: float = Field(default=0.10, ge=0, lt=1)
    rho_country: float = Field(default=0.05, ge=0, lt=1)
    rho_sector: float = Field(default=0.05, ge=0, lt=1)
    country_rho: dict[str, float] = {}
    sector_rho: dict[str, float] = {}

    def model(self) -> Correlation:
        if self.rho is not None:
            return Correlation.one_factor(self.rho)
        total = self.rho_global + max([self.rho_country, *self.country_rho.values()]) + max(
            [self.rho_sector, *self.sector_rho.values()])
        if total >= 1 or min([0.0, *self.country_rho.values(), *self.sector_rho.values()]) < 0:
            raise ValidationError("correlation shares must be ≥ 0 and sum below 1", code="invalid_correlation")
        return Correlation(self.rho_global, self.rho_country, self.rho_sector, self.country_rho, self.sector_rho)


class BuyerIn(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    pd: float = Field(ge=0, le=1)
    ead: float = Field(ge=0, le=1e15)
    lgd: float = Field(ge=0, le=1)
    country: str = Field(pattern=r"^[A-Za-z]{2}$")
    sector: str = Field(min_length=1, max_length=32)


class SimulateIn(BaseModel):
    buyers: list[BuyerIn] = Field(min_length=1, max_length=MAX_POSTED_BUYERS)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    correlation: CorrelationIn = CorrelationIn()
    seed: int = Field(default=20261204, ge=0, le=2**32 - 1)
    method: str = Field(default="mc", pattern=r"^(mc|vasicek|creditriskplus)$")


def _corr(rho: float | None) -> Correlation:
    if rho is not None and not 0 <= rho < 1:
        raise ValidationError(f"rho {rho} outside [0, 1)", code="invalid_rho")
    return Correlation.one_factor(rho) if rho is not None else Correlation()


@router.get("/portfolio/loss")
def stored_loss(ctx: Viewer, as_of: date | None = None, rho: float | None = None, seed: Seed = 20261204,
                lgd: float = 0.45, method: str = "mc") -> dict[str, Any]:
    """Loss distribution of the stored book: EL, VaR/ES at 99/99.5/99.9 %, rel. SE, contributions,
    histogram; PDs from the newest grades, EAD = open receivables in the base currency."""
    if not 0 <= lgd <= 1:
        raise ValidationError(f"lgd {lgd} outside 0–1", code="invalid_lgd")
    return service.simulate_stored(ctx, as_of or date.today(), _corr(rho), SimulationSettings(seed=seed), lgd=lgd,
                                   method=method)


@router.post("/portfolio/simulate")
def simulate_posted(body: SimulateIn, ctx: Analyst) -> dict[str, Any]:
    """Loss distribution of the book in the request (nothing stored): the CLI's `--buyers FILE` answer."""
    from arguard.portfolio.model import Book
    from arguard.portfolio.report import distribution_json

    dupes = len(body.buyers) - len({b.id for b in body.buyers})
    if dupes:
        raise ValidationError(f"{dupes} buyer id(s) appear more than once", code="duplicate_buyer")
    book = Book.of([(b.id, b.pd, b.ead, b.lgd, b.country.upper(), b.sector) for b in body.buyers], body.currency)
    dist, seconds = service.simulate(book, body.correlation.model(), SimulationSettings(seed=body.seed),
                                     method=body.method)
    return distribution_json(dist, seconds)


@router.get("/portfolio/insurance-value")
def insurance_value(ctx: Viewer, as_of: date | None = None, indemnity_pct: float | None = None,
                    aggregate_first_loss: float = 0.0, deductible_per_claim: float = 0.0,
                    premium_rate_pct: float = 0.2, max_liability_multiple: float = 30.0,
                    seed: Seed = 20261204, rho: float | None = None) -> dict[str, Any]:
    """The stored book with and without a policy and the structures around it; the recommendation in
    English and Chinese. Without `indemnity_pct`: the stored policy in force (`terms_from` says which),
    else the default terms; with it, a policy of the terms given."""
    from arguard.portfolio.cover import Cover

    for name, value in (("indemnity_pct", indemnity_pct or 0.0), ("premium_rate_pct", premium_rate_pct)):
        if not 0 <= value <= 100:
            raise ValidationError(f"{name} {value} outside 0–100", code="invalid_terms")
    if min(aggregate_first_loss, deductible_per_claim, max_liability_multiple) < 0:
        raise ValidationError("amounts and multiples must not be negative", code="invalid_terms")
    cover = None if indemnity_pct is None else Cover(
        "policy", indemnity=indemnity_pct / 100, aggregate_first_loss=aggregate_first_loss,
        deductible_per_claim=deductible_per_claim, premium_rate=premium_rate_pct / 100,
        max_liability_multiple=max_liability_multiple or None)
    return service.insurance_value_stored(ctx, as_of or date.today(), _corr(rho), cover,
                                          SimulationSettings(seed=seed, min_scenarios=32_768))
