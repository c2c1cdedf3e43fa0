"""Tail measures of a loss distribution given as a weighted mixture of conditional distributions.

Each scenario s carries an importance weight ω_s (likelihood ratio of the factor draw), the loss of
the buyers drawn one by one plus the granular part's conditional mean (m_s), and the granular part's
conditional standard deviation (σ_s). Given the scenario the loss is m_s + σ_s·Z, so
    P(L > x) ≈ (1/S) Σ ω_s Φ̄((x − m_s)/σ_s),
    ES_α = VaR_α + (1/(1−α)) (1/S) Σ ω_s [(m_s − VaR_α) Φ̄(d_s) + σ_s φ(d_s)].
Smoothing by the conditional distribution removes the idiosyncratic noise from the estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

SD_FLOOR = 1e-9


@dataclass(frozen=True, eq=False)
class Scenarios:
    """Per scenario: log importance weight, conditional mean loss, conditional standard deviation."""

    logw: np.ndarray
    mean: np.ndarray
    sd: np.ndarray

    @classmethod
    def concat(cls, parts: list[Scenarios]) -> Scenarios:
        return cls(np.concatenate([p.logw for p in parts]), np.concatenate([p.mean for p in parts]),
                   np.concatenate([p.sd for p in parts]))

    def __len__(self) -> int:
        return int(self.mean.size)


def _sd(sc: Scenarios) -> np.ndarray:
    scale = max(float(np.max(sc.mean, initial=0.0)), 1.0)
    return np.maximum(sc.sd, SD_FLOOR * scale)


def exceedance(sc: Scenarios, x: float) -> float:
    """P(L > x)."""
    return float(np.mean(np.exp(sc.logw) * special.ndtr((sc.mean - x) / _sd(sc))))


def value_at_risk(sc: Scenarios, alpha: float) -> float:
    tail = 1.0 - alpha
    if exceedance(sc, 0.0) <= tail:
        return 0.0
    hi = float(np.max(sc.mean + 12 * _sd(sc)))
    return float(optimize.brentq(lambda x: exceedance(sc, x) - tail, 0.0, hi, xtol=1e-10 * max(hi, 1.0),
                                 rtol=1e-12))


def expected_shortfall(sc: Scenarios, alpha: float, var: float) -> float:
    sd = _sd(sc)
    d = (var - sc.mean) / sd
    excess = (sc.mean - var) * special.ndtr(-d) + sd * np.exp(-0.5 * d * d) / np.sqrt(2 * np.pi)
    return float(var + np.mean(np.exp(sc.logw) * excess) / (1.0 - alpha))


def var_es(sc: Scenarios, alpha: float) -> tuple[float, float]:
    var = value_at_risk(sc, alpha)
    return var, expected_shortfall(sc, alpha, var)


def batch_rel_se(batches: list[Scenarios], alpha: float, var: float, es: float) -> float:
    """Relative standard error of the VaR and ES at `alpha` by batch means (the larger of the two)."""
    if len(batches) < 2 or var <= 0:
        return 0.0
    values = np.array([var_es(b, alpha) for b in batches])
    se = values.std(axis=0, ddof=1) / np.sqrt(len(batches))
    return float(max(se[0] / var, se[1] / max(es, 1e-300)))


def histogram(sc: Scenarios, upper: float, bins: int = 60) -> tuple[tuple[float, float], ...]:
    """(bin start, probability) over [0, upper]; the last bin holds everything above."""
    edges = np.linspace(0.0, upper, bins + 1)
    sd = _sd(sc)
    w = np.exp(sc.logw)
    # Self-normalised weights: the importance weights average 1 only in expectation, and an unnormalised
    # cumulative left that sampling error (several per cent of the mass) in the last, "everything
    # above" bin, drawn as a tail spike that is not there. The VaR and ES keep the unbiased estimator.
    w = w / w.mean()
    cdf = [float(np.mean(w * special.ndtr((e - sc.mean) / sd))) for e in edges[1:-1]]
    cum = np.array([0.0, *cdf, 1.0])
    probs = np.clip(np.diff(cum), 0.0, 1.0)
    return tuple((float(e), float(p)) for e, p in zip(edges[:-1], probs, strict=True))


def plain_mc_scenarios(sc: Scenarios, alpha: float, var: float, es: float, target: float) -> int:
    """Scenarios plain Monte Carlo (no importance sampling, no conditional smoothing) would need for
    relative standard error `target` of both the VaR and the ES at `alpha`:
    n = max(α(1−α) / (ε·VaR·f(VaR))², (Var(L | L > VaR) + α(ES − VaR)²) / ((1−α)(ε·ES)²)),
    with the density f and the tail variance read from this distribution."""
    if var <= 0 or es <= 0:
        return 0
    w, sd = np.exp(sc.logw), _sd(sc)
    d = (var - sc.mean) / sd
    phi = np.exp(-0.5 * d * d) / np.sqrt(2 * np.pi)
    density = float(np.mean(w * phi / sd))
    m = sc.mean - var
    second = float(np.mean(w * ((m * m + sd * sd) * special.ndtr(-d) + m * sd * phi))) / (1 - alpha)
    tail_var = max(second - (es - var) ** 2, 0.0)
    n_var = alpha * (1 - alpha) / (target * var * density) ** 2 if density > 0 else float("inf")
    n_es = (tail_var + alpha * (es - var) ** 2) / ((1 - alpha) * (target * es) ** 2)
    return int(min(max(n_var, n_es), 1e15))
