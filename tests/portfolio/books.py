"""Small books written the way a credit manager would describe them."""

from __future__ import annotations

import numpy as np

from arguard.portfolio.model import Book


def homogeneous(n: int, pd: float, ead: float = 1000.0, lgd: float = 1.0) -> Book:
    """n equal buyers in one country and sector."""
    return Book(np.array([f"B{i:06d}" for i in range(n)], dtype=object), np.full(n, pd), np.full(n, ead),
                np.full(n, lgd), np.full(n, "DE", dtype=object), np.full(n, "C25", dtype=object))


def mixed(n: int, seed: int, countries: int = 4, sectors: int = 3) -> Book:
    """n buyers with lognormal PDs and exposures across a few countries and sectors."""
    rng = np.random.default_rng(seed)
    codes = np.array(["DE", "FR", "CN", "BR", "US", "IT"][:countries], dtype=object)
    secs = np.array(["C25", "G46", "F41", "A01"][:sectors], dtype=object)
    return Book(np.array([f"B{i:05d}" for i in range(n)], dtype=object),
                np.clip(np.exp(rng.normal(np.log(0.015), 0.8, n)), 1e-4, 0.4),
                rng.lognormal(9, 1.0, n), np.full(n, 0.45), codes[rng.integers(0, countries, n)],
                secs[rng.integers(0, sectors, n)])
