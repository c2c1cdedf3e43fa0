"""Backtest of payment-date models on a history, as of one training date (pure: no database, files).

Only what was known on `train_until` is learnt from: the invoices issued by then, those settled by then
with their delay, those still open then as censored rows (their delay is at least train_until − due).
Each training row's features are as known on its issue date. The invoices issued after the date are
predicted with the customers' history as known on the date and scored against their settled dates;
invoices never settled in the file cannot be scored and are left out of `predicted`. Since only invoices
settled by the file's last day are scored, each model's distribution is conditioned on that (a point
forecast is moved back to that day) (a model
that spreads part of an invoice beyond the end of the file would otherwise be scored against receipts
that could not be in it); without it the demo's weekly WAPE at 2026-05-31 read 0.185 instead of 0.153.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from arguard.core.errors import ValidationError
from arguard.forecast.distribution import SPREAD_POINTS, cdf_at, quantile_at, snap_to_runs
from arguard.forecast.estimators import (
    CensoredQuantileGBM,
    CustomerAverageBaseline,
    DueDateBaseline,
    PaymentDateModel,
)
from arguard.forecast.features import day_numbers, delays, invoice_features, payment_runs


@dataclass(frozen=True, slots=True)
class Scores:
    """mae_days: mean |predicted − settled date| (prediction: the median, to the day); late_accuracy:
    share of right late/on-time calls (late = paid after the due date); weekly_wape: Σ|actual − predicted
    receipts| / Σ actual receipts over the weeks (Monday–Sunday) of the predicted period."""

    name: str
    mae_days: float
    late_accuracy: float
    weekly_wape: float

    def as_dict(self) -> dict[str, float]:
        return {"mae_days": round(self.mae_days, 2), "late_accuracy": round(self.late_accuracy, 3),
                "weekly_wape": round(self.weekly_wape, 3)}


@dataclass(frozen=True, slots=True)
class BacktestResult:
    train_until: date
    trained_on: int
    censored: int
    predicted: int
    model: Scores
    baselines: tuple[Scores, ...]

    def as_dict(self) -> dict[str, object]:
        """The contract shape of `arguard forecast backtest` (issue 15)."""
        return {"train_until": self.train_until.isoformat(), "trained_on": self.trained_on,
                "predicted": self.predicted,
                "model": {"name": self.model.name, **self.model.as_dict()},
                "baselines": {b.name: b.as_dict() for b in self.baselines}}


ModelFactory = Callable[[], PaymentDateModel]
DEFAULT_MODELS: tuple[ModelFactory, ...] = (CensoredQuantileGBM, DueDateBaseline, CustomerAverageBaseline)


def training_set(history: pd.DataFrame, as_of: date, rows: pd.Index | None = None,
                 ) -> tuple[pd.DataFrame, npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Features (as known on each issue date), delay and observed flag of the invoices issued by as_of
    (of those in `rows` when given; their features still read the whole history). An invoice settled
    after as_of, or not at all, is censored: its delay becomes the lower bound as_of − due."""
    cut = pd.Timestamp(as_of)
    issued = history[history["issue"] <= cut]
    if rows is not None:
        issued = issued.loc[issued.index.intersection(rows)]
    known = _as_known_on(history, cut)
    X = invoice_features(issued, known, day_numbers(issued["issue"]))
    observed = (issued["settled"].notna() & (issued["settled"] <= cut)).to_numpy()
    bound = (cut - issued["due"]).dt.days.to_numpy(dtype=np.float64) + 0.0
    delay = np.where(observed, delays(issued), bound)
    return X, delay, observed


def _as_known_on(history: pd.DataFrame, cut: pd.Timestamp) -> pd.DataFrame:
    """The history as a reader on `cut` saw it: invoices issued by then, settlements after it unknown
    (the history itself, not a copy, when it holds nothing later — a ledger read as of the date)."""
    if not ((history["issue"] > cut).any() or (history["settled"] > cut).any()):
        return history
    known = history[history["issue"] <= cut].copy()
    known.loc[known["settled"] > cut, "settled"] = pd.NaT
    return known


