"""Model features: the 64 ratios plus derived features that are functions of them.

A derived feature is computed row by row from the ratios of the same statement — never from other rows
or from the outcome — so it exists for any input that has the ratios: a ratio file, or statement items
(whose ratios `ratios.py` computes first). It is missing (NaN) when a ratio it needs is missing or the
arithmetic is undefined (a zero divisor, an infinite result).

Why these: ratios of ratios recover items the schema only has in combination (interest = Attr14 −
Attr18 of total assets; financial expenses = Attr22 / Attr27 of total assets; inventory and receivables
from their turnover days), and a few products and differences carry what a tree would otherwise need
many splits for (sales growth × margin; the 3-year profit against this year's). They were chosen by
5-fold cross-validation on the development part only (docs/model-card.md, "Tuning").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arguard.risk.ratios import ATTRS, label_of

Matrix = npt.NDArray[np.float64]
Column = Callable[[Callable[[int], Matrix]], Matrix]


@dataclass(frozen=True, slots=True)
class DerivedFeature:
    """code: stable identifier used in reasons; label: plain words; formula: in `AttrN` terms;
    compute: the vectorised formula, given `a(n)` = column AttrN."""

    code: str
    label: str
    formula: str
    compute: Column


def _f(code: str, label: str, formula: str, compute: Column) -> DerivedFeature:
    return DerivedFeature(code, label, formula, compute)


DERIVED: tuple[DerivedFeature, ...] = (
    _f("missing_ratios", "ratios that cannot be computed (count)", "count of missing Attr1…Attr64",
       lambda a: np.zeros_like(a(1))),  # filled in `derive` from the whole matrix
    _f("net_profit_to_total_liabilities", "net profit to total liabilities", "Attr1 / Attr2",
       lambda a: a(1) / a(2)),
    _f("working_capital_to_sales", "working capital to sales", "Attr3 / Attr9", lambda a: a(3) / a(9)),
    _f("financial_expenses_to_total_assets", "financial expenses to total assets", "Attr22 / Attr27",
       lambda a: a(22) / a(27)),
    _f("financial_expenses_to_sales", "financial expenses to sales", "Attr42 / Attr27",
       lambda a: a(42) / a(27)),
    _f("cash_to_total_assets", "cash and securities to total assets", "Attr40 × Attr51",
       lambda a: a(40) * a(51)),
    _f("retained_earnings_to_equity", "retained earnings to equity", "Attr6 / Attr10",
       lambda a: a(6) / a(10)),
    _f("log_sales", "log sales (thousands)", "Attr29 + log10 |Attr9|",
       lambda a: a(29) + np.log10(np.abs(a(9)))),
    _f("net_profit_to_sales", "net profit to sales", "Attr1 / Attr9", lambda a: a(1) / a(9)),
    _f("equity_minus_liabilities", "equity minus liabilities, to total assets", "Attr10 − Attr2",
       lambda a: a(10) - a(2)),
    _f("inventory_to_short_term_liabilities", "inventory to short-term liabilities (negative)",
       "Attr46 − Attr4", lambda a: a(46) - a(4)),
    _f("non_operating_result_to_total_assets", "EBIT minus operating profit, to total assets",
       "Attr7 − Attr22", lambda a: a(7) - a(22)),
    _f("sales_growth_x_margin", "sales growth × profit on sales margin", "Attr21 × Attr39",
       lambda a: a(21) * a(39)),
    _f("interest_cover", "EBIT to interest", "Attr7 / (Attr14 − Attr18)", lambda a: a(7) / (a(14) - a(18))),
    _f("interest_to_total_liabilities", "interest to total liabilities", "(Attr14 − Attr18) / Attr2",
       lambda a: (a(14) - a(18)) / a(2)),
    _f("profit_3y_to_profit", "3-year gross profit to this year's", "Attr24 / Attr18",
       lambda a: a(24) / a(18)),
    _f("profit_prior_2y_to_total_assets", "3-year gross profit minus 3 × this year's, to total assets",
       "Attr24 − 3 × Attr18", lambda a: a(24) - 3 * a(18)),
    _f("inventory_to_total_assets", "inventory to total assets", "Attr20 × Attr9 / 365",
       lambda a: a(20) * a(9) / 365),
    _f("receivables_to_total_assets", "receivables to total assets", "Attr44 × Attr9 / 365",
       lambda a: a(44) * a(9) / 365),
    _f("total_liabilities_to_sales", "total liabilities to sales", "Attr2 / Attr9", lambda a: a(2) / a(9)),
    _f("short_term_share_of_liabilities", "short-term share of liabilities", "Attr51 / Attr2",
       lambda a: a(51) / a(2)),
    _f("current_assets_to_total_assets", "current assets to total assets", "Attr3 + Attr51",
       lambda a: a(3) + a(51)),
    _f("operating_expenses_to_sales", "operating expenses to sales", "Attr34 × Attr2 / Attr9",
       lambda a: a(34) * a(2) / a(9)),
    _f("equity_to_sales", "equity to sales", "Attr10 / Attr9", lambda a: a(10) / a(9)),
    _f("return_on_equity", "net profit to equity", "Attr1 / Attr10", lambda a: a(1) / a(10)),
    _f("receivables_to_short_term_liabilities", "receivables to short-term liabilities", "Attr46 − Attr40",
       lambda a: a(46) - a(40)),
)

FEATURES: tuple[str, ...] = ATTRS + tuple(d.code for d in DERIVED)
_LABELS = {d.code: d.label for d in DERIVED}


def feature_label(code: str) -> str:
    """Readable label of a ratio or a derived feature."""
    return _LABELS.get(code) or label_of(code)


def derive(X: Matrix) -> Matrix:
    """The 64 ratios (columns in `ATTRS` order) → the ratios and the derived features (`FEATURES`)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != len(ATTRS):
        raise ValueError(f"expected {len(ATTRS)} ratio columns, got shape {X.shape}")

    def a(n: int) -> Matrix:
        return X[:, n - 1]

    with np.errstate(all="ignore"):
        cols = [d.compute(a) for d in DERIVED[1:]]
    out = np.empty((X.shape[0], len(FEATURES)), dtype=np.float64)
    out[:, : len(ATTRS)] = X
    out[:, len(ATTRS)] = np.isnan(X).sum(axis=1)
    derived = out[:, len(ATTRS) + 1:]
    for j, col in enumerate(cols):
        derived[:, j] = col
    derived[~np.isfinite(derived)] = np.nan
    return out
