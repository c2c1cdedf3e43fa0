"""Backtest on tiny inline histories: censoring respected, baselines, metrics, both file formats."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from arguard.forecast.backtest import Predictions, Truth, compare, run_backtest, training_set, weekly_wape
from arguard.forecast.estimators import (
    CustomerAverageBaseline,
    DueDateBaseline,
    conditional_draws,
    kaplan_meier,
)
from arguard.forecast.history import HistoryRejected, parse_history

# Two customers, terms 30 days. ACME pays 10 days late, BETA 2 days early. Training date 2026-03-31:
# A-3 was settled on 2026-04-15, after it, so on the training date it is open (censored, not a label).
TINY = """invoice_number,customer_id,issue_date,due_date,amount,settled_date,disputed
A-1,ACME,2026-01-05,2026-02-04,100.00,2026-02-14,no
A-2,ACME,2026-02-02,2026-03-04,200.00,2026-03-14,no
A-3,ACME,2026-03-02,2026-04-01,300.00,2026-04-15,yes
B-1,BETA,2026-01-10,2026-02-09,50.00,2026-02-07,no
B-2,BETA,2026-02-10,2026-03-12,60.00,2026-03-10,no
A-4,ACME,2026-04-06,2026-05-06,400.00,2026-05-16,no
B-3,BETA,2026-04-08,2026-05-08,70.00,2026-05-06,no
B-4,BETA,2026-04-20,2026-05-20,80.00,,no
"""


def tiny(text: str = TINY) -> pd.DataFrame:
    return parse_history(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False), "tiny.csv")


def test_an_invoice_settled_after_the_training_date_is_censored_not_a_label() -> None:
    X, delay, observed = training_set(tiny(), date(2026, 3, 31))
    assert len(X) == 5  # A-1..A-3, B-1, B-2: issued by the date; A-4, B-3, B-4 come later
    assert observed.tolist() == [True, True, False, True, True]
    # A-3 is due 2026-04-01: on 2026-03-31 all that is known is that it is not paid yet (delay > -1)
    assert delay.tolist() == [10.0, 10.0, -1.0, -2.0, -2.0]


def test_features_use_only_settlements_before_the_day_they_are_asked() -> None:
    X, _, _ = training_set(tiny(), date(2026, 3, 31))
    acme = X.iloc[:3]
    assert acme["hist_count"].tolist() == [0.0, 0.0, 1.0]  # A-2 is issued before A-1 is settled
    assert acme["hist_mean"].iloc[2] == 10.0
    assert acme["open_count"].tolist() == [0.0, 1.0, 1.0]


def test_what_happened_after_the_training_date_cannot_change_the_model() -> None:
    moved = TINY.replace("A-3,ACME,2026-03-02,2026-04-01,300.00,2026-04-15", "A-3,ACME,2026-03-02,2026-04-01,300.00,2026-06-30")
    fitted = []
    for text in (TINY, moved):
        X, delay, observed = training_set(tiny(text), date(2026, 3, 31))
        fitted.append(CustomerAverageBaseline().fit(X, delay, observed).predict_quantiles(X))
    assert np.array_equal(fitted[0], fitted[1])


def test_the_customer_average_baseline_scores_the_later_invoices() -> None:
    result = run_backtest(tiny(), date(2026, 3, 31), models=(CustomerAverageBaseline, DueDateBaseline))
    # A-4 and B-3 are scored (B-4 is never settled in the file). ACME's known average is +10,
    # BETA's -2: both predictions are exact, so no error, every late call right.
    assert (result.trained_on, result.censored, result.predicted) == (5, 1, 2)
    assert result.model.mae_days == 0.0 and result.model.late_accuracy == 1.0 and result.model.weekly_wape == 0.0
    due = result.baselines[0]
    assert due.mae_days == 6.0  # |10| and |-2|
    assert due.late_accuracy == 0.5  # calls A-4 on time; it was late
    # A-4 (400) is expected on Wed 2026-05-06 but arrives Sat 05-16 (next week); B-3 (70) arrives in the
    # week it is due: |400 - 0| + |0 - 400| over the 470 received = 800 / 470
    assert due.weekly_wape == pytest.approx(800 / 470)


def synthetic_history(seed: int, customers: int = 30, months: int = 14) -> pd.DataFrame:
    """Customers with their own habits: a steady delay, a spread, disputes that add two weeks."""
    rng = np.random.default_rng(seed)
    rows = []
    start = date(2025, 1, 1)
    for c in range(customers):
        habit, spread = rng.normal(0, 12), rng.uniform(1, 4)
        for k in range(months * 3):
            issue = start + timedelta(days=int(k * 10 + rng.integers(0, 5)))
            due = issue + timedelta(days=30)
            disputed = rng.random() < 0.15
            delay = round(habit + rng.normal(0, spread) + (14 if disputed else 0))
            settled = max(issue, due + timedelta(days=delay))
            rows.append([f"{c}-{k}", f"C{c:02d}", issue, due, f"{rng.uniform(100, 5000):.2f}", settled,
                         "yes" if disputed else "no"])
    frame = pd.DataFrame(rows, columns=["invoice_number", "customer_id", "issue_date", "due_date", "amount",
                                        "settled_date", "disputed"]).astype(str)
    return parse_history(frame, "synthetic")


def test_the_model_beats_both_baselines_on_customers_with_habits() -> None:
    seed = 7
    print("seed", seed)
    result = run_backtest(synthetic_history(seed), date(2025, 10, 31))
    assert result.censored > 0
    for baseline in result.baselines:
        assert result.model.mae_days < baseline.mae_days
        assert result.model.late_accuracy >= baseline.late_accuracy
    assert result.model.late_accuracy > 0.85



def _point(name: str, days: list[int]) -> Predictions:
    d = np.array(days, dtype=np.int64)
    return Predictions(name, d, d[:, None], np.full((len(d), 1), 100.0))


def test_a_model_always_five_days_closer_is_clearly_better_on_every_resample() -> None:
    # 40 invoices due on day 100 and paid on day 110: the model says 110, the baseline 105. Both days are
    # after the due day, so both call them late: a tie on the late calls.
    truth = Truth(np.full(40, 100, dtype=np.int64), np.full(40, 110, dtype=np.int64), np.full(40, 100.0))
    mae, late, wape = compare(_point("model", [110] * 40), _point("baseline", [105] * 40), truth, resamples=50)
    assert (mae.difference, mae.low, mae.high, mae.verdict) == (-5.0, -5.0, -5.0, "better")
    assert (late.difference, late.verdict) == (0.0, "no clear difference")
    # Day 105 is a Sunday (1970-04-16 + …: (105 + 3) // 7 = 15), day 110 in the next week: the baseline
    # puts every receipt in the wrong week (WAPE 2), the model in the right one (0).
    assert (wape.difference, wape.verdict) == (-2.0, "better")


def test_a_model_no_better_than_luck_gets_no_clear_difference() -> None:
    # The model and the baseline each get half of 200 invoices exactly right and miss the other half by 4
    # days, on different halves: no real difference, and the interval says so.
    rng = np.random.default_rng(3)
    print("seed", 3)
    hit = rng.random(200) < 0.5
    truth = Truth(np.full(200, 100, dtype=np.int64), np.full(200, 120, dtype=np.int64), np.full(200, 50.0))
    model = _point("model", np.where(hit, 120, 116).tolist())
    baseline = _point("baseline", np.where(hit, 116, 120).tolist())
    mae = compare(model, baseline, truth, resamples=200)[0]
    assert mae.low < 0 < mae.high and mae.verdict == "no clear difference"


def test_the_backtest_json_compares_the_model_with_each_baseline() -> None:
    result = run_backtest(synthetic_history(7), date(2025, 10, 31), resamples=100).as_dict()
    versus = result["versus_baselines"]
    assert set(versus) == {"due_date", "customer_average"}
    for metrics in versus.values():
        assert set(metrics) == {"mae_days", "late_accuracy", "weekly_wape"}
        for m in metrics.values():
            assert m["ci95"][0] <= m["difference"] <= m["ci95"][1]
    assert versus["due_date"]["mae_days"]["verdict"] == "better"
    assert result["bootstrap"] == {"resamples": 100, "seed": 20240601, "unit": "invoice"}

def test_kaplan_meier_counts_censored_values_as_lower_bounds() -> None:
    # values 1, 2+, 3, 4: S(1) = 3/4; 2+ leaves the risk set; S(3) = 3/4 · 1/2; S(4) = 0
    support, mass = kaplan_meier(np.array([1.0, 2.0, 3.0, 4.0]), np.array([True, False, True, True]))
    assert support.tolist() == [1.0, 3.0, 4.0]
    assert mass.tolist() == pytest.approx([0.25, 0.375, 0.375])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-30, 60), min_size=1, max_size=30), st.lists(st.floats(-40, 70), min_size=1, max_size=10))
def test_imputed_delays_always_lie_beyond_the_bound(values: list[float], bounds: list[float]) -> None:
    observed = np.arange(len(values)) % 3 != 2
    support, mass = kaplan_meier(np.array(values), observed)
    draws = conditional_draws(support, mass, np.array(bounds), 4, np.random.default_rng(1))
    assert (draws > np.array(bounds)[:, None]).all()


def test_a_bad_row_is_reported_with_line_and_field() -> None:
    text = TINY.replace("2026-02-14", "14.02.2026x").replace("60.00", "sixty")
    with pytest.raises(HistoryRejected) as info:
        tiny(text)
    assert [(i.line, i.field) for i in info.value.issues] == [(2, "settled_date"), (6, "amount")]


IBM = """countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate
391,0379-NEVHP,4/6/2013,0000611365,1/2/2013,2/1/2013,55.94,No,1/15/2013,Paper,13,0
406,8976-AMJEO,3/3/2012,0007900770,1/26/2013,2/25/2013,61.74,Yes,3/3/2013,Electronic,36,6
"""


def test_the_ibm_sample_format_is_read_with_month_first_dates() -> None:
    h = parse_history(pd.read_csv(io.StringIO(IBM), dtype=str, keep_default_na=False), "ibm.csv")
    assert h["due"].tolist() == [pd.Timestamp("2013-02-01"), pd.Timestamp("2013-02-25")]
    assert h["disputed"].tolist() == [0, 1] and h["paper"].tolist() == [1.0, 0.0]


def test_weekly_wape_is_zero_when_every_receipt_lands_in_its_week() -> None:
    # days 4 (Mon 1970-01-05) and 10 (Sun 01-11) are one week
    assert weekly_wape(np.array([4]), np.array([10]), np.array([100.0])) == 0.0


def test_the_cli_prints_the_contract_json(tmp_path: Path) -> None:
    from arguard.cli.main import app

    path = tmp_path / "history.csv"
    synthetic_history(3, customers=12, months=8).assign(
        issue_date=lambda f: f["issue"].dt.date, due_date=lambda f: f["due"].dt.date,
        settled_date=lambda f: f["settled"].dt.date, invoice_number=lambda f: f["number"],
        customer_id=lambda f: f["customer"], disputed=lambda f: f["disputed"].map({0: "no", 1: "yes"}),
    )[["invoice_number", "customer_id", "issue_date", "due_date", "amount", "settled_date", "disputed"]].to_csv(
        path, index=False)
    out = CliRunner().invoke(app, ["forecast", "backtest", "--history", str(path), "--train-until", "2025-05-31"])
    assert out.exit_code == 0, out.output
    answer = json.loads(out.stdout)
    # the contract's keys, then what was added after them (the paired comparison)
    assert list(answer)[:5] == ["train_until", "trained_on", "predicted", "model", "baselines"]
    assert list(answer)[5:] == ["versus_baselines", "bootstrap"]
    assert set(answer["baselines"]) == {"due_date", "customer_average"}
    assert answer["train_until"] == "2025-05-31" and answer["predicted"] > 0
