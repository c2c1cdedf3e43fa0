"""Frozen records of the portfolio capability: the book of exposures, the correlation structure, the
simulation settings and the loss distribution's summary.

The book is held as NumPy arrays (one entry per buyer) because the simulation works on 100,000 buyers
at once; amounts in it are floats of one currency, a model quantity, never an amount booked anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

LEVELS: tuple[float, ...] = (0.99, 0.995, 0.999)
"""Confidence levels of every VaR and expected shortfall the capability reports."""


@dataclass(frozen=True, eq=False)
class Book:
    """The receivables book as the model sees it, one position per buyer.

    ids: buyer identifiers; pd: 12-month probability of default (0–1); ead: exposure at default in one
    currency; lgd: loss given default (0–1, after recoveries); country: ISO alpha-2; sector: NACE or
    any sector code; currency: the currency of `ead`."""

    ids: np.ndarray
    pd: np.ndarray
    ead: np.ndarray
    lgd: np.ndarray
    country: np.ndarray
    sector: np.ndarray
    currency: str = "EUR"

    def __len__(self) -> int:
        return int(self.pd.shape[0])

    @property
    def loss_at_default(self) -> np.ndarray:
        """EAD × LGD: what each buyer's default costs."""
        return np.asarray(self.ead * self.lgd, dtype=float)

    @property
    def expected_loss(self) -> float:
        return float(np.dot(self.loss_at_default, self.pd))

    @classmethod
    def of(cls, rows: list[tuple[str, float, float, float, str, str]], currency: str = "EUR") -> Book:
        """A book from (id, pd, ead, lgd, country, sector) tuples — tests and small callers."""
        if not rows:
            empty = np.array([])
            return cls(empty, empty, empty, empty, empty, empty, currency)
        ids, pds, eads, lgds, countries, sectors = zip(*rows, strict=True)
        return cls(np.array(ids, dtype=object), np.array(pds, dtype=float), np.array(eads, dtype=float),
                   np.array(lgds, dtype=float), np.array(countries, dtype=object),
                   np.array(sectors, dtype=object), currency)

    def subset(self, mask: np.ndarray) -> Book:
        return Book(self.ids[mask], self.pd[mask], self.ead[mask], self.lgd[mask], self.country[mask],
                    self.sector[mask], self.currency)


@dataclass(frozen=True)
class Correlation:
    """Asset correlation of two buyers = global + country (same country) + sector (same sector).

    The defaults (0.10 + 0.05 + 0.05: 20 % for two buyers of one country and sector, 10 % for buyers
    with nothing in common) sit inside the Basel II corporate range (12–24 %) and below it for
    unrelated buyers, as trade-credit books of small firms show. `country_rho` / `sector_rho` override
    the country or sector share for named codes (a cyclical sector, an emerging market)."""

    rho_global: float = 0.10
    rho_country: float = 0.05
    rho_sector: float = 0.05
    country_rho: Mapping[str, float] = field(default_factory=dict)
    sector_rho: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def one_factor(cls, rho: float) -> Correlation:
        """Every buyer on one factor with asset correlation `rho` (the Vasicek case)."""
        return cls(rho_global=rho, rho_country=0.0, rho_sector=0.0)

    @property
    def is_one_factor(self) -> bool:
        return (self.rho_country == 0 and self.rho_sector == 0 and not any(self.country_rho.values())
                and not any(self.sector_rho.values()))

    def country_share(self, code: str) -> float:
        return float(self.country_rho.get(code, self.rho_country))

    def sector_share(self, code: str) -> float:
        return float(self.sector_rho.get(code, self.rho_sector))


@dataclass(frozen=True)
class SimulationSettings:
    """How hard the Monte Carlo works. seed: printed with every answer; target_rel_se: stop when the
    99.9 % VaR and ES are known to this relative standard error; chunk: scenarios per unit of work (one
    seeded stream each, the unit sent to a Dask worker); granular_share: buyers whose loss at default
    exceeds this share of the book are drawn one by one, the rest by their conditional moments."""

    seed: int = 20261204
    target_rel_se: float = 0.01
    min_scenarios: int = 65_536
    max_scenarios: int = 2_097_152
    chunk: int = 4_096
    granular_share: float = 0.002
    importance_sampling: bool = True
    contributions: bool = True


@dataclass(frozen=True)
class TailMeasures:
    """Loss quantiles (VaR) and expected shortfall (ES) per confidence level, in the book's currency."""

    var: Mapping[float, float]
    es: Mapping[float, float]


@dataclass(frozen=True)
class LossDistribution:
    """What a simulation or an analytic method says about the book's credit loss over 12 months.

    rel_se: relative standard error of the 99.9 % VaR and ES (the larger of the two; 0 for analytic
    answers); contributions: ES(99.9 %) shares per buyer / country / sector, summing to the ES;
    histogram: (loss at bin start, probability) pairs for charts."""

    method: str
    buyers: int
    scenarios: int
    seed: int | None
    expected_loss: float
    tail: TailMeasures
    rel_se: Mapping[float, float]
    currency: str = "EUR"
    contributions: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    histogram: tuple[tuple[float, float], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def capital(self) -> float:
        """Economic capital at 99.9 %: the unexpected loss the seller must be able to absorb."""
        return self.tail.var[0.999] - self.expected_loss


@dataclass(frozen=True, eq=False)
class StoredBook:
    """The stored book as the model sees it: the positions, how many buyers had no grade (their PD was
    assumed), currencies left out for want of an exchange rate, and in exact money the open receivables
    and the shipped-not-invoiced plus released orders counted in the exposure."""

    book: Book
    ungraded: int
    skipped_currencies: tuple[str, ...]
    open_total: Any
    pipeline: Any = None
