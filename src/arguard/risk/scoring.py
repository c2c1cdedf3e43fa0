"""Scoring a table of buyers without a database: ratios or statement items in, PD, grade, reasons out.

The input has an `id` column and either ratio columns (`Attr1`…`Attr64` or their descriptive names)
or statement-item columns (`total_assets`, `sales`, …); empty cells are missing values. Unreadable
cells become `Issue`s (the cell then counts as missing), never a crash.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from arguard.core.errors import Issue, ValidationError
from arguard.core.money import parse_amount
from arguard.risk.combine import PriorShift
from arguard.risk.estimators import CalibratedPD, Matrix, as_matrix, top_indices
from arguard.risk.features import feature_label
from arguard.risk.masterscale import grades_of
from arguard.risk.model import ITEM_NAMES, StatementItems
from arguard.risk.ratios import ATTRS, canonical_attr, compute_ratios


def input_kind(columns: list[str]) -> str:
    """'ratios' when any column names a ratio, 'items' when any names a statement item."""
    if any(canonical_attr(c) for c in columns):
        return "ratios"
    if any(c.strip().lower() in ITEM_NAMES for c in columns):
        return "items"
    raise ValidationError("the file has neither ratio columns (Attr1…Attr64 or descriptive names) nor "
                          "statement-item columns (total_assets, sales, …)", code="no_risk_columns")


def ratios_from_ratio_columns(frame: pd.DataFrame, source: str = "input") -> tuple[pd.DataFrame, list[Issue]]:
    renamed = {c: canonical_attr(c) for c in frame.columns if canonical_attr(c)}
    ratios = frame[list(renamed)].rename(columns=renamed)
    issues: list[Issue] = []
    numeric = {}
    for col in ratios.columns:  # columns already read as numbers skip the text checks (large files)
        raw = ratios[col]
        if pd.api.types.is_numeric_dtype(raw):
            numeric[col] = raw.astype(np.float64)
            continue
        values = pd.to_numeric(raw, errors="coerce")
        text = raw.astype(str).str.strip()
        bad = values.isna() & raw.notna() & (text != "") & (text.str.lower() != "nan")
        for row in np.flatnonzero(bad.to_numpy()):
            issues.append(Issue(source, int(row) + 2, str(col), f"not a number: {raw.iat[row]!r} (treated as missing)"))
        numeric[col] = values
    return pd.DataFrame(numeric, index=ratios.index).reindex(columns=list(ATTRS)), issues


def items_from_record(record: dict[str, object], line: int, source: str) -> tuple[StatementItems, list[Issue]]:
    amounts: dict[str, Any] = {}  # Decimal | None each; Any lets them fill the dataclass by name
    issues: list[Issue] = []
    for name in ITEM_NAMES:
        raw = record.get(name)
        if raw is None or (isinstance(raw, float) and np.isnan(raw)) or str(raw).strip() == "":
            amounts[name] = None
            continue
        try:
            amounts[name] = parse_amount(str(raw))
        except ValidationError:
            amounts[name] = None
            issues.append(Issue(source, line, name, f"not an amount: {raw!r} (treated as missing)"))
    currency = str(record.get("currency") or "EUR").strip().upper() or "EUR"
    return StatementItems(currency=currency, **amounts), issues


def ratios_from_item_columns(frame: pd.DataFrame, source: str = "input"
                             ) -> tuple[pd.DataFrame, list[Issue], np.ndarray]:
    """Ratios of every row, the issues, and which ratios lack a reported item (vs a zero denominator)."""
    frame = frame.rename(columns={c: c.strip().lower() for c in frame.columns})
    rows, unreported, issues = [], [], []
    for i, record in enumerate(frame.to_dict(orient="records")):
        items, found = items_from_record(record, i + 2, source)
        issues += found
        ratio_set = compute_ratios(items)
        rows.append(ratio_set.values)
        unreported.append([ratio_set.notes.get(a, "").startswith("missing") for a in ATTRS])
    ratios = pd.DataFrame(rows, columns=list(ATTRS), index=frame.index).astype(np.float64)
    return ratios, issues, np.asarray(unreported, dtype=bool).reshape(len(ratios), len(ATTRS))


def ratios_of(frame: pd.DataFrame, source: str = "input") -> tuple[pd.DataFrame, list[Issue], np.ndarray]:
    """The 64 ratios of every row, whichever kind of columns the table has, the issues, and the mask of
    ratios whose statement items were not reported (all False for a ratio file)."""
    if input_kind([str(c) for c in frame.columns]) == "ratios":
        ratios, issues = ratios_from_ratio_columns(frame, source)
        return ratios, issues, np.zeros(ratios.shape, dtype=bool)
    return ratios_from_item_columns(frame, source)


def reason_strings(contrib: Matrix, X: Matrix, top: int = 3, features: tuple[str, ...] = ATTRS) -> list[str]:
    """'+label=value; -label=value' per row, strongest first (+ raises the PD, - lowers it); X holds the
    values of `features`.

    Each (feature, direction) prefix is built once and values are formatted in one list pass: a million
    rows take a few seconds.
    """
    idx, vals = top_indices(contrib, top)
    values = np.take_along_axis(X, idx, axis=1)
    prefixes = [(f"-{feature_label(f)}=", f"+{feature_label(f)}=") for f in features]
    cols = []
    for k in range(idx.shape[1]):
        shown = ["missing" if math.isnan(x) else f"{x:.4g}" for x in values[:, k].tolist()]
        cols.append(["" if v == 0 else prefixes[j][v > 0] + t
                     for j, v, t in zip(idx[:, k].tolist(), vals[:, k].tolist(), shown, strict=True)])
    return ["; ".join(p for p in parts if p) for parts in zip(*cols, strict=True)]


def rebase(pds: Matrix, prior: PriorShift | None) -> Matrix:
    """Vectorised `PriorShift.apply`: PDs re-based to a portfolio's default rate (None: unchanged)."""
    if prior is None:
        return pds
    p = np.clip(pds, 1e-12, 1 - 1e-12)
    return 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) + prior.shift)))


