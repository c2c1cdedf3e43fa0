"""The simulation against the closed forms on books where those are exact."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from arguard.portfolio.analytic import creditriskplus, gamma_variance_for, vasicek
from arguard.portfolio.model import LEVELS, Correlation, SimulationSettings
from arguard.portfolio.simulation import simulate
from tests.portfolio.books import homogeneous

FAST = SimulationSettings(seed=11, contributions=False)


def test_vasicek_es_equals_the_bivariate_normal_formula() -> None:
    # ES of a homogeneous asymptotic book: N·w·Φ₂(Φ⁻¹(PD), Φ⁻¹(1−α); √ρ) / (1−α)
    book, rho, pd = homogeneous(1000, 0.02, ead=1.0), 0.15, 0.02
    closed = vasicek(book, rho)
    for a in LEVELS:
        joint = stats.multivariate_normal(mean=[0, 0], cov=[[1, np.sqrt(rho)], [np.sqrt(rho), 1]]).cdf(
            [special.ndtri(pd), special.ndtri(1 - a)])
        assert closed.tail.es[a] == pytest.approx(1000 * joint / (1 - a), rel=1e-4)
        assert closed.tail.var[a] == pytest.approx(
            1000 * special.ndtr((special.ndtri(pd) + np.sqrt(rho) * special.ndtri(a)) / np.sqrt(1 - rho)))


def test_large_homogeneous_book_simulates_to_vasicek_within_two_percent() -> None:
    book, rho = homogeneous(60_000, 0.01), 0.20
    sim, closed = simulate(book, Correlation.one_factor(rho), FAST), vasicek(book, rho)
    print("seed", FAST.seed)
    assert sim.rel_se[0.999] <= 0.01
    for a in LEVELS:
        assert sim.tail.var[a] == pytest.approx(closed.tail.var[a], rel=0.02)
        assert sim.tail.es[a] == pytest.approx(closed.tail.es[a], rel=0.02)
    assert sim.expected_loss == pytest.approx(book.expected_loss)


def test_creditriskplus_of_a_large_book_is_the_gamma_quantile_of_its_expected_loss() -> None:
    # 50,000 buyers at 1 %: the loss is EL × S with S ~ Gamma(mean 1, variance σ²) up to Poisson noise
    book, variance = homogeneous(50_000, 0.01, ead=1.0), 0.8
    crp = creditriskplus(book, variance)
    shape = 1 / variance
    for a in LEVELS:
        assert crp.tail.var[a] == pytest.approx(stats.gamma.ppf(a, shape, scale=500 / shape), rel=0.01)


def test_simulated_creditriskplus_model_matches_the_fft_within_two_percent() -> None:
    book = homogeneous(40_000, 0.015, ead=250.0, lgd=0.6)
    variance = gamma_variance_for(0.015, 0.12)
    sim = simulate(book, Correlation.one_factor(0.12), FAST, model="gamma", gamma_variance=variance)
    crp = creditriskplus(book, variance)
    for a in LEVELS:
        assert sim.tail.var[a] == pytest.approx(crp.tail.var[a], rel=0.02)
        assert sim.tail.es[a] == pytest.approx(crp.tail.es[a], rel=0.02)


def test_creditriskplus_with_a_small_book_counts_whole_defaults() -> None:
    # three buyers of 100 at 10 % without correlation: P(loss = 0) = e^(−0.3) under Poisson
    book = homogeneous(3, 0.10, ead=100.0)
    crp = creditriskplus(book, 1e-9, systematic_share=0.0, levels=(0.5, 0.99))
    assert crp.tail.var[0.5] == 0.0            # e^(−0.3) = 0.74 > 0.5
    assert crp.tail.var[0.99] == pytest.approx(200.0, rel=0.01)
