"""Monte Carlo of the book's loss: factor scenarios, importance sampling toward the tail, conditional
independence for the granular buyers, one-by-one defaults for the large ones.

A unit of work is a *chunk* of scenarios drawn from its own seeded stream (SeedSequence(seed,
spawn_key=(purpose, index))), so a chunk gives the same numbers in this process or on a Dask worker
and the answer depends only on the seed. `Mapper` runs the chunks: in-process by default,
`arguard.portfolio.scaleout.dask_mapper` on a cluster.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from arguard.portfolio.conditional import (
    GRID_HI,
    GRID_LO,
    GRID_STEP,
    Prepared,
    conditional_pd,
    read_tables,
)
from arguard.portfolio.measures import SD_FLOOR, Scenarios, batch_rel_se, var_es

MAIN, PILOT1, PILOT2 = 0, 1, 2
Mapper = Callable[[Callable[..., Any], Prepared, Sequence[tuple[Any, ...]]], list[Any]]


def in_process(fn: Callable[..., Any], prep: Prepared, calls: Sequence[tuple[Any, ...]]) -> list[Any]:
    return [fn(prep, *call) for call in calls]


def _rng(seed: int, purpose: int, index: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(purpose, index))))


@dataclass(frozen=True, eq=False)
class _Draw:
    x: np.ndarray
    logw: np.ndarray
    y: np.ndarray
    granular_mean: np.ndarray
    granular_sd: np.ndarray
    defaults: np.ndarray          # scenarios × large buyers: default indicator (gaussian) or count (gamma)

    def scenarios(self, prep: Prepared) -> Scenarios:
        return Scenarios(self.logw, self.granular_mean + self.defaults @ prep.big_w, self.granular_sd)


def _factors(rng: np.random.Generator, prep: Prepared, shift: np.ndarray,
             size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = rng.standard_normal((size, prep.factors)) + shift
    logw = 0.5 * float(shift @ shift) - x @ shift
    return x, logw, (x @ prep.loadings.T) / prep.sqrt_r


def _defaults(rng: np.random.Generator, prep: Prepared, y: np.ndarray) -> np.ndarray:
    p = conditional_pd(prep.model, prep.big_t[None, :], y[:, prep.big_cell], prep.r[prep.big_cell][None, :],
                       prep.gamma_shape)
    if prep.model == "gamma":
        return rng.poisson(p).astype(float)
    return (rng.random(p.shape) < p).astype(float)


def _draw(prep: Prepared, shift: np.ndarray, seed: int, purpose: int, index: int, size: int) -> _Draw:
    rng = _rng(seed, purpose, index)
    x, logw, y = _factors(rng, prep, shift, size)
    mean, var = read_tables((prep.logf1, prep.logf2), y)
    return _Draw(x, logw, y, mean, np.sqrt(var), _defaults(rng, prep, y))


def run_chunk(prep: Prepared, shift: np.ndarray, seed: int, index: int, size: int) -> Scenarios:
    """One chunk of the main run: its scenarios' weights and conditional loss moments."""
    return _draw(prep, shift, seed, MAIN, index, size).scenarios(prep)


@dataclass(frozen=True, eq=False)
class TailShares:
    """One chunk's part of E[loss of a buyer · 1{L > x}]: granular buyers through the grid of their
    cell's factor (a: weight of the conditional mean, b: of the covariance term), large buyers directly."""

    a: np.ndarray
    b: np.ndarray
    big: np.ndarray


