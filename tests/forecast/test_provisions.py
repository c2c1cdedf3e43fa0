"""The IFRS 9 provision matrix on a small ledger, with the figures worked out by hand below."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arguard.forecast.provisions import N_BANDS, MonthStep, journal, roll_rates
from arguard.forecast.service_provisions import ProvisionRequest, month_ends, provisions, save_provision
from tests.ledger.ledgerbook import book

# Look-back of three months as of 2026-03-31: snapshots 2025-12-31, 2026-01-31, 2026-02-28, 2026-03-31.
#
# invoice  amount  due         12-31          01-31          02-28          03-31
# A        1000    2025-12-01  1–30 (dpd 30)  paid 01-15
# B        1000    2025-12-15  1–30 (16)      31–60 (47)     61–90 (75)     written off 03-10
# C        2000    2026-01-19  current (-19)  1–30 (12)      paid 02-10
# D         500    2026-02-09                 current (-9)   paid 02-09
# F         400    2026-01-31                 current (0)    1–30 (28)      31–60 (59)  ← open today
# E        1000    2026-03-31                                               current (0) ← open today
#
# Flows over the three steps (a band is the bucket here; none is wider than 30 days yet):
#   current: C 2000 → 1–30, F 400 → 1–30, D 500 → paid         total 2900
#   1–30:    A 1000 → paid, C 2000 → paid, B 1000 → 31–60, F 400 → 31–60   total 4400
#   31–60:   B 1000 → 61–90                                   total 1000
#   61–90:   B 1000 → loss (written off)                      total 1000
# Loss rates (probability of ending in loss), from the oldest band back:
#   61–90: 1000/1000 = 1;  31–60: 1 × 1 = 1;  1–30: 1400/4400 × 1 = 7/22 = 0.318182
#   current: 2400/2900 × 7/22 = 84/319 = 0.263323
# Matrix today: current 1000.00 × 0.263323 = 263.32; 31–60 400.00 × 1 = 400.00; total 663.32.
# With the multiplier 1.1: current 0.263323 × 1.1 = 0.289655 → 289.66 (289.655 rounded half up);
# 31–60 stays at 1 (capped) → 400.00; total 689.66.
# PD × LGD × EAD (no grades: PD 2 %, LGD 45 %): EAST 1000 × 0.009 = 9.00, FOX 400 × 0.009 = 3.60.
LEDGER = """
customer ALPHA DE EUR
customer EAST DE EUR
customer FOX FR EUR
invoice A ALPHA 2025-11-01 due 2025-12-01 1000.00 EUR
invoice B ALPHA 2025-11-15 due 2025-12-15 1000.00 EUR
invoice C ALPHA 2025-12-20 due 2026-01-19 2000.00 EUR
invoice D ALPHA 2026-01-10 due 2026-02-09 500.00 EUR
invoice F FOX 2026-01-01 due 2026-01-31 400.00 EUR
invoice E EAST 2026-03-01 due 2026-03-31 1000.00 EUR
payment PA ALPHA 2026-01-15 1000.00 EUR -> A
payment PC ALPHA 2026-02-10 2000.00 EUR -> C
payment PD ALPHA 2026-02-09 500.00 EUR -> D
writeoff B 1000.00 EUR on 2026-03-10
"""
AS_OF = date(2026, 3, 31)
pytestmark = pytest.mark.storage


@pytest.fixture(autouse=True)
def _ungraded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Buyers without grades (PD 2 %), whether or not another test wired the re-grading subscriptions."""
    from arguard.risk import interface

    monkeypatch.setattr(interface, "newest_grades", lambda ctx: {})


def test_the_matrix_matches_the_hand_computation(ctx_factory: Callable) -> None:
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    with ctx_factory() as ctx:
        answer = provisions(ctx, ProvisionRequest(AS_OF, months=3))
    rows = {r["bucket"]: r for r in answer["matrix"]}
    assert rows["current"]["balance"] == "1000.00" and rows["current"]["loss_rate"] == "0.263323"
    assert rows["current"]["expected_loss"] == "263.32"
    assert rows["1-30"]["historical_rate"] == "0.318182" and rows["1-30"]["balance"] == "0.00"
    assert rows["31-60"]["loss_rate"] == "1.000000" and rows["31-60"]["expected_loss"] == "400.00"
    assert answer["total"]["expected_loss"] == "663.32"
    assert [(b["customer"], b["expected_loss"]) for b in answer["buyers"]] == [("EAST", "9.00"), ("FOX", "3.60")]
    assert answer["previous"] is None and answer["movement"] == "663.32"
    assert answer["journal"][0] == {"account": "Impairment loss on trade receivables (P&L)", "debit": "663.32",
                                    "credit": "0.00"}


