"""Scoring a table of buyers without a database: ratios or statement items in, PD, grade, reasons out.

The input has an `id` column and either ratio columns (`Attr1`…`Attr64` or their descriptive names)
or statement-item columns (`total_assets`, `sales`, …); empty cells are missing values. Unreadable
cells become `Issue`s (the cell then counts as missing), never a crash.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from arguard.core.errors import Issue, ValidationError
from arguard.core.money import parse_amount
from arguard.risk.combine import PriorShift
from arguard.risk.estimators import CalibratedPD, Matrix, as_matrix, top_indices
from arguard.risk.masterscale import grades_of
from arguard.risk.model import ITEM_NAMES, StatementItems
from arguard.risk.ratios import ATTRS, canonical_attr, compute_ratios, label_of

LABELS = np.array([label_of(a) for a in ATTRS], dtype=object)


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
    numeric = ratios.apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna() & ratios.notna() & (ratios.astype(str).apply(lambda s: s.str.strip()) != "")
    for row, col in zip(*np.nonzero(bad.to_numpy()), strict=True):
        issues.append(Issue(source, int(row) + 2, str(ratios.columns[col]),
                            f"not a number: {ratios.iat[row, col]!r} (treated as missing)"))
    return numeric.reindex(columns=list(ATTRS)), issues


def items_from_record(record: dict[str, object], line: int, source: str) -> tuple[StatementItems, list[Issue]]:
    amounts: dict[str, Decimal | None] = {}
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


def reason_strings(contrib: Matrix, X: Matrix, top: int = 3) -> list[str]:
    """'+label=value; -label=value' per row, strongest first (+ raises the PD, - lowers it).

    Built column by column on object arrays: a million rows take seconds, not minutes.
    """
    idx, vals = top_indices(contrib, top)
    values = np.take_along_axis(X, idx, axis=1)
    shown = np.where(np.isnan(values), "missing", np.char.mod("%.4g", np.nan_to_num(values))).astype(object)
    parts = np.where(vals > 0, "+", "-").astype(object) + LABELS[idx] + "=" + shown
    parts = np.where(vals == 0, "", parts)
    joined = parts[:, 0]
    for k in range(1, parts.shape[1]):
        joined = joined + np.where(parts[:, k] == "", "", "; " + parts[:, k])
    return joined.tolist()


def rebase(pds: Matrix, prior: PriorShift | None) -> Matrix:
    """Vectorised `PriorShift.apply`: PDs re-based to a portfolio's default rate (None: unchanged)."""
    if prior is None:
        return pds
    p = np.clip(pds, 1e-12, 1 - 1e-12)
    return 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) + prior.shift)))


def score_matrix(model: CalibratedPD, X: Matrix, *, reasons: bool = True, top: int = 3,
                 prior: PriorShift | None = None) -> tuple[Matrix, np.ndarray, list[str] | None]:
    """PDs, grades and (optionally) reason strings of a ratio matrix; vectorised."""
    pds = rebase(model.predict_pd(X), prior)
    grades = grades_of(pds)
    text = reason_strings(model.contributions(X), X, top) if reasons else None
    return pds, grades, text


def score_frame(model: CalibratedPD, frame: pd.DataFrame, *, source: str = "input", reasons: bool = True,
                prior: PriorShift | None = None) -> tuple[pd.DataFrame, list[Issue]]:
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
    pds, grades, text = score_matrix(model, X, reasons=reasons, prior=prior)
    out = pd.DataFrame({"id": frame[id_col].to_numpy(), "pd_12m": np.round(pds, 6), "grade": grades})
    out["reasons"] = text if text is not None else ""
    return out, issues