def run_backtest(history: pd.DataFrame, train_until: date, models: Sequence[ModelFactory] = DEFAULT_MODELS,
                 predict_weeks: int | None = None) -> BacktestResult:
    """Fit each model on what was known on train_until and score it on the invoices issued after (within
    `predict_weeks` weeks when given). The first model is the candidate, the others its baselines."""
    cut = pd.Timestamp(train_until)
    X, delay, observed = training_set(history, train_until)
    later = history[(history["issue"] > cut) & history["settled"].notna()]
    if predict_weeks is not None:
        later = later[later["issue"] <= cut + pd.Timedelta(weeks=predict_weeks)]
    if later.empty:
        raise ValidationError(f"no settled invoice was issued after {train_until}: nothing to predict",
                              code="nothing_to_predict")
    asked = day_numbers(pd.Series([cut]))[0] + 1
    known = _as_known_on(history, cut)
    X_later = invoice_features(later, known, np.full(len(later), asked, dtype=np.int64))
    runs = payment_runs(later["customer"], known, int(asked))
    actual = delays(later)
    end = int(max(day_numbers(history["issue"]).max(), day_numbers(history["settled"]).max()))
    scores = [score(factory().fit(X, delay, observed), X_later, later, actual, runs=runs, end_day=end)
              for factory in models]
    return BacktestResult(train_until, len(X), int((~observed).sum()), len(later), scores[0], tuple(scores[1:]))


def score(model: PaymentDateModel, X: pd.DataFrame, invoices: pd.DataFrame, actual: npt.NDArray[np.float64],
          *, runs: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
          end_day: int | None = None) -> Scores:
    """Scores of the model's predictions of the invoices against their actual delays. `end_day`: the last
    day of the history — only invoices settled by then are scored, so a model's distribution is
    conditioned on payment by then (its levels up to the level of that day); a point forecast (the
    baselines) is moved back to that day when after it. `runs`: the buyers' payment
    runs (`features.payment_runs`), used by a model that snaps its days to them (`snaps_to_runs`)."""
    q = model.predict_quantiles(X)
    levels = model.quantiles_
    due = day_numbers(invoices["due"])
    amount = invoices["amount"].to_numpy(dtype=np.float64)
    point = getattr(model, "point", False)
    top = np.ones(len(q))
    if end_day is not None and not point:  # a point forecast is only moved back to the end
        top = cdf_at(q, levels, (end_day - due).astype(np.float64))
    snap = runs is not None and getattr(model, "snaps_to_runs", False)

    def settle(days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        if snap and runs is not None:
            days = snap_to_runs(days, *runs)
        return days if end_day is None else np.minimum(days, end_day)

    predicted_day = settle(due + np.rint(quantile_at(q, levels, 0.5 * top[:, None])[:, 0]).astype(np.int64))
    if point:  # a point forecast: all of the amount on the predicted day
        days, weights = predicted_day[:, None], amount[:, None]
    else:  # the expected receipts: the amount spread over the predicted distribution
        u = (np.arange(SPREAD_POINTS, dtype=np.float64) + 0.5) / SPREAD_POINTS
        spread = np.rint(quantile_at(q, levels, u[None, :] * top[:, None])).astype(np.int64)
        days = settle(due[:, None] + spread)
        weights = np.repeat(amount[:, None] / SPREAD_POINTS, SPREAD_POINTS, 1)
    actual_day = due + actual.astype(np.int64)
    return Scores(model.name, float(np.mean(np.abs(predicted_day - actual_day))),
                  float(np.mean((predicted_day > due) == (actual_day > due))),
                  weekly_wape(actual_day, days.ravel(), amount, weights.ravel()))


def weekly_wape(actual_day: npt.NDArray[np.int64], predicted_day: npt.NDArray[np.int64],
                amount: npt.NDArray[np.float64], predicted_amount: npt.NDArray[np.float64] | None = None) -> float:
    """Σ over weeks |actual − predicted receipts| / Σ actual receipts; weeks run Monday to Sunday
    (1970-01-01, day 0, was a Thursday: day + 3 counts from a Monday)."""
    weeks_a, weeks_p = (actual_day + 3) // 7, (predicted_day + 3) // 7
    lo = int(min(weeks_a.min(), weeks_p.min()))
    size = int(max(weeks_a.max(), weeks_p.max())) - lo + 1
    a = np.bincount(weeks_a - lo, weights=amount, minlength=size)
    p = np.bincount(weeks_p - lo, weights=amount if predicted_amount is None else predicted_amount,
                    minlength=size)
    total = float(np.abs(a).sum())
    return float(np.abs(a - p).sum() / total) if total else 0.0