def tail_chunk(prep: Prepared, shift: np.ndarray, seed: int, index: int, size: int, x: float,
               sc: Scenarios) -> TailShares:
    """Re-draw chunk `index`'s factors and large defaults (same stream; its moments `sc` come from the
    main run) and gather each buyer's share of the loss beyond x."""
    rng = _rng(seed, MAIN, index)
    _, _, y = _factors(rng, prep, shift, size)
    defaults = _defaults(rng, prep, y)
    sd = np.maximum(sc.sd, SD_FLOOR * max(float(np.max(sc.mean, initial=0.0)), 1.0))
    d = (x - sc.mean) / sd
    w = np.exp(sc.logw)
    over = w * 0.5 * _erfc(d / math.sqrt(2.0))
    density = w * np.exp(-0.5 * d * d) / (math.sqrt(2 * np.pi) * sd)
    keep = (over > 1e-14 * over.max(initial=0.0)) | (density > 1e-14 * density.max(initial=0.0))
    y, over, density, defaults = y[keep], over[keep], density[keep], defaults[keep]
    cells, points = prep.logf1.shape
    pos = (np.clip(y, GRID_LO, GRID_HI) - GRID_LO) / GRID_STEP
    i0 = np.minimum(pos.astype(np.int64), points - 2)
    frac = pos - i0
    flat = i0 + (np.arange(cells) * points)[None, :]
    a = np.zeros(cells * points)
    b = np.zeros(cells * points)
    for target, weight in ((a, over), (b, density)):
        target += np.bincount(flat.ravel(), (weight[:, None] * (1 - frac)).ravel(), minlength=a.size)
        target += np.bincount((flat + 1).ravel(), (weight[:, None] * frac).ravel(), minlength=a.size)
    return TailShares(a.reshape(cells, points), b.reshape(cells, points), over @ defaults)


def _erfc(z: np.ndarray) -> np.ndarray:
    from scipy import special

    return np.asarray(special.erfc(z))


def cross_entropy_shift(prep: Prepared, seed: int, alpha: float = 0.999, size: int = 8_192) -> np.ndarray:
    """Mean of the factor draws toward the tail, by two rounds of the cross-entropy method: the factors'
    average over the worst 1 % of plain draws, then their weighted average over the scenarios beyond
    the estimated 99.9 % loss drawn around that point."""
    first = _draw(prep, np.zeros(prep.factors), seed, PILOT1, 0, size)
    loss = first.scenarios(prep).mean
    worst = loss >= np.quantile(loss, 0.99)
    shift = first.x[worst].mean(axis=0)
    second = _draw(prep, shift, seed, PILOT2, 0, size)
    loss = second.scenarios(prep).mean
    w = np.exp(second.logw)
    order = np.argsort(-loss)
    tail = np.cumsum(w[order]) / size <= (1 - alpha)
    picked = order[: max(int(tail.sum()), 16)]
    return np.asarray((w[picked, None] * second.x[picked]).sum(axis=0) / w[picked].sum())


@dataclass(frozen=True, eq=False)
class Run:
    """The main run: its chunks (each one batch of the batch means), shift, and VaR/ES per level."""

    chunks: list[Scenarios]
    shift: np.ndarray
    measures: dict[float, tuple[float, float]]
    rel_se: float

    @property
    def scenarios(self) -> int:
        return sum(len(c) for c in self.chunks)


def run(prep: Prepared, seed: int, levels: Sequence[float], *, target_rel_se: float, min_scenarios: int,
        max_scenarios: int, chunk: int, importance_sampling: bool = True,
        mapper: Mapper = in_process) -> Run:
    """Draw chunks until the VaR and ES at the highest level are known to `target_rel_se`."""
    shift = cross_entropy_shift(prep, seed, max(levels)) if importance_sampling else np.zeros(prep.factors)
    chunks: list[Scenarios] = []
    wanted = max(math.ceil(min_scenarios / chunk), 16)
    top = max(levels)
    while True:
        calls = [(shift, seed, i, chunk) for i in range(len(chunks), wanted)]
        chunks += mapper(run_chunk, prep, calls)
        whole = Scenarios.concat(chunks)
        var, es = var_es(whole, top)
        rel = batch_rel_se(_batches(chunks), top, var, es)
        if rel <= target_rel_se or len(chunks) * chunk >= max_scenarios:
            break
        need = len(chunks) * (rel / target_rel_se) ** 2 * 1.15
        wanted = min(max(math.ceil(need), len(chunks) + 1), math.ceil(max_scenarios / chunk))
    measures = {a: var_es(whole, a) for a in levels}
    return Run(chunks, shift, measures, rel)


def _batches(chunks: list[Scenarios], most: int = 64) -> list[Scenarios]:
    """Chunks grouped into at most `most` batches of equal count (batch means want few, large ones)."""
    per = max(1, math.ceil(len(chunks) / most))
    return [Scenarios.concat(chunks[i:i + per]) for i in range(0, len(chunks), per)]
