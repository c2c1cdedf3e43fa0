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
    ChosenModel,
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
class Difference:
    """Model minus baseline on one metric, with its paired-bootstrap 95 % interval and what it says:
    `better` / `worse` when the whole interval lies on one side of zero (lower MAE and WAPE are better,
    higher late accuracy), `no clear difference` when it spans zero."""

    metric: str
    difference: float
    low: float
    high: float

    @property
    def verdict(self) -> str:
        sign = 1.0 if self.metric == "late_accuracy" else -1.0
        if sign * self.low > 0 and sign * self.high > 0:
            return "better"
        if sign * self.low < 0 and sign * self.high < 0:
            return "worse"
        return "no clear difference"

    def as_dict(self) -> dict[str, object]:
        digits = 2 if self.metric == "mae_days" else 3
        return {"difference": round(self.difference, digits),
                "ci95": [round(self.low, digits), round(self.high, digits)], "verdict": self.verdict}


@dataclass(frozen=True, slots=True)
class BacktestResult:
    train_until: date
    trained_on: int
    censored: int
    predicted: int
    model: Scores
    baselines: tuple[Scores, ...]
    versus: tuple[tuple[Difference, ...], ...] = ()
    """Per baseline (in order): the model's differences on the three metrics (`compare`)."""
    resamples: int = 0
    seed: int = 0

    def as_dict(self) -> dict[str, object]:
        """The contract shape of `arguard forecast backtest` (issue 15), and after it `versus_baselines`:
        per baseline and metric, model − baseline with its bootstrap interval and verdict."""
        out: dict[str, object] = {
            "train_until": self.train_until.isoformat(), "trained_on": self.trained_on, "predicted": self.predicted,
            "model": {"name": self.model.name, **self.model.as_dict()},
            "baselines": {b.name: b.as_dict() for b in self.baselines}}
        if self.versus:
            out["versus_baselines"] = {b.name: {d.metric: d.as_dict() for d in diffs}
                                       for b, diffs in zip(self.baselines, self.versus, strict=True)}
            out["bootstrap"] = {"resamples": self.resamples, "seed": self.seed, "unit": "invoice"}
        return out


ModelFactory = Callable[[], PaymentDateModel]
DEFAULT_MODELS: tuple[ModelFactory, ...] = (ChosenModel, DueDateBaseline, CustomerAverageBaseline)
"""The candidate is what `forecast run` would fit on the same history (`ChosenModel`)."""
RESAMPLES = 500
"""Paired bootstrap resamples of the predicted invoices behind `versus_baselines`."""
SEED = 20240601


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
                 predict_weeks: int | None = None, resamples: int = RESAMPLES, seed: int = SEED) -> BacktestResult:
    """Fit each model on what was known on train_until and score it on the invoices issued after (within
    `predict_weeks` weeks when given). The first model is the candidate, the others its baselines; with
    `resamples` > 0 each baseline is also compared with the candidate by a paired bootstrap (`compare`)."""
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
    made = [predict(factory().fit(X, delay, observed), X_later, later, runs=runs, end_day=end) for factory in models]
    truth = Truth.of(later, actual)
    scores = [p.scores(truth) for p in made]
    versus = tuple(compare(made[0], p, truth, resamples, seed) for p in made[1:]) if resamples > 0 else ()
    return BacktestResult(train_until, len(X), int((~observed).sum()), len(later), scores[0], tuple(scores[1:]),
                          versus, resamples, seed)


@dataclass(frozen=True, slots=True)
class Truth:
    """The scored invoices: due day, actual payment day, amount."""

    due: npt.NDArray[np.int64]
    actual_day: npt.NDArray[np.int64]
    amount: npt.NDArray[np.float64]

    @classmethod
    def of(cls, invoices: pd.DataFrame, actual: npt.NDArray[np.float64]) -> Truth:
        due = day_numbers(invoices["due"])
        return cls(due, due + actual.astype(np.int64), invoices["amount"].to_numpy(dtype=np.float64))


@dataclass(frozen=True, slots=True)
class Predictions:
    """One model's predictions of the scored invoices: the predicted payment day (its median) and the
    receipts, `weights[i, j]` of invoice i's amount on day `days[i, j]` (one column for a point forecast)."""

    name: str
    predicted_day: npt.NDArray[np.int64]
    days: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]

    def scores(self, truth: Truth, count: npt.NDArray[np.float64] | None = None) -> Scores:
        """The three metrics; `count`: how often each invoice is counted (a bootstrap resample)."""
        c = np.ones(len(truth.due)) if count is None else count
        n = float(c.sum())
        right = (self.predicted_day > truth.due) == (truth.actual_day > truth.due)
        return Scores(self.name, float(np.dot(c, np.abs(self.predicted_day - truth.actual_day))) / n,
                      float(np.dot(c, right)) / n,
                      weekly_wape(truth.actual_day, self.days.ravel(), truth.amount * c,
                                  (self.weights * c[:, None]).ravel()))


def compare(model: Predictions, baseline: Predictions, truth: Truth, resamples: int = RESAMPLES,
            seed: int = SEED) -> tuple[Difference, ...]:
    """Model − baseline on each metric, with a paired bootstrap 95 % interval: `resamples` times the
    invoices are drawn with replacement (seeded) and both are scored on the same draw, so what the two
    get right or wrong together cancels. Tells a real gain from the luck of one period's invoices."""
    rng = np.random.default_rng(seed)
    n = len(truth.due)
    metrics = ("mae_days", "late_accuracy", "weekly_wape")

    def diff(count: npt.NDArray[np.float64] | None) -> npt.NDArray[np.float64]:
        a, b = model.scores(truth, count), baseline.scores(truth, count)
        return np.array([getattr(a, m) - getattr(b, m) for m in metrics])

    point = diff(None)
    draws = np.array([diff(np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64))
                      for _ in range(resamples)])
    low, high = np.quantile(draws, [0.025, 0.975], axis=0)
    return tuple(Difference(m, float(point[k]), float(low[k]), float(high[k])) for k, m in enumerate(metrics))


def score(model: PaymentDateModel, X: pd.DataFrame, invoices: pd.DataFrame, actual: npt.NDArray[np.float64],
          *, runs: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
          end_day: int | None = None) -> Scores:
    """Scores of the model's predictions of the invoices against their actual delays (see `predict`)."""
    return predict(model, X, invoices, runs=runs, end_day=end_day).scores(Truth.of(invoices, actual))


def predict(model: PaymentDateModel, X: pd.DataFrame, invoices: pd.DataFrame,
            *, runs: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
            end_day: int | None = None) -> Predictions:
    """The model's predictions of the invoices, as scored. `end_day`: the last
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
    return Predictions(model.name, predicted_day, days, weights)


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
