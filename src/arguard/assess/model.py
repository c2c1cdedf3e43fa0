"""Frozen records of the needs assessment: what the ledger and the model say about the book, and which
protection tools fit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Position:
    """One buyer's open receivables in the base currency (float: a model quantity) with what is known
    of it: PD (None: never graded), country, sector, exposure-weighted terms in days, days past due share."""

    code: str
    exposure: float
    pd: float | None
    country: str
    sector: str
    terms_days: float | None = None


@dataclass(frozen=True)
class BookFacts:
    """Inputs of the assessment, gathered by the service: positions, aging shares, the loss figures."""

    as_of: date
    currency: str
    home_country: str | None
    positions: tuple[Position, ...]
    overdue_share: float
    overdue_90_share: float
    expected_loss: float
    var_999: float
    es_999: float
    country_class: Mapping[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Metrics:
    """What the assessment measured (shares 0–1 of open receivables)."""

    buyers: int
    receivables: float
    terms_days: float | None
    long_terms_share: float
    hhi: float
    top10_share: float
    largest_share: float
    cyclical_share: float
    sector_shares: Mapping[str, float]
    export_share: float
    high_risk_country_share: float
    country_shares: Mapping[str, float]
    ungraded_share: float
    high_pd_share: float
    weighted_pd: float | None
    overdue_share: float
    overdue_90_share: float
    expected_loss: float
    var_999: float
    es_999: float
    capital: float
    capital_ratio: float


@dataclass(frozen=True)
class Recommendation:
    """One protection tool: credit_checks, secured_terms (prepayment, guarantees, letters of credit),
    insurance or factoring; fit: strong, consider or not_needed; reasons in English and Chinese."""

    tool: str
    fit: str
    reasons_en: tuple[str, ...]
    reasons_zh: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    as_of: date
    currency: str
    metrics: Metrics
    recommendations: tuple[Recommendation, ...]
    summary_en: str
    summary_zh: str
