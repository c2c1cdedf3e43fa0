"""One function from a book to its loss distribution: structure → tables → tail-seeking Monte Carlo →
VaR/ES → ES contributions per buyer, country and sector."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from arguard.portfolio.conditional import (
    Prepared,
    conditional_pd,
    grid,
    prepare,
    thresholds,
    variance_factor,
)
from arguard.portfolio.factors import build_structure
from arguard.portfolio.measures import Scenarios, histogram, plain_mc_scenarios
from arguard.portfolio.model import (
    LEVELS,
    Book,
    Correlation,
    LossDistribution,
    SimulationSettings,
    TailMeasures,
)
from arguard.portfolio.montecarlo import Mapper, Run, TailShares, in_process, run, tail_chunk

DEFAULT_SETTINGS = SimulationSettings()
SMALL_BOOK, SMALL_BOOK_SCENARIOS = 500, 262_144


def simulate(book: Book, corr: Correlation, settings: SimulationSettings = DEFAULT_SETTINGS, *,
             mapper: Mapper = in_process, model: str = "gaussian", gamma_variance: float = 1.0,
             levels: Sequence[float] = LEVELS) -> LossDistribution:
    """The book's 12-month loss distribution by Monte Carlo (see README rules 1–6)."""
    if len(book) == 0:
        zero = {a: 0.0 for a in levels}
        return LossDistribution("empty book", 0, 0, settings.seed, 0.0, TailMeasures(zero, zero),
                                {max(levels): 0.0}, book.currency)
    struct = build_structure(book, corr)
    w = book.loss_at_default
    prep = prepare(struct, book.pd, w, settings.granular_share, model, gamma_variance)
    # a book of few buyers has a lumpy loss (atoms at sums of single defaults): its quantiles do not
    # settle to a relative error, so more scenarios than this only cost time
    most = settings.max_scenarios if len(book) > SMALL_BOOK else min(settings.max_scenarios, SMALL_BOOK_SCENARIOS)
    result = run(prep, settings.seed, levels, target_rel_se=settings.target_rel_se,
                 min_scenarios=min(settings.min_scenarios, most), max_scenarios=most,
                 chunk=settings.chunk, importance_sampling=settings.importance_sampling, mapper=mapper)
    top = max(levels)
    var = {a: result.measures[a][0] for a in levels}
    es = {a: result.measures[a][1] for a in levels}
    contributions = {}
    if settings.contributions:
        per_buyer = es_contributions(prep, book, struct.cell_of, result, settings, var[top], es[top], mapper)
        contributions = group_contributions(book, per_buyer)
    whole = Scenarios.concat(result.chunks)
    name = ("CreditRisk+ (gamma-Poisson) Monte Carlo" if model == "gamma" else
            ("one-factor" if struct.factors == 1 else f"{struct.factors}-factor") + " Gaussian copula")
    method = (f"{name}, conditional independence"
              + (", importance sampling (cross-entropy shift)" if settings.importance_sampling else ""))
    extra = {"factors": struct.factors, "cells": struct.cells, "large_buyers": int(prep.big_index.size),
             "shift_norm": float(np.linalg.norm(result.shift)),
             "plain_mc_scenarios": plain_mc_scenarios(whole, top, var[top], es[top], settings.target_rel_se)}
    return LossDistribution(method, len(book), result.scenarios, settings.seed, book.expected_loss,
                            TailMeasures(var, es), {top: result.rel_se}, book.currency, contributions,
                            histogram(whole, es[top] * 1.25), extra)


def es_contributions(prep: Prepared, book: Book, cell_of: np.ndarray, result: Run, settings: SimulationSettings,
                     var: float, es: float, mapper: Mapper) -> np.ndarray:
    """Each buyer's share of the expected shortfall: E[L_i · 1{L > VaR}] / P(L > VaR), scaled to sum to
    the ES. Granular buyers: w·p_i(y)·P(L>x|y) + w²·Var-factor·density (the covariance of the buyer
    with the tail event under the conditional normal law); large buyers: their drawn defaults."""
    calls = [(result.shift, settings.seed, i, settings.chunk, var, sc) for i, sc in enumerate(result.chunks)]
    parts: list[TailShares] = mapper(tail_chunk, prep, calls)
    a = np.sum([p.a for p in parts], axis=0)
    b = np.sum([p.b for p in parts], axis=0)
    big = np.sum([p.big for p in parts], axis=0)
    w = book.loss_at_default
    out = np.zeros(len(book))
    granular = np.ones(len(book), bool)
    granular[prep.big_index] = False
    idx = np.flatnonzero(granular)
    ys = grid()
    used = np.flatnonzero((np.abs(a).sum(axis=0) + np.abs(b).sum(axis=0)) > 0)
    t = thresholds(prep.model, book.pd)
    for lo in range(0, idx.size, 8192):
        sel = idx[lo:lo + 8192]
        cells = cell_of[sel]
        p = conditional_pd(prep.model, t[sel][:, None], ys[used][None, :], prep.r[cells][:, None],
                           prep.gamma_shape)
        first = np.einsum("ij,ij->i", p, a[cells][:, used])
        second = np.einsum("ij,ij->i", variance_factor(prep.model, p), b[cells][:, used])
        out[sel] = w[sel] * first + w[sel] ** 2 * second
    out[prep.big_index] = prep.big_w * np.asarray(big)
    total = float(out.sum())
    return out * (es / total) if total > 0 else out


def group_contributions(book: Book, per_buyer: np.ndarray, top: int = 25) -> dict[str, dict[str, float]]:
    """ES contributions by country and sector (all) and by buyer (the `top` largest)."""
    by: dict[str, dict[str, float]] = {}
    for name, keys in (("country", book.country), ("sector", book.sector)):
        sums: dict[str, float] = defaultdict(float)
        for key, value in zip(keys, per_buyer, strict=True):
            sums[str(key)] += float(value)
        by[name] = dict(sorted(sums.items(), key=lambda kv: -kv[1]))
    order = np.argsort(-per_buyer)[:top]
    by["buyer"] = {str(book.ids[i]): float(per_buyer[i]) for i in order}
    return by
