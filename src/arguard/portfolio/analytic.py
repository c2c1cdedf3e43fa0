"""Closed-form answers, used as checks of the simulation and as fast answers.

- Vasicek (one factor, asymptotic): an infinitely granular book on one factor with asset correlation
  ρ loses ℓ(Y) = Σ w_i Φ((Φ⁻¹(PD_i) − √ρ·Y)/√(1−ρ)); its α-quantile is ℓ(Φ⁻¹(1−α)), its ES the mean
  of ℓ(Y) over Y ≤ Φ⁻¹(1−α).
- CreditRisk+ (one gamma sector of variance σ², a share θ of each PD on it, the rest idiosyncratic):
  the probability generating function
      G(z) = exp((1−θ) Σ p_i (z^ν_i − 1)) · (1 − σ² θ Σ p_i (z^ν_i − 1))^(−1/σ²)
  over exposure bands ν_i = round(w_i / u) (PDs scaled by w_i / (ν_i·u) to keep each expected
  loss) is evaluated at the M-th roots of unity and inverted by
  FFT (the Panjer recursion gives the same numbers, M² times slower).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special, stats

from arguard.portfolio.model import LEVELS, Book, LossDistribution, TailMeasures


def vasicek(book: Book, rho: float, levels: Sequence[float] = LEVELS) -> LossDistribution:
    """Asymptotic one-factor VaR and ES (heterogeneous PDs and exposures allowed)."""
    w = book.loss_at_default
    t = special.ndtri(np.clip(book.pd, 1e-12, 1 - 1e-12))
    var, es = {}, {}
    nodes, weights = np.polynomial.legendre.leggauss(96)
    for a in levels:
        y_a = float(special.ndtri(1 - a))
        var[a] = float(_vasicek_loss(w, t, rho, np.array([y_a]))[0])
        # E[ℓ(Y) | Y ≤ y_a]: integrate over u = Φ(Y) in (0, 1 − α), densely near 0 (u = (1−α)·v²)
        v = 0.5 * (nodes + 1.0)
        u = (1 - a) * v * v
        ys = special.ndtri(u)
        es[a] = float(np.sum(0.5 * weights * 2 * v * _vasicek_loss(w, t, rho, ys)))
    return LossDistribution("Vasicek asymptotic one-factor (closed form)", len(book), 0, None,
                            book.expected_loss, TailMeasures(var, es), {max(levels): 0.0}, book.currency,
                            extra={"rho": rho})


def _vasicek_loss(w: np.ndarray, t: np.ndarray, rho: float, ys: np.ndarray) -> np.ndarray:
    out = np.zeros(ys.size)
    for lo in range(0, w.size, 16384):
        p = special.ndtr((t[lo:lo + 16384, None] - np.sqrt(rho) * ys[None, :]) / np.sqrt(1 - rho))
        out += w[lo:lo + 16384] @ p
    return out


def gamma_variance_for(pd: float, rho: float) -> float:
    """σ² of the CreditRisk+ sector that gives the default-rate variance of a one-factor Gaussian
    copula with asset correlation ρ at mean PD `pd`: (Φ₂(t, t; ρ) − pd²) / pd²."""
    if rho <= 0 or pd <= 0:
        return 1e-9
    t = float(special.ndtri(pd))
    joint = float(stats.multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, rho], [rho, 1.0]]).cdf([t, t]))
    return max((joint - pd * pd) / (pd * pd), 1e-9)


def creditriskplus(book: Book, variance: float, systematic_share: float = 1.0,
                   levels: Sequence[float] = LEVELS, points: int = 1 << 20) -> LossDistribution:
    """CreditRisk+ loss distribution by FFT; `variance` is σ² of the gamma sector."""
    w, p = book.loss_at_default, np.clip(book.pd, 0.0, 1.0)
    mean = float(w @ p)
    sd = float(np.sqrt(w * w @ p + variance * (systematic_share * mean) ** 2))
    upper = mean + 20 * sd + float(w.max(initial=0.0))
    unit = upper / (points // 2) if upper > 0 else 1.0
    bands = np.maximum(np.rint(w / unit).astype(np.int64), 1)
    p = p * w / (bands * unit)                    # keep each buyer's expected loss through the banding
    a = np.bincount(bands, weights=p, minlength=points)[:points]
    q = np.fft.fft(a) - p.sum()                   # Σ p_i (z^ν_i − 1) at the roots of unity
    log_g = (1 - systematic_share) * q
    if systematic_share > 0:
        log_g = log_g - np.log(1 - variance * systematic_share * q) / variance
    g = np.clip(np.real(np.fft.ifft(np.exp(log_g))), 0.0, None)
    g /= g.sum()
    var, es = {}, {}
    cdf = np.cumsum(g)
    losses = np.arange(points) * unit
    for alpha in levels:
        k = int(np.searchsorted(cdf, alpha))
        var[alpha] = float(losses[k])
        beyond = float(g[k + 1:] @ losses[k + 1:])
        es[alpha] = float((beyond + losses[k] * (cdf[k] - alpha)) / (1 - alpha))
    return LossDistribution("CreditRisk+ (one gamma sector, FFT)", len(book), 0, None, mean,
                            TailMeasures(var, es), {max(levels): 0.0}, book.currency,
                            extra={"variance": variance, "systematic_share": systematic_share,
                                   "unit": unit})