def test_the_forward_looking_multiplier_and_the_movement_from_the_saved_provision(ctx_factory: Callable) -> None:
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    with ctx_factory() as ctx:
        save_provision(ctx, ProvisionRequest(date(2026, 2, 28), months=2))
    with ctx_factory() as ctx:
        earlier = provisions(ctx, ProvisionRequest(date(2026, 2, 28), months=2))
        answer = provisions(ctx, ProvisionRequest(AS_OF, multiplier=Decimal("1.1"), months=3))
    rows = {r["bucket"]: r for r in answer["matrix"]}
    assert rows["current"]["loss_rate"] == "0.289655" and rows["current"]["expected_loss"] == "289.66"
    assert rows["31-60"]["loss_rate"] == "1.000000"
    assert answer["total"]["expected_loss"] == "689.66"
    assert answer["previous"] == {"as_of": "2026-02-28", "expected_loss": earlier["total"]["expected_loss"]}
    assert Decimal(answer["movement"]) == Decimal("689.66") - Decimal(earlier["total"]["expected_loss"])


def test_a_viewer_cannot_save_a_provision(ctx_factory: Callable) -> None:
    from arguard.core.errors import Forbidden

    with ctx_factory(role="viewer") as ctx, pytest.raises(Forbidden):
        save_provision(ctx, ProvisionRequest(AS_OF, months=1))


def test_month_ends_of_a_month_end_are_month_ends() -> None:
    assert month_ends(date(2026, 3, 31), 2) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert month_ends(date(2026, 3, 15), 1) == [date(2026, 2, 15), date(2026, 3, 15)]


def test_a_release_is_booked_the_other_way() -> None:
    lines = journal(Decimal("-12.50"))
    assert lines[0].account.startswith("Loss allowance") and lines[0].debit == Decimal("12.50")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-60, 500), st.integers(0, 40), st.integers(1, 10_000), st.integers(0, 10_000),
                          st.integers(0, 10_000)), min_size=1, max_size=40))
def test_loss_rates_are_probabilities_and_never_fall_with_age_when_losses_come_only_from_the_oldest(
        rows: list[tuple[int, int, int, int, int]]) -> None:
    dpd = np.array([r[0] for r in rows], dtype=np.int64)
    start = np.array([r[2] for r in rows], dtype=np.int64)
    end = np.minimum(np.array([r[3] for r in rows], dtype=np.int64), start)
    lost = np.minimum(np.array([r[4] for r in rows], dtype=np.int64), start - end)
    rates = roll_rates([MonthStep(dpd, dpd + 28 + np.array([r[1] for r in rows]), start, end, lost)])
    assert rates.loss_rate.shape == (N_BANDS,)
    assert ((rates.loss_rate >= 0) & (rates.loss_rate <= 1)).all()
    # every amount is accounted for: flows out of each band add up to what was in it
    assert np.bincount(np.searchsorted([0, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 330, 365], dpd),
                       weights=start, minlength=N_BANDS) == pytest.approx(rates.flows.sum(axis=1))


def test_expected_loss_per_buyer_gross_and_net_of_insured_exposure() -> None:
    from arguard.forecast.provisions import buyer_losses

    # grade 7 at PD 5 %, LGD 45 %: 10,000.00 × 0.05 × 0.45 = 225.00 gross; 6,000.00 insured → 4,000.00 × 0.0225
    # = 90.00 net. The ungraded buyer takes the default PD 2 %: 1,000.00 × 0.009 = 9.00, nothing insured.
    losses = buyer_losses({"BIG": Decimal("10000.00"), "NEW": Decimal("1000.00")}, {"BIG": (7, 0.05)},
                          Decimal("0.02"), Decimal("0.45"), {"BIG": Decimal("6000.00")}, 2)
    assert [(b.customer, b.grade, b.expected_loss, b.net_expected_loss) for b in losses] == [
        ("BIG", 7, Decimal("225.00"), Decimal("90.00")), ("NEW", None, Decimal("9.00"), Decimal("9.00"))]


def test_the_cli_prints_the_provision_net_of_insurance_beside_the_gross_when_a_policy_covers_the_book(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from arguard.cli import common
    from arguard.forecast.cli import _print_provisions

    row = {"bucket": "current", "balance": "1000.00", "historical_rate": "0.05", "loss_rate": "0.05",
           "expected_loss": "50.00", "expected_loss_net": "7.00"}
    answer = {"currency": "EUR", "as_of": "2026-06-30", "settings": {"multiplier": "1"}, "matrix": [row],
              "total": {"balance": "1000.00", "expected_loss": "50.00", "expected_loss_net": "7.00"},
              "buyers": [{}], "buyers_total": {"expected_loss": "20.00", "expected_loss_net": "2.00"},
              "previous": None, "movement": "50.00", "journal": [], "policy": "POL-7",
              "insurance": "net of the insured exposure under policy POL-7"}
    for policy, expected in (("POL-7", True), (None, False)):
        out = Console(width=80, record=True)
        monkeypatch.setattr(common, "console", out)
        _print_provisions({**answer, "policy": policy})
        text = out.export_text()
        # with a policy: the net column (the bucket's 7.00 and the total's 7.00) and PD × LGD × EAD net
        assert text.count("7.00") == (2 if expected else 0) and ("(net 2.00)" in text) is expected
