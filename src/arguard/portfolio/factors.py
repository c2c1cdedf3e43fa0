"""The multi-factor Gaussian copula's structure: which factors a buyer loads on, and how much.

Asset return of buyer i in country c and sector s:
    A_i = √ρ_g·G + √ρ_c·C_c + √ρ_s·S_s + √(1 − ρ_g − ρ_c − ρ_s)·ε_i,
G, C_c, S_s, ε_i independent standard normals; default when A_i < Φ⁻¹(PD_i). Buyers with the same
loadings form one *cell*; inside a cell the systematic part is one number per scenario, so the
simulation works on cells, not buyers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arguard.portfolio.model import Book, Correlation


@dataclass(frozen=True, eq=False)
class FactorStructure:
    """names: factor names ('global', 'country:CN', 'sector:C25'); loadings: cells × factors;
    r: systematic share of each cell's asset variance; cell_of: buyer → cell."""

    names: tuple[str, ...]
    loadings: np.ndarray
    r: np.ndarray
    cell_of: np.ndarray

    @property
    def factors(self) -> int:
        return len(self.names)

    @property
    def cells(self) -> int:
        return int(self.loadings.shape[0])


def build_structure(book: Book, corr: Correlation) -> FactorStructure:
    """The factors and cells of a book under `corr`; factors with zero loading everywhere are left out."""
    countries = sorted({str(c) for c in book.country}) if len(book) else []
    sectors = sorted({str(s) for s in book.sector}) if len(book) else []
    c_share = {c: corr.country_share(c) for c in countries}
    s_share = {s: corr.sector_share(s) for s in sectors}
    _check_shares(corr, c_share, s_share)
    names = ["global"] if corr.rho_global > 0 else []
    names += [f"country:{c}" for c in countries if c_share[c] > 0]
    names += [f"sector:{s}" for s in sectors if s_share[s] > 0]
    index = {n: k for k, n in enumerate(names)}
    c_of = np.searchsorted(countries, np.asarray(book.country, dtype=str)) if len(book) else np.zeros(0, int)
    s_of = np.searchsorted(sectors, np.asarray(book.sector, dtype=str)) if len(book) else np.zeros(0, int)
    pairs, pair_of = np.unique(c_of * max(len(sectors), 1) + s_of, return_inverse=True)
    rows = np.zeros((pairs.size, max(len(names), 1)))
    if corr.rho_global > 0:
        rows[:, index["global"]] = np.sqrt(corr.rho_global)
    for k, pair in enumerate(pairs):
        country, sector = countries[pair // max(len(sectors), 1)], sectors[pair % max(len(sectors), 1)]
        if c_share[country] > 0:
            rows[k, index["country:" + country]] = np.sqrt(c_share[country])
        if s_share[sector] > 0:
            rows[k, index["sector:" + sector]] = np.sqrt(s_share[sector])
    unique, cell_of_pair = np.unique(rows, axis=0, return_inverse=True)
    r = np.sum(unique**2, axis=1)
    cell_of = np.asarray(cell_of_pair).reshape(-1)[np.asarray(pair_of).reshape(-1)]
    return FactorStructure(tuple(names) or ("global",), unique, r, cell_of)


def _check_shares(corr: Correlation, c_share: dict[str, float], s_share: dict[str, float]) -> None:
    worst = corr.rho_global + max(c_share.values(), default=0.0) + max(s_share.values(), default=0.0)
    negative = min([corr.rho_global, *c_share.values(), *s_share.values()], default=0.0)
    if negative < 0 or worst >= 1:
        raise ValueError(f"correlation shares must be ≥ 0 and sum below 1 (largest sum {worst:.3f})")
