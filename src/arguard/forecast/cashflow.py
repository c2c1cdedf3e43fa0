"""Expected receipts of the open invoices per week and per month with P10/P50/P90 bands (pure numpy).

Each open invoice has a distribution of its payment delay (quantiles from a `PaymentDateModel`); one
already overdue is drawn only from the part of it beyond the forecast date. Scenarios are drawn in
chunks of invoices:

- payment timing: a Gaussian copula with correlation `TIMING_CORRELATION` between the invoices of one
  buyer (a buyer that pays late pays most of its invoices late), independent between buyers;
- default: each buyer defaults at an exponential time with hazard −ln(1 − PD₁₂) per year (PD from its
  grade); an invoice whose payment day falls after its buyer's default is not paid — its insured share
  arrives as indemnity `waiting_days` after the default, when the buyer is insured;
- scenario levers: `delay_days` shifts every payment; `defaulted` buyers default on the forecast date.

Expected receipts are the mean over the drawn scenarios; the bands are per-period percentiles of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

from arguard.forecast.distribution import cdf_at, quantile_at, snap_to_runs

TIMING_CORRELATION = 0.5
CHUNK = 20_000
Matrix = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class OpenBook:
    """The open invoices as columns: buyer index, due day and open amount (base currency, float for the
    simulation only; results are rounded to minor units by the caller), delay quantiles at `levels`,
    the buyer's 12-month PD and insured share (0–1) with the indemnity's waiting period."""

    buyer: Ints
    due_day: Ints
    amount: Matrix
    quantiles: Matrix
    levels: tuple[float, ...]
    buyer_pd: Matrix
    buyer_insured: Matrix = field(default_factory=lambda: np.zeros(0))
    waiting_days: int = 150
    run_cadence: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per invoice: its buyer's payment-run cadence in days (0: none) and phase (`features.payment_runs`);
    empty: no runs. A run payer's drawn days move to its nearest run day (the first after the forecast
    date when that is earlier)."""
    run_phase: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


@dataclass(frozen=True)
class Draws:
    """Receipts (cash + indemnities) per day after the forecast date (row 0: the day after) and scenario;
    the expected credit loss (unpaid because the buyer defaulted within the horizon), the expected
    indemnity within the horizon, and the expected cash arriving after the horizon."""

    daily: Matrix
    expected_loss: float
    expected_indemnity: float
    later: float


@dataclass(frozen=True)
class Bands:
    """Per period [start, end) (days after the forecast date): the mean receipts and the P10/P50/P90 of the
    drawn scenarios."""

    starts: Ints
    ends: Ints
    expected: Matrix
    p10: Matrix
    p50: Matrix
    p90: Matrix


def bands(draws: Draws, starts: Ints, ends: Ints) -> Bands:
    """Sum the daily draws over each period and take the mean and percentiles across scenarios."""
    cum = np.vstack([np.zeros((1, draws.daily.shape[1])), np.cumsum(draws.daily, axis=0)])
    totals = cum[np.minimum(ends, len(draws.daily))] - cum[np.minimum(starts, len(draws.daily))]
    p10, p50, p90 = np.percentile(totals, [10, 50, 90], axis=1)
    return Bands(starts, ends, totals.mean(axis=1), p10, p50, p90)


def simulate(book: OpenBook, as_of_day: int, horizon_days: int, scenarios: int, seed: int, *,
             delay_days: int = 0, defaulted: npt.NDArray[np.bool_] | None = None) -> Draws:
    """Draw `scenarios` futures of the open book (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n_buyers = len(book.buyer_pd)
    z_buyer = rng.standard_normal((n_buyers, scenarios))
    hazard = -np.log1p(-np.clip(book.buyer_pd, 0.0, 0.999999))
    default_day = as_of_day + rng.exponential(1.0, (n_buyers, scenarios)) / np.maximum(hazard, 1e-12)[:, None] * 365
    if defaulted is not None:
        default_day[defaulted] = as_of_day
    insured = book.buyer_insured if len(book.buyer_insured) == n_buyers else np.zeros(n_buyers)
    horizon_end = as_of_day + 1 + horizon_days
    bins = np.zeros((horizon_days, scenarios))
    lost = indemnity = later = 0.0
    rho = TIMING_CORRELATION
    for lo in range(0, len(book.amount), CHUNK):
        sl = slice(lo, lo + CHUNK)
        b, due, amt, q = book.buyer[sl], book.due_day[sl], book.amount[sl], book.quantiles[sl]
        floor = cdf_at(q, book.levels, (as_of_day - due).astype(np.float64))[:, None]
        z = rho * z_buyer[b] + np.sqrt(1 - rho * rho) * rng.standard_normal((len(b), scenarios))
        u = floor + ndtr(z) * (1.0 - floor)
        day = due[:, None] + np.rint(quantile_at(q, book.levels, u)).astype(np.int64)
        if len(book.run_cadence) == len(book.amount):
            day = _on_run_days(day, book.run_cadence[sl], book.run_phase[sl], as_of_day)
        day = np.maximum(day, as_of_day + 1) + delay_days
        dd = default_day[b]
        unpaid = day >= dd
        pay_day = np.where(unpaid, np.int64(-1), day)
        claim_day = np.where(unpaid & (insured[b][:, None] > 0), np.ceil(dd).astype(np.int64) + book.waiting_days, -1)
        claim_amt = amt[:, None] * insured[b][:, None]
        lost += float(((unpaid & (dd < horizon_end)).T @ amt).sum()) / scenarios
        indemnity += float(np.where((claim_day >= 0) & (claim_day < horizon_end), claim_amt, 0.0).sum()) / scenarios
        later += float(np.where(~unpaid & (day >= horizon_end), amt[:, None], 0.0).sum()) / scenarios
        _bin(bins, pay_day - (as_of_day + 1), np.broadcast_to(amt[:, None], pay_day.shape))
        _bin(bins, claim_day - (as_of_day + 1), np.broadcast_to(claim_amt, claim_day.shape))
    return Draws(bins, lost, indemnity, later)


def _on_run_days(day: Ints, cadence: Ints, phase: Ints, as_of_day: int) -> Ints:
    """Days moved to the nearest run day of their buyer; one on or before the forecast date to the first
    run day after it."""
    day = snap_to_runs(day, cadence, phase)
    c, p = np.maximum(cadence, 1)[:, None], phase[:, None]
    first = p + -((p - as_of_day - 1) // c) * c  # the first day after as_of that is ≡ phase (mod cadence)
    return np.where((cadence[:, None] > 0) & (day <= as_of_day), first, day)


def _bin(bins: Matrix, offset: Ints, amount: Matrix) -> None:
    """Add amounts to (day, scenario) cells; days outside the horizon are dropped."""
    horizon, scenarios = bins.shape
    ok = (offset >= 0) & (offset < horizon)
    cell = offset * scenarios + np.arange(scenarios)[None, :]
    bins += np.bincount(cell[ok], weights=np.asarray(amount)[ok], minlength=bins.size).reshape(bins.shape)
