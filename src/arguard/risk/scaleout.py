"""Batch scoring of buyers on Dask distributed: the same `score_frame`, rows split into tasks.

Each task scores a slice of the rows with the shipped models (loaded once per worker process); the
slices come back in order, line numbers of the issues are shifted back to the whole file's, and the
"few ratios" notes of the slices are merged into one — so the answer equals the in-process one.
Dask is imported only here, only when called.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

from arguard.core.errors import Issue

THIN = "row(s) have fewer than half of the 64 ratios"


@lru_cache(maxsize=2)
def _model(name: str) -> Any:
    from arguard.risk import store

    return store.load_models().get(name)


def _score_slice(frame: pd.DataFrame, offset: int, model: str, source: str, reasons: bool, prior: Any,
                 exact: bool) -> tuple[pd.DataFrame, list[Issue]]:
    from arguard.risk.scoring import score_frame

    scored, issues = score_frame(_model(model), frame.reset_index(drop=True), source=source, reasons=reasons,
                                 prior=prior, exact=exact)
    return scored, [Issue(i.source, i.line + offset if i.line is not None else None, i.field, i.reason)
                    for i in issues]


def score_frame_on_dask(address: str, frame: pd.DataFrame, *, model: str = "gbm", source: str = "input",
                        reasons: bool = True, prior: Any = None, exact: bool = False,
                        rows_per_task: int = 20_000) -> tuple[pd.DataFrame, list[Issue]]:
    """`risk.scoring.score_frame` over the rows of `frame`, `rows_per_task` rows a task, on the Dask
    scheduler at `address`; same rows, PDs, grades, reasons and issues as in-process."""
    from distributed import Client

    starts = list(range(0, len(frame), rows_per_task)) or [0]
    with Client(address, set_as_default=False) as client:
        futures = [client.submit(_score_slice, frame.iloc[s:s + rows_per_task], s, model, source, reasons, prior,
                                 exact, pure=False) for s in starts]
        parts: list[tuple[pd.DataFrame, list[Issue]]] = client.gather(futures)
    scored = pd.concat([p[0] for p in parts], ignore_index=True)
    issues = [i for p in parts for i in p[1] if not (i.line is None and THIN in i.reason)]
    thin = sum(int(i.reason.split(" ", 1)[0]) for p in parts for i in p[1] if i.line is None and THIN in i.reason)
    if thin:
        issues.append(Issue(source, None, None, f"{thin} {THIN}: their PDs rest on few facts"))
    return scored, issues
