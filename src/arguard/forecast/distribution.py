"""Per-invoice payment-date distributions from predicted quantiles (pure numpy).

A model gives a few quantiles of the delay (e.g. P10/P50/P90). Between them the quantile function is
taken as linear; beyond the outer ones it continues with the slope of the nearest segment down to level
0 and up to level 1 (a bounded, slightly wider tail than the P10–P90 range). `quantile_at` reads it at
any levels: at evenly spaced levels it spreads an amount over days (`spread_days`), at uniform random
levels it samples payment days (`cashflow`). `cdf_at` is its inverse (the level of a delay), used to
condition a distribution on a range of days. A buyer that pays in runs (`features.payment_runs`) pays
on run days only: `snap_to_runs` moves a day to the nearest one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]
SPREAD_POINTS = 20
"""Equal-weight points per invoice when an amount is spread over its distribution."""


def quantile_at(q: Matrix, levels: Sequence[float], u: Matrix) -> Matrix:
    """Delay at levels u (rows: invoices; u has one row per invoice or broadcasts) from quantiles q
    (rows: invoices, columns: `levels`, increasing)."""
    lv = np.asarray(levels, dtype=np.float64)
    if len(lv) == 1:
        return np.broadcast_to(q[:, :1], np.broadcast_shapes(q[:, :1].shape, u.shape)).astype(np.float64)
    lo_slope = (q[:, 1] - q[:, 0]) / (lv[1] - lv[0])
    hi_slope = (q[:, -1] - q[:, -2]) / (lv[-1] - lv[-2])
    ext_levels = np.concatenate([[0.0], lv, [1.0]])
    ext = np.column_stack([q[:, 0] - lo_slope * lv[0], q, q[:, -1] + hi_slope * (1.0 - lv[-1])])
    u = np.broadcast_to(u, (q.shape[0], u.shape[-1]))
    seg = np.clip(np.searchsorted(ext_levels, u, side="right") - 1, 0, len(ext_levels) - 2)
    left, right = ext_levels[seg], ext_levels[seg + 1]
    rows = np.arange(q.shape[0])[:, None]
    y0, y1 = ext[rows, seg], ext[rows, seg + 1]
    return np.asarray(y0 + (u - left) / (right - left) * (y1 - y0), dtype=np.float64)


def spread_days(q: Matrix, levels: Sequence[float], points: int = SPREAD_POINTS) -> npt.NDArray[np.int64]:
    """Each invoice's delay at `points` evenly spaced levels, to the day (equal weights)."""
    u = (np.arange(points, dtype=np.float64) + 0.5) / points
    return np.rint(quantile_at(q, levels, u[None, :])).astype(np.int64)


def cdf_at(q: Matrix, levels: Sequence[float], x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Level of the quantile function (as in `quantile_at`) at delay x, per row."""
    lv = np.asarray(levels, dtype=np.float64)
    lo = (q[:, 1] - q[:, 0]) / (lv[1] - lv[0])
    hi = (q[:, -1] - q[:, -2]) / (lv[-1] - lv[-2])
    ext = np.column_stack([q[:, 0] - lo * lv[0], q, q[:, -1] + hi * (1 - lv[-1])])
    ext_lv = np.concatenate([[0.0], lv, [1.0]])
    out = np.where(x >= ext[:, -1], 1.0, 0.0)
    for k in range(len(ext_lv) - 1):
        a, b = ext[:, k], ext[:, k + 1]
        inside = (x >= a) & (x < b)
        width = np.where(b > a, b - a, 1.0)
        out = np.where(inside, ext_lv[k] + (x - a) / width * (ext_lv[k + 1] - ext_lv[k]), out)
    return np.asarray(out, dtype=np.float64)


def snap_to_runs(days: npt.NDArray[np.int64], cadence: npt.NDArray[np.int64],
                 phase: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Each day (rows: invoices, any further columns: draws) moved to the nearest run day of its buyer
    (day ≡ phase mod cadence; a tie goes to the later one); rows with cadence 0 are left alone."""
    shape = (-1,) + (1,) * (days.ndim - 1)
    c, p = cadence.reshape(shape), phase.reshape(shape)
    step = np.maximum(c, 1)
    nearest = p + np.floor((days - p) / step + 0.5).astype(np.int64) * step
    return np.asarray(np.where(c > 0, nearest, days), dtype=np.int64)