def score_matrix(model: CalibratedPD, X: Matrix, *, reasons: bool = True, top: int = 3,
                 prior: PriorShift | None = None, exact: bool = False
                 ) -> tuple[Matrix, np.ndarray, list[str] | None]:
    """PDs, grades and (optionally) reason strings of a ratio matrix; vectorised.

    exact: TreeSHAP reasons for the gradient-boosted model (minutes for a million rows) instead of its
    per-leaf attributions (seconds)."""
    text = None
    if not reasons:
        pds = model.predict_pd(X)
    elif exact:
        pds = model.predict_pd(X)
        text = reason_strings(model.contributions(X, exact=True), model.feature_values(X), top, model.features)
    else:
        pds, contrib, Xf = model.score(X)
        text = reason_strings(contrib, Xf, top, model.features)
    pds = rebase(pds, prior)
    return pds, grades_of(pds), text


def score_frame(model: CalibratedPD, frame: pd.DataFrame, *, source: str = "input", reasons: bool = True,
                prior: PriorShift | None = None, exact: bool = False) -> tuple[pd.DataFrame, list[Issue]]:
    """`id, pd_12m, grade, reasons` for every row of an input table (PDs re-based when `prior` is given)."""
    if "id" not in [str(c).strip().lower() for c in frame.columns]:
        raise ValidationError("the input needs an 'id' column", code="missing_id")
    id_col = next(c for c in frame.columns if str(c).strip().lower() == "id")
    ratios, issues, unreported = ratios_of(frame.drop(columns=[id_col]), source)
    X = model.fill_unreported(as_matrix(ratios), unreported)
    thin = int((np.isnan(X).sum(axis=1) > len(ATTRS) // 2).sum())
    if thin:
        issues.append(Issue(source, None, None, f"{thin} row(s) have fewer than half of the 64 ratios: "
                                                "their PDs rest on few facts"))
    pds, grades, text = score_matrix(model, X, reasons=reasons, prior=prior, exact=exact)
    out = pd.DataFrame({"id": frame[id_col].to_numpy(), "pd_12m": np.round(pds, 6), "grade": grades})
    out["reasons"] = text if text is not None else ""
    return out, issues
