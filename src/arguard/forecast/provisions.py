"""IFRS 9 simplified approach for trade receivables: the provision matrix from roll rates, and the
expected loss per buyer from grades (pure: numpy and Decimal, no database).

Roll rates. Each month-end t of the look-back, every invoice open at t sits in a *band* of days past due
(current, then 30-day bands up to 330, then 331–365, then >365 — finer than the aging buckets, so that a
one-month step moves an amount one band on). Between t and the next month-end its open amount flows to
the band it is in then (still open), to loss (written off in the month) or to paid (the rest). Summed over
the look-back these flows give a one-month transition matrix with two absorbing states; the lifetime loss
rate of a band is the probability of ending in loss (absorbing Markov chain: L = (I − Q)⁻¹ w). An amount
that stays in a band keeps its chance of ending in loss; a band that was never seen (or that nothing ever
left) takes the rate of the band after it; the oldest band (>365) is lost (`OLDEST_BAND_RATE`).

Matrix. The loss rate of an aging bucket is the mean of its bands' rates weighted by today's balance in
them (plain mean when the bucket is empty), times the forward-looking multiplier, capped at 1; the
expected credit loss of a bucket is its balance × that rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

BUCKETS: tuple[str, ...] = ("current", "1-30", "31-60", "61-90", "91-180", "181-365", ">365")
BAND_UPPER: tuple[int, ...] = (0, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 330, 365)
"""Upper bound (days past due, inclusive) of each band but the last (>365)."""
BAND_BUCKET: tuple[int, ...] = (0, 1, 2, 3, 4, 4, 4, 5, 5, 5, 5, 5, 5, 6)
N_BANDS = len(BAND_UPPER) + 1
OLDEST_BAND_RATE = 1.0
"""Loss rate of the >365 band: an amount more than a year past due counts as lost (it is in default long
since, and a ledger seldom writes such debts off on time, so its own write-offs would understate it).
The roll rates carry this into the younger bands: their rate is the chance of being written off or of
reaching a year past due."""

Ints = npt.NDArray[np.int64]
Matrix = npt.NDArray[np.float64]


def band_of(days_past_due: Ints) -> Ints:
    return np.searchsorted(np.asarray(BAND_UPPER), days_past_due, side="left").astype(np.int64)


@dataclass(frozen=True)
class MonthStep:
    """One invoice cohort between two month-ends: days past due at the start, open amounts at start and
    end, amount written off within the step (minor units, one position per invoice open at the start)."""

    dpd_start: Ints
    dpd_end: Ints
    open_start: Ints
    open_end: Ints
    written_off: Ints


@dataclass(frozen=True)
class RollRates:
    """flows[k, j]: amount from band k to band j (j < N_BANDS), to paid (N_BANDS) or loss (N_BANDS + 1);
    loss_rate[k]: lifetime probability that an amount in band k ends in loss."""

    flows: Matrix
    loss_rate: Matrix


def roll_rates(steps: Sequence[MonthStep]) -> RollRates:
    """Transition flows summed over the steps and the absorbing-chain loss rates (module docstring)."""
    flows = np.zeros((N_BANDS, N_BANDS + 2))
    for s in steps:
        k = band_of(s.dpd_start)
        j = band_of(s.dpd_end)
        stay = np.minimum(s.open_end, s.open_start).astype(np.float64)
        lost = np.minimum(s.written_off, s.open_start - stay).astype(np.float64)
        paid = s.open_start - stay - lost
        np.add.at(flows, (k, j), stay)
        np.add.at(flows, (k, np.full_like(k, N_BANDS + 1)), lost)
        np.add.at(flows, (k, np.full_like(k, N_BANDS)), paid)
    return RollRates(flows, _absorb(flows))


def _absorb(flows: Matrix) -> Matrix:
    """Loss rates by backward substitution: days past due only grow, so an amount moves to its own band or
    an older one (Q is upper triangular): L_k = (w_k + Σ_{j>k} Q_kj L_j) / (1 − Q_kk)."""
    totals = flows.sum(axis=1)
    rates = np.zeros(N_BANDS)
    for k in range(N_BANDS - 1, -1, -1):
        if k == N_BANDS - 1:
            rates[k] = OLDEST_BAND_RATE
            continue
        if totals[k] <= 0 or flows[k, k] >= totals[k]:  # no history, or nothing ever left the band
            rates[k] = rates[k + 1]
            continue
        P = flows[k] / totals[k]
        later = float(P[k + 1:N_BANDS] @ rates[k + 1:])
        rates[k] = (P[N_BANDS + 1] + later) / (1.0 - P[k])
    return np.clip(rates, 0.0, 1.0)


@dataclass(frozen=True)
class MatrixRow:
    """One aging bucket: balance today, historical loss rate, rate after the forward-looking multiplier,
    and the lifetime expected credit loss (balance × adjusted rate, to the minor unit)."""

    bucket: str
    balance: Decimal
    historical_rate: Decimal
    loss_rate: Decimal
    expected_loss: Decimal


RATE_PLACES = Decimal("0.000001")


def provision_matrix(rates: RollRates, dpd_today: Ints, open_today: Ints, minor_exponent: int,
                     multiplier: Decimal = Decimal(1)) -> tuple[MatrixRow, ...]:
    """The matrix for the open items of today (days past due, open minor units in one currency)."""
    band = band_of(dpd_today)
    band_balance = np.bincount(band, weights=open_today.astype(np.float64), minlength=N_BANDS)
    unit = Decimal(1).scaleb(-minor_exponent)
    rows = []
    for b, name in enumerate(BUCKETS):
        members = [k for k in range(N_BANDS) if BAND_BUCKET[k] == b]
        weights = band_balance[members]
        hist = float(np.average(rates.loss_rate[members], weights=weights if weights.sum() > 0 else None))
        historical = Decimal(repr(hist)).quantize(RATE_PLACES, ROUND_HALF_UP)
        adjusted = min(Decimal(1).quantize(RATE_PLACES), (historical * multiplier).quantize(RATE_PLACES, ROUND_HALF_UP))
        balance_minor = int(open_today[BAND_BUCKET_ARRAY[band] == b].sum())
        balance = Decimal(balance_minor).scaleb(-minor_exponent)
        rows.append(MatrixRow(name, balance, historical, adjusted, (balance * adjusted).quantize(unit, ROUND_HALF_UP)))
    return tuple(rows)


BAND_BUCKET_ARRAY = np.asarray(BAND_BUCKET, dtype=np.int64)


@dataclass(frozen=True)
class BuyerLoss:
    """PD × LGD × EAD for one buyer (EAD: its open balance; PD: 12-month PD of its newest grade, used as the
    lifetime PD of receivables that fall due within a year), gross and net of insured exposure."""

    customer: str
    grade: int | None
    pd: Decimal
    lgd: Decimal
    ead: Decimal
    expected_loss: Decimal
    insured: Decimal
    net_expected_loss: Decimal


def buyer_losses(ead: dict[str, Decimal], grades: dict[str, tuple[int, float]], default_pd: Decimal, lgd: Decimal,
                 insured: dict[str, Decimal], minor_exponent: int) -> tuple[BuyerLoss, ...]:
    """Expected loss per buyer, largest first. Insured exposure (the insurer's share of the EAD) lowers the
    loss: net = PD × LGD × (EAD − insured)."""
    unit = Decimal(1).scaleb(-minor_exponent)
    out = []
    for code, exposure in ead.items():
        grade, pd_ = grades.get(code, (None, float(default_pd)))
        pd_dec = Decimal(repr(pd_)).quantize(RATE_PLACES, ROUND_HALF_UP)
        covered = min(exposure, insured.get(code, Decimal(0)))
        gross = (pd_dec * lgd * exposure).quantize(unit, ROUND_HALF_UP)
        net = (pd_dec * lgd * (exposure - covered)).quantize(unit, ROUND_HALF_UP)
        out.append(BuyerLoss(code, grade, pd_dec, lgd, exposure, gross, covered, net))
    return tuple(sorted(out, key=lambda r: (-r.expected_loss, r.customer)))


@dataclass(frozen=True)
class JournalLine:
    account: str
    debit: Decimal
    credit: Decimal


EXPENSE_ACCOUNT = "Impairment loss on trade receivables (P&L)"
ALLOWANCE_ACCOUNT = "Loss allowance on trade receivables"
"""The journal's two accounts, as the answers name them (the dashboard shows them in the user's language)."""


def journal(change: Decimal) -> tuple[JournalLine, ...]:
    """The entry that moves the loss allowance by `change` (positive: more provision)."""
    if change == 0:
        return ()
    zero = Decimal(0).quantize(change)
    expense, allowance = EXPENSE_ACCOUNT, ALLOWANCE_ACCOUNT
    if change > 0:
        return (JournalLine(expense, change, zero), JournalLine(allowance, zero, change))
    return (JournalLine(allowance, -change, zero), JournalLine(expense, zero, -change))
