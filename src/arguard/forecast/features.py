"""Features of an invoice for payment-date prediction, each as known on a given day (pure: numpy/pandas).

The customer's history counts only invoices *settled before* the day the question is asked: for a
training invoice its issue date, for a predicted one the forecast date. Delays are signed days from the
due date to the settlement (negative: paid early). All history statistics come from cumulative sums
over one sort by (customer, settled day), so features for a million invoices take a few seconds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

FEATURES: tuple[str, ...] = (
    "hist_count", "hist_mean", "hist_std", "hist_late_share", "hist_last", "hist_last3", "hist_trend",
    "hist_disputed_mean", "hist_undisputed_mean", "hist_days_since", "open_count", "amount_log", "amount_rel",
    "terms_days", "disputed", "paper", "due_weekday", "due_days_to_month_end", "due_month", "issue_weekday",
)
"""Column order of the feature matrix (`hist_*`: the customer's settled history as known on the day)."""

_SHIFT = 1 << 20  # days since 1970 stay below this until the year 4840
Days = npt.NDArray[np.int64]


def day_numbers(dates: pd.Series) -> Days:
    """Days since 1970-01-01 (NaT → -1)."""
    values = dates.to_numpy(dtype="datetime64[D]")
    out = values.astype(np.int64)
    out[np.isnat(values)] = -1
    return out


def delays(history: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Signed days from due date to settlement (NaN while open)."""
    return (history["settled"] - history["due"]).dt.days.to_numpy(dtype=np.float64, na_value=np.nan)


def invoice_features(history: pd.DataFrame, known: pd.DataFrame, asked_on: Days) -> pd.DataFrame:
    """Feature matrix (columns `FEATURES`) of the invoices in `history`, the row i asked on day asked_on[i],
    from the customers' invoices in `known` (settled ones count once settled before the day; every issued
    one counts as open between its issue and its settlement)."""
    codes = pd.Index(pd.unique(pd.concat([history["customer"], known["customer"]], ignore_index=True)))
    q_cust = codes.get_indexer(history["customer"]).astype(np.int64)
    k_cust = codes.get_indexer(known["customer"]).astype(np.int64)
    feats = _history_stats(q_cust, asked_on, known, k_cust)
    amount = history["amount"].to_numpy(dtype=np.float64)
    feats["amount_log"] = np.log1p(np.abs(amount))
    feats["amount_rel"] = np.divide(amount, feats.pop("hist_amount_mean"),
                                     out=np.full(len(amount), np.nan), where=feats["hist_count"] > 0)
    issue, due = day_numbers(history["issue"]), day_numbers(history["due"])
    feats["terms_days"] = (due - issue).astype(np.float64)
    feats["disputed"] = history["disputed"].to_numpy(dtype=np.float64)
    feats["paper"] = history["paper"].to_numpy(dtype=np.float64)
    due_dt = history["due"].dt
    feats["due_weekday"] = due_dt.day_of_week.to_numpy(dtype=np.float64)
    feats["due_days_to_month_end"] = (due_dt.days_in_month - due_dt.day).to_numpy(dtype=np.float64)
    feats["due_month"] = due_dt.month.to_numpy(dtype=np.float64)
    feats["issue_weekday"] = history["issue"].dt.day_of_week.to_numpy(dtype=np.float64)
    return pd.DataFrame({name: feats[name] for name in FEATURES}, index=history.index)


def _history_stats(q_cust: Days, q_day: Days, known: pd.DataFrame,
                   k_cust: Days) -> dict[str, npt.NDArray[np.float64]]:
    settled_day = day_numbers(known["settled"])
    done = settled_day >= 0
    delay = delays(known)[done]
    key = k_cust[done] * _SHIFT + settled_day[done]
    order = np.argsort(key, kind="stable")
    key, delay = key[order], delay[order]
    disputed = known["disputed"].to_numpy(dtype=np.float64)[done][order]
    amount = known["amount"].to_numpy(dtype=np.float64)[done][order]
    day_sorted = settled_day[done][order]

    def cum(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.concatenate([[0.0], np.cumsum(values)])

    c_delay, c_sq, c_late = cum(delay), cum(delay * delay), cum((delay > 0).astype(np.float64))
    c_disp_n, c_disp = cum(disputed), cum(disputed * delay)
    c_amount = cum(amount)
    start = np.searchsorted(key, q_cust * _SHIFT, side="left")
    end = np.searchsorted(key, q_cust * _SHIFT + q_day, side="left")  # settled strictly before the day
    n = (end - start).astype(np.float64)
    has = n > 0

    def ratio(num: npt.NDArray[np.float64], den: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.divide(num, den, out=np.full(len(num), np.nan), where=den > 0)

    s_delay = c_delay[end] - c_delay[start]
    mean = ratio(s_delay, n)
    var = ratio(c_sq[end] - c_sq[start], n) - mean * mean
    last3_from = np.maximum(end - 3, start)
    last3 = ratio(c_delay[end] - c_delay[last3_from], (end - last3_from).astype(np.float64))
    disp_n = c_disp_n[end] - c_disp_n[start]
    disp_sum = c_disp[end] - c_disp[start]
    last_idx = np.maximum(end - 1, 0)
    out = {
        "hist_count": n,
        "hist_mean": mean,
        "hist_std": np.where(n > 1, np.sqrt(np.maximum(var, 0.0)), np.nan),
        "hist_late_share": ratio(c_late[end] - c_late[start], n),
        "hist_last": np.where(has, delay[last_idx] if len(delay) else np.nan, np.nan),
        "hist_last3": last3,
        "hist_trend": last3 - mean,
        "hist_disputed_mean": ratio(disp_sum, disp_n),
        "hist_undisputed_mean": ratio(s_delay - disp_sum, n - disp_n),
        "hist_days_since": np.where(has, q_day - (day_sorted[last_idx] if len(day_sorted) else 0), np.nan),
        "hist_amount_mean": ratio(c_amount[end] - c_amount[start], n),
    }
    out["open_count"] = _open_count(q_cust, q_day, known, k_cust)
    return {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}


def _open_count(q_cust: Days, q_day: Days, known: pd.DataFrame, k_cust: Days) -> npt.NDArray[np.float64]:
    """Invoices of the customer issued before the day and not settled before it."""
    issue = day_numbers(known["issue"])
    settled = day_numbers(known["settled"])
    issued_keys = np.sort(k_cust * _SHIFT + issue)
    settled_keys = np.sort(k_cust[settled >= 0] * _SHIFT + settled[settled >= 0])
    q = q_cust * _SHIFT + q_day
    base = q_cust * _SHIFT
    issued = np.searchsorted(issued_keys, q, "left") - np.searchsorted(issued_keys, base, "left")
    paid = np.searchsorted(settled_keys, q, "left") - np.searchsorted(settled_keys, base, "left")
    return (issued - paid).astype(np.float64)


RUN_CADENCES: tuple[int, ...] = (14, 7)
"""Payment-run cadences looked for, longest first (a fortnightly run also repeats every 7 days × 2)."""
RUN_LOOKBACK, RUN_MIN_SETTLEMENTS, RUN_SHARE = 12, 6, 0.9


def payment_runs(customers: pd.Series, known: pd.DataFrame, asked_on: int) -> tuple[Days, Days]:
    """Per row of `customers`: the cadence in days (0: none found) and the phase (day number modulo the
    cadence) of the customer's payment runs, as known on day `asked_on`. A customer pays in runs when at
    least `RUN_SHARE` of its last `RUN_LOOKBACK` settlements before the day (at least
    `RUN_MIN_SETTLEMENTS`) fell on the same day modulo 14 (fortnightly), else modulo 7 (weekly)."""
    settled = day_numbers(known["settled"])
    seen = (settled >= 0) & (settled < asked_on)
    codes = pd.Index(pd.unique(known["customer"].to_numpy()[seen]))
    cadence = np.zeros(len(customers), dtype=np.int64)
    phase = np.zeros(len(customers), dtype=np.int64)
    if not len(codes):
        return cadence, phase
    cust = codes.get_indexer(known["customer"].to_numpy()[seen]).astype(np.int64)
    day = settled[seen]
    order = np.lexsort((day, cust))
    cust, day = cust[order], day[order]
    count = np.bincount(cust, minlength=len(codes))
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    from_end = count[cust] - (np.arange(len(cust)) - first[cust])  # 1: the newest settlement
    keep = from_end <= RUN_LOOKBACK
    cust, day = cust[keep], day[keep]
    n = np.minimum(count, RUN_LOOKBACK)
    found_cadence = np.zeros(len(codes), dtype=np.int64)
    found_phase = np.zeros(len(codes), dtype=np.int64)
    for m in RUN_CADENCES:
        hits = np.bincount(cust * m + day % m, minlength=len(codes) * m).reshape(len(codes), m)
        runs = (found_cadence == 0) & (n >= RUN_MIN_SETTLEMENTS) & (hits.max(axis=1) >= RUN_SHARE * n)
        found_cadence[runs], found_phase[runs] = m, hits.argmax(axis=1)[runs]
    at = codes.get_indexer(customers.to_numpy())
    ok = at >= 0
    cadence[ok], phase[ok] = found_cadence[at[ok]], found_phase[at[ok]]
    return cadence, phase
