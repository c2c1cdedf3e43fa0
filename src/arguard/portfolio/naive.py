"""Brute-force Monte Carlo: every scenario draws every buyer's asset value. The yardstick the
benchmark compares against and a check of the fast method on small books; nothing else uses it."""

from __future__ import annotations

import numpy as np
from scipy import special

from arguard.portfolio.factors import build_structure
from arguard.portfolio.model import Book, Correlation


def brute_force_losses(book: Book, corr: Correlation, scenarios: int, seed: int, block: int = 64) -> np.ndarray:
    """Portfolio loss of each of `scenarios` plain draws (factors and one idiosyncratic normal per buyer)."""
    struct = build_structure(book, corr)
    rng = np.random.default_rng(seed)
    t = special.ndtri(np.clip(book.pd, 1e-12, 1 - 1e-12))
    load = struct.loadings[struct.cell_of]                  # buyers × factors
    idio = np.sqrt(1.0 - struct.r[struct.cell_of])
    w = book.loss_at_default
    out = np.empty(scenarios)
    for lo in range(0, scenarios, block):
        n = min(block, scenarios - lo)
        z = rng.standard_normal((n, struct.factors))
        assets = z @ load.T + idio * rng.standard_normal((n, len(book)))
        out[lo:lo + n] = (assets < t) @ w
    return out


def tail_of(losses: np.ndarray, alpha: float) -> tuple[float, float]:
    """Empirical VaR and ES at alpha."""
    var = float(np.quantile(losses, alpha))
    tail = losses[losses >= var]
    return var, float(tail.mean()) if tail.size else var
