"""Score 1,000,000 buyers from their ratios with the shipped models (target: under 10 s).

Rows are drawn with replacement from the shipped training ratios (seed printed), so the missing-value
pattern is real. Measured: PD + grade, and PD + grade + top-3 reason strings, for both models on all
rows (LightGBM reasons = per-leaf attributions, one pass over the trees); exact TreeSHAP reasons on
20,000 rows for comparison. The load average is printed: the machine may be shared.
"""

from __future__ import annotations

import os
import time

import numpy as np

from bench.machine import describe

SEED = 20240601
ROWS = 1_000_000


def main() -> None:
    from arguard.risk import store
    from arguard.risk.estimators import as_matrix
    from arguard.risk.scoring import score_matrix
    from arguard.risk.training import load_arff

    print(describe())
    print(f"seed {SEED}, {ROWS:,} rows, load average before: {os.getloadavg()[0]:.1f}")
    models = store.load_models()
    X, _ = load_arff(store.read_training_data())
    big = as_matrix(X)[np.random.default_rng(SEED).integers(0, len(X), ROWS)]
    runs = [("gbm", ROWS, False, False), ("gbm", ROWS, True, False), ("scorecard", ROWS, False, False),
            ("scorecard", ROWS, True, False), ("gbm", 20_000, True, True)]
    for name, n, reasons, exact in runs:
        start = time.perf_counter()
        _pds, grades, _ = score_matrix(models.get(name), big[:n], reasons=reasons, exact=exact)
        took = time.perf_counter() - start
        what = ("PD + grade + reasons" + (" (exact TreeSHAP)" if exact else "")) if reasons else "PD + grade"
        print(f"{name:9s} {what:38s} {n:>9,} rows  {took:6.2f} s  ({n / took:,.0f} rows/s)"
              f"  grades 1-9: {np.bincount(grades, minlength=10)[1:].tolist()}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
