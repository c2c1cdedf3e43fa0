"""Buyers that pay in runs (fortnightly or weekly, on fixed days) and the end of a backtest's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

import numpy as np
import pandas as pd

from arguard.forecast.backtest import run_backtest, score
from arguard.forecast.cashflow import OpenBook, simulate
from arguard.forecast.distribution import snap_to_runs
from arguard.forecast.estimators import QUANTILES, CensoredQuantileGBM, CustomerAverageBaseline
from arguard.forecast.features import day_numbers, payment_runs

EPOCH = date(1970, 1, 1)


def day(d: date) -> int:
    return (d - EPOCH).days


def ledger(rows: list[tuple[str, date, date, date | None]]) -> pd.DataFrame:
    """A history frame from (customer, issue, due, settled) rows of 100.00 each."""
    return pd.DataFrame({
        "number": [f"I-{k}" for k in range(len(rows))], "customer": [r[0] for r in rows], "currency": "EUR",
        "issue": pd.to_datetime([r[1] for r in rows]), "due": pd.to_datetime([r[2] for r in rows]),
        "settled": pd.to_datetime([r[3] for r in rows]), "amount": 100.0, "disputed": 0, "paper": np.nan})


def payer(code: str, first_settled: date, every: int, count: int) -> list[tuple[str, date, date, date | None]]:
    return [(code, first_settled - timedelta(days=40), first_settled - timedelta(days=10),
             first_settled + timedelta(days=every * k)) for k in range(count)]


def test_a_buyer_settling_every_other_friday_pays_in_fortnightly_runs_one_settling_every_monday_weekly() -> None:
    friday, monday = date(2026, 1, 2), date(2026, 1, 5)
    rows = payer("RUNS", friday, 14, 8) + payer("WEEKLY", monday, 7, 8) + payer("FEW", friday, 14, 5)
    rows += [("ANY", date(2025, 12, 1), date(2026, 1, 1), date(2026, 1, 1) + timedelta(days=k * k)) for k in range(8)]
    history = ledger(rows)
    cadence, phase = payment_runs(pd.Series(["RUNS", "WEEKLY", "FEW", "ANY", "NEW"]), history, day(date(2026, 6, 1)))
    assert cadence.tolist() == [14, 7, 0, 0, 0]  # five settlements are too few to tell; k² days apart: no runs
    assert phase[0] == day(friday) % 14 and phase[1] == day(monday) % 7


def test_payment_runs_are_read_from_the_settlements_known_on_the_day() -> None:
    history = ledger(payer("RUNS", date(2026, 1, 2), 14, 8))
    asked = day(date(2026, 1, 2) + timedelta(days=14 * 5))  # five settlements before it, three on or after
    assert payment_runs(pd.Series(["RUNS"]), history, asked)[0].tolist() == [0]


def test_a_day_moves_to_its_buyers_nearest_run_day() -> None:
    days = np.array([[100, 104, 109], [100, 104, 109]])
    moved = snap_to_runs(days, np.array([14, 0]), np.array([101 % 14, 0]))
    assert moved.tolist() == [[101, 101, 115], [100, 104, 109]]


def test_a_run_payers_receipts_fall_on_its_run_days_and_an_overdue_one_on_the_first_after_the_date() -> None:
    as_of = 20_000
    q = np.array([[-3.0, 0.0, 5.0, 10.0, 20.0], [-3.0, 0.0, 5.0, 10.0, 20.0]])
    book = OpenBook(buyer=np.array([0, 0]), due_day=np.array([as_of + 20, as_of - 40]), amount=np.array([100.0, 50.0]),
                    quantiles=q, levels=QUANTILES, buyer_pd=np.array([0.0]),
                    run_cadence=np.array([14, 14]), run_phase=np.array([(as_of + 3) % 14] * 2))
    draws = simulate(book, as_of, 120, 50, seed=7)
    paid_on = np.flatnonzero(draws.daily.sum(axis=1)) + as_of + 1
    assert set(paid_on.tolist()) <= {as_of + 3 + 14 * k for k in range(9)}
    assert draws.daily[2].sum() == 50.0 * 50  # the overdue invoice: paid in the first run, every scenario


def run_history(seed: int = 3) -> pd.DataFrame:
    """Forty buyers over two years, 30-day terms, each paying `habit` days late give or take; half of
    them settle only in their fortnightly runs."""
    rng = np.random.default_rng(seed)
    rows = []
    for b in range(40):
        habit, phase = int(rng.integers(0, 30)), int(rng.integers(0, 14))
        for issue in pd.date_range("2024-01-01", "2025-12-31", freq="9D"):
            due = issue.date() + timedelta(days=30)
            paid = day(due) + habit + int(rng.integers(-4, 5))
            if b % 2:
                paid = phase + int(np.ceil((paid - phase) / 14)) * 14
            rows.append((f"B{b}", issue.date(), due, EPOCH + timedelta(days=paid)))
    return ledger(rows)


def test_knowing_the_runs_forecasts_the_weekly_receipts_better() -> None:
    history = run_history()
    common = {"n_estimators": 60, "calibrate": 0.0}
    scores = [run_backtest(history, date(2025, 6, 30), predict_weeks=13, models=(
        partial(CensoredQuantileGBM, snaps_to_runs=snap, **common), CustomerAverageBaseline)).model
        for snap in (True, False)]
    assert scores[0].weekly_wape < scores[1].weekly_wape
    assert scores[0].mae_days < scores[1].mae_days  # a run payer's day is a run day


@dataclass
class Wide:
    """A stub model: every invoice paid 0–120 days after its due date, median 60."""

    name: str = "wide"
    quantiles_: tuple[float, ...] = QUANTILES

    def fit(self, X: pd.DataFrame, delay: np.ndarray, observed: np.ndarray) -> Wide:
        return self

    def predict_quantiles(self, X: pd.DataFrame) -> np.ndarray:
        return np.tile([12.0, 30.0, 60.0, 90.0, 108.0], (len(X), 1))


def test_a_backtest_scores_only_invoices_settled_by_the_end_of_its_history_so_their_distributions_end_there() -> None:
    history = ledger([("A", date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 2))])
    X = pd.DataFrame(index=history.index)
    actual = np.array([30.0])  # paid 2026-03-02, the last day of the history
    end = day(date(2026, 3, 2))
    free = score(Wide(), X, history, actual)
    known_end = score(Wide(), X, history, actual, end_day=end)
    # unconditioned the median is 60 days late (30 too many); paid by day 30, the median is the 15th day
    assert free.mae_days == 30.0 and known_end.mae_days == 15.0
    assert day_numbers(history["due"])[0] + 30 == end
