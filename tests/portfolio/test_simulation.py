"""The Monte Carlo: reproducible by seed, right against brute force, contributions add up."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arguard.portfolio.model import Book, Correlation, SimulationSettings
from arguard.portfolio.naive import brute_force_losses, tail_of
from arguard.portfolio.simulation import simulate
from tests.portfolio.books import homogeneous, mixed

QUICK = SimulationSettings(seed=5, min_scenarios=32_768, chunk=2_048, max_scenarios=131_072)


def test_same_seed_same_answer_other_seed_other_answer() -> None:
    book, corr = mixed(3_000, seed=1), Correlation()
    first, again = simulate(book, corr, QUICK), simulate(book, corr, QUICK)
    other = simulate(book, corr, SimulationSettings(seed=6, min_scenarios=32_768, chunk=2_048,
                                                     max_scenarios=131_072))
    print("seeds", QUICK.seed, 6)
    assert first.tail == again.tail and first.contributions == again.contributions
    assert first.tail.var[0.999] != other.tail.var[0.999]
    assert first.tail.var[0.999] == pytest.approx(other.tail.var[0.999], rel=0.05)


def test_concentrated_book_agrees_with_brute_force() -> None:
    # 400 small buyers and three large ones (12 %, 8 % and 5 % of the book), two countries, two sectors:
    # the large ones are drawn one by one, the rest through their conditional moments
    small = mixed(400, seed=3, countries=2, sectors=2)
    total = float(small.loss_at_default.sum())
    big = Book.of([("BIG1", 0.02, total * 0.16 / 0.45, 0.45, "DE", "C25"),
                   ("BIG2", 0.01, total * 0.11 / 0.45, 0.45, "FR", "G46"),
                   ("BIG3", 0.05, total * 0.07 / 0.45, 0.45, "DE", "G46")])
    ids, pd, ead, lgd, country, sector = (np.concatenate([getattr(small, f), getattr(big, f)])
                                          for f in ("ids", "pd", "ead", "lgd", "country", "sector"))
    book = Book(ids, pd, ead, lgd, country, sector)
    corr = Correlation(0.12, 0.06, 0.06)
    fast = simulate(book, corr, SimulationSettings(seed=9))
    assert fast.extra["large_buyers"] >= 3
    losses = brute_force_losses(book, corr, 400_000, seed=9, block=4_000)
    print("seed 9")
    for a in (0.99, 0.995):
        var, es = tail_of(losses, a)
        assert fast.tail.var[a] == pytest.approx(var, rel=0.05)
        assert fast.tail.es[a] == pytest.approx(es, rel=0.05)
    assert fast.contributions["buyer"]["BIG1"] > fast.contributions["buyer"]["BIG3"]


def test_contributions_add_up_to_the_expected_shortfall() -> None:
    book = mixed(5_000, seed=2)
    dist = simulate(book, Correlation(), QUICK)
    es = dist.tail.es[0.999]
    for kind in ("country", "sector"):
        assert sum(dist.contributions[kind].values()) == pytest.approx(es, rel=1e-9)
        assert all(v >= 0 for v in dist.contributions[kind].values())
    assert 0 < len(dist.contributions["buyer"]) <= 25


def test_a_country_with_more_correlation_carries_more_of_the_tail() -> None:
    book = mixed(6_000, seed=4, countries=2, sectors=1)          # DE and FR, same size on average
    calm = simulate(book, Correlation(0.10, 0.05, 0.0), QUICK).contributions["country"]
    hot = simulate(book, Correlation(0.10, 0.05, 0.0, country_rho={"FR": 0.25}), QUICK).contributions["country"]
    assert hot["FR"] / hot["DE"] > calm["FR"] / calm["DE"]


def test_independent_defaults_need_no_factor() -> None:
    dist = simulate(homogeneous(20_000, 0.02), Correlation(0.0, 0.0, 0.0), QUICK)
    # sum of 20,000 Bernoulli(2 %) × 1000: mean 400,000, sd ≈ 19,799; 99.9 % ≈ mean + 3.09 sd
    assert dist.tail.var[0.999] == pytest.approx(400_000 + 3.09 * 19_799, rel=0.01)


def test_empty_book() -> None:
    dist = simulate(Book.of([]), Correlation())
    assert dist.buyers == 0 and dist.tail.var[0.999] == 0


@settings(max_examples=8, deadline=None)
@given(pd=st.floats(0.001, 0.2), rho=st.floats(0.0, 0.5), n=st.integers(50, 400))
def test_tail_measures_are_ordered(pd: float, rho: float, n: int) -> None:
    dist = simulate(homogeneous(n, pd), Correlation.one_factor(rho),
                    SimulationSettings(seed=1, min_scenarios=8_192, chunk=1_024, max_scenarios=8_192,
                                       contributions=False))
    levels = sorted(dist.tail.var)
    vars_ = [dist.tail.var[a] for a in levels]
    assert vars_ == sorted(vars_)
    for a in levels:
        assert dist.tail.es[a] >= dist.tail.var[a] - 1e-6
        assert dist.tail.var[a] <= n * 1000 + 1e-6
