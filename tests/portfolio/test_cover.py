"""What a policy does to the loss distribution: full cover, first loss, maximum liability, key buyers."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from arguard.portfolio.cover import Cover, claimable, cover_from_terms, insurance_value, standard_structures
from arguard.portfolio.model import Book, Correlation, SimulationSettings
from tests.portfolio.books import mixed

RUN = SimulationSettings(seed=21, min_scenarios=32_768, chunk=4_096)
BOOK = mixed(2_000, seed=5)
FULL = Cover("full", indemnity=1.0, max_liability_multiple=None, premium_rate=0.001)


def value_of(*covers: Cover) -> dict[str, object]:
    iv = insurance_value(BOOK, Correlation(), covers, BOOK.ead * 6, RUN)
    print("seed", RUN.seed)
    return {"gross": iv.gross, **{c.name: c for c in iv.covers}, "_": iv}


def test_full_cover_leaves_nothing_but_the_premium() -> None:
    out = value_of(FULL)
    full, gross = out["full"], out["gross"]
    assert full.var[0.999] == pytest.approx(0.0, abs=1e-6)          # type: ignore[attr-defined]
    assert full.el_saved == pytest.approx(gross.expected_loss, rel=0.02)  # type: ignore[attr-defined]
    assert full.premium == pytest.approx(0.001 * float(BOOK.ead.sum()) * 6)  # type: ignore[attr-defined]


def test_first_loss_and_maximum_liability_bound_what_the_seller_keeps() -> None:
    gross_var = value_of(FULL)["gross"].var[0.999]  # type: ignore[attr-defined]
    afl, cap = gross_var * 0.2, gross_var * 0.5
    out = value_of(Cover("afl", indemnity=1.0, aggregate_first_loss=afl, max_liability_multiple=None),
                   Cover("cap", indemnity=1.0, max_liability=cap))
    assert out["afl"].var[0.999] == pytest.approx(afl, rel=1e-6)          # type: ignore[attr-defined]
    assert out["cap"].var[0.999] == pytest.approx(gross_var - cap, rel=0.03)  # type: ignore[attr-defined]


def test_key_buyers_only_cover_their_own_losses() -> None:
    book = Book.of([("A", 0.05, 1000.0, 0.5, "DE", "C25"), ("B", 0.05, 3000.0, 0.5, "DE", "C25")])
    base = claimable(book, Cover("k", deductible_per_claim=100.0, key_buyers=frozenset({"B"})))
    assert base.tolist() == [0.0, 1400.0]
    limited = claimable(book, Cover("l", limits={"A": 400.0}))
    assert limited.tolist() == [200.0, 1500.0]


def test_structures_compared_around_a_policy_and_priced_at_its_loss_ratio() -> None:
    quote = Cover("quote", indemnity=0.9, aggregate_first_loss=10_000.0, premium_rate=0.002)
    covers = standard_structures(BOOK, quote, key_count=10)
    names = [c.name for c in covers]
    assert names[0] == "quote" and "indemnity 80%" in names and "first loss 0" in names
    assert any(n.startswith("key buyers") for n in names)
    out = value_of(*covers)
    results = {c.name: c for c in out["_"].covers}  # type: ignore[attr-defined]
    assert results["indemnity 95%"].premium > results["quote"].premium > results["indemnity 80%"].premium
    assert results["indemnity 95%"].var[0.999] < results["indemnity 80%"].var[0.999]
    iv = out["_"]
    if iv.recommended is not None:  # type: ignore[attr-defined]
        assert results[iv.recommended].value == max(r.value for r in results.values())  # type: ignore[attr-defined]


def test_policy_terms_as_the_insurance_policy_file_writes_them() -> None:
    terms = yaml.safe_load(
        "policy_number: CTR-1\nindemnity_pct: {commercial: 90, political: 85}\ndeductible_per_claim: 0\n"
        "aggregate_first_loss: 1000\nmax_liability: {multiple_of_premium: 30}\n"
        "premium: {rate_pct: 0.2, minimum: 1000, declaration: monthly}\n")
    cover = cover_from_terms(terms)
    assert (cover.indemnity, cover.aggregate_first_loss, cover.max_liability_multiple) == (0.9, 1000.0, 30.0)
    assert cover.premium_rate == pytest.approx(0.002) and cover.premium(100_000) == 1000.0
    assert cover.liability(2000.0) == 60_000.0


@settings(max_examples=10, deadline=None)
@given(indemnity=st.floats(0.0, 1.0), afl_share=st.floats(0.0, 2.0), cap_share=st.floats(0.0, 3.0),
       deductible=st.floats(0.0, 5_000.0))
def test_a_policy_never_adds_to_the_loss_nor_pays_beyond_its_terms(indemnity: float, afl_share: float,
                                                                    cap_share: float, deductible: float) -> None:
    el = BOOK.expected_loss
    cover = Cover("any", indemnity=indemnity, aggregate_first_loss=afl_share * el, max_liability=cap_share * el,
                  deductible_per_claim=deductible)
    small = SimulationSettings(seed=2, min_scenarios=8_192, chunk=4_096)
    iv = insurance_value(BOOK, Correlation(), [cover], BOOK.ead * 6, small)
    print("seed", small.seed)
    net, gross = iv.covers[0], iv.gross
    for a in gross.var:
        assert net.var[a] <= gross.var[a] + 1e-6 and net.es[a] <= gross.es[a] + 1e-6
        assert net.var[a] >= gross.var[a] - cap_share * el - 1e-6          # never more than the maximum liability
    assert 0 <= net.el_saved <= min(indemnity * gross.expected_loss, cap_share * el) * 1.05 + 1e-6
