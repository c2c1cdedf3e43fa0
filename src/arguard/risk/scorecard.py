"""The explainable scorecard: optimal binning of each ratio, weights of evidence, logistic regression.

Each ratio is cut into a few monotone (or single-peaked) bins by optbinning; a bin's weight of
evidence (WoE) is its log ratio of survivors to failures; a logistic regression on the WoE of the
ratios with enough information value (IV ≥ `min_iv`), dropping near-duplicates (|ρ| > `max_corr`),
gives each bin a number of points. The fitted bins are exported as plain tables, so scoring needs
nothing but numpy and an analyst can read every bin and its points (`points_table`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.linear_model import LogisticRegression

from arguard.risk.estimators import Matrix, ModelFitError
from arguard.risk.ratios import ATTRS, label_of

PDO = 20.0
"""Points to double the odds of survival."""
BASE_SCORE, BASE_ODDS = 600.0, 50.0
"""A score of 600 means survival odds of 50:1."""


@dataclass(frozen=True, slots=True)
class BinnedRatio:
    """One ratio's bins: x < splits[0] is bin 0, splits[i-1] ≤ x < splits[i] is bin i; NaN → missing."""

    attr: str
    splits: tuple[float, ...]
    woe: tuple[float, ...]
    woe_missing: float
    iv: float
    event_rates: tuple[float, ...] = ()

    def transform(self, x: Matrix) -> Matrix:
        table = np.asarray(self.woe + (self.woe_missing,))
        idx = np.searchsorted(np.asarray(self.splits), x, side="right")
        idx = np.where(np.isnan(x), len(self.woe), idx)
        return table[idx]


@dataclass
class ScorecardScorer:
    """Optimal-binning WoE logistic regression.

    max_n_prebins / min_prebin_size / trend: optbinning settings; min_iv: information value a ratio
    needs to enter; max_corr: largest WoE correlation allowed between two entered ratios; C: inverse
    L2 strength of the regression; seed: unused by the (deterministic) binning, kept for the record.
    Fitted: bins_ (all ratios), selected_ (entered ratios), coef_, intercept_, mean_woe_.
    """

    max_n_prebins: int = 10
    min_prebin_size: float = 0.05
    trend: str = "auto_asc_desc"
    min_iv: float = 0.1
    max_corr: float = 0.8
    C: float = 0.5
    seed: int = 20240601
    bins_: list[BinnedRatio] = field(default_factory=list, repr=False)
    selected_: list[int] = field(default_factory=list)
    coef_: Matrix | None = field(default=None, repr=False)
    intercept_: float = 0.0
    mean_woe_: Matrix | None = field(default=None, repr=False)

    def fit(self, X: Matrix, y: npt.NDArray[np.int_]) -> Self:
        from optbinning import OptimalBinning

        bins = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for j, attr in enumerate(ATTRS):
                ob = OptimalBinning(name=attr, dtype="numerical", solver="cp", max_n_prebins=self.max_n_prebins,
                                    min_prebin_size=self.min_prebin_size, monotonic_trend=self.trend)
                ob.fit(X[:, j], y)
                bins.append(_export(attr, ob))
        self.bins_ = bins
        W = self._woe(X, range(len(ATTRS)))
        self.selected_ = _select(W, [b.iv for b in bins], self.min_iv, self.max_corr)
        if not self.selected_:
            raise ModelFitError("no ratio reaches the minimum information value: too few failures, "
                                "ratios mostly missing, or min_iv set too high")
        lr = self._regress(W, y)
        self.coef_, self.intercept_ = lr.coef_[0].astype(np.float64), float(lr.intercept_[0])
        self.mean_woe_ = W[:, self.selected_].mean(axis=0)
        return self

    def _regress(self, W: Matrix, y: npt.NDArray[np.int_]) -> LogisticRegression:
        """Logistic regression on the WoE; a ratio whose weight comes out with the wrong sign (a safer
        bin raising the PD, an artefact of correlated ratios) is dropped and the rest refitted, so every
        point in the table reads the same way: more points, safer buyer."""
        while True:
            lr = LogisticRegression(C=self.C, max_iter=1000).fit(W[:, self.selected_], y)
            worst = int(np.argmax(lr.coef_[0]))
            if lr.coef_[0, worst] <= 0 or len(self.selected_) == 1:
                return lr
            del self.selected_[worst]

    def _woe(self, X: Matrix, columns: Any) -> Matrix:
        cols = list(columns)
        out = np.empty((len(X), len(cols)))
        for k, j in enumerate(cols):
            out[:, k] = self.bins_[j].transform(X[:, j])
        return out

    def _fitted(self) -> tuple[Matrix, Matrix]:
        if self.coef_ is None or self.mean_woe_ is None:
            raise ModelFitError("the scorecard is not fitted")
        return self.coef_, self.mean_woe_

    def log_odds(self, X: Matrix) -> Matrix:
        coef, _ = self._fitted()
        return self.intercept_ + self._woe(X, self.selected_) @ coef

    def contributions(self, X: Matrix, exact: bool = True) -> Matrix:
        """Each entered ratio's effect on the log-odds, relative to the average training buyer (always
        exact: `exact` is accepted for the common interface)."""
        coef, mean = self._fitted()
        out = np.zeros((len(X), len(ATTRS)))
        out[:, self.selected_] = (self._woe(X, self.selected_) - mean) * coef
        return out

    def importance(self) -> pd.Series:
        _coef, _ = self._fitted()
        iv = pd.Series({ATTRS[j]: self.bins_[j].iv for j in self.selected_})
        return iv.sort_values(ascending=False)

    def points_table(self) -> pd.DataFrame:
        """Points per bin (higher = safer): score = Σ points, 600 points = survival odds 50:1."""
        coef, _ = self._fitted()
        factor = PDO / np.log(2)
        offset = BASE_SCORE - factor * np.log(BASE_ODDS)
        n = len(self.selected_)
        rows = []
        for c, j in zip(coef, self.selected_, strict=True):
            b = self.bins_[j]
            edges = (-np.inf, *b.splits, np.inf)
            for i, w in enumerate((*b.woe, b.woe_missing)):
                where = "missing" if i == len(b.woe) else f"[{edges[i]:.4g}, {edges[i + 1]:.4g})"
                pts = -factor * (c * w + self.intercept_ / n) + offset / n
                rows.append({"attr": b.attr, "ratio": label_of(b.attr), "bin": where, "woe": round(w, 4),
                             "points": round(float(pts), 1)})
        return pd.DataFrame(rows)

    def clone(self) -> Self:
        return type(self)(self.max_n_prebins, self.min_prebin_size, self.trend, self.min_iv, self.max_corr,
                          self.C, self.seed)

    def to_dict(self) -> dict[str, Any]:
        coef, mean = self._fitted()
        return {
            "kind": "scorecard",
            "params": {"max_n_prebins": self.max_n_prebins, "min_prebin_size": self.min_prebin_size,
                       "trend": self.trend, "min_iv": self.min_iv, "max_corr": self.max_corr, "C": self.C,
                       "seed": self.seed},
            "bins": [{"attr": b.attr, "splits": list(b.splits), "woe": list(b.woe),
                      "woe_missing": b.woe_missing, "iv": b.iv, "event_rates": list(b.event_rates)}
                     for b in self.bins_],
            "selected": [ATTRS[j] for j in self.selected_],
            "coef": coef.tolist(), "intercept": self.intercept_, "mean_woe": mean.tolist(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScorecardScorer:
        s = cls(**d["params"])
        s.bins_ = [BinnedRatio(b["attr"], tuple(b["splits"]), tuple(b["woe"]), b["woe_missing"], b["iv"],
                               tuple(b.get("event_rates", ()))) for b in d["bins"]]
        s.selected_ = [ATTRS.index(a) for a in d["selected"]]
        s.coef_, s.intercept_ = np.asarray(d["coef"]), float(d["intercept"])
        s.mean_woe_ = np.asarray(d["mean_woe"])
        return s


def _export(attr: str, ob: Any) -> BinnedRatio:
    table = ob.binning_table.build()
    n = len(ob.splits) + 1
    woe = tuple(float(table.loc[i, "WoE"]) for i in range(n))
    rates = tuple(float(table.loc[i, "Event rate"]) for i in range(n))
    missing = float(table.loc[n + 1, "WoE"]) if float(table.loc[n + 1, "Count"]) > 0 else 0.0
    return BinnedRatio(attr, tuple(float(s) for s in ob.splits), woe, missing,
                       float(table.loc["Totals", "IV"]), rates)


def _select(W: Matrix, iv: list[float], min_iv: float, max_corr: float) -> list[int]:
    """Ratios by falling IV, skipping those too weak or too close to one already entered."""
    chosen: list[int] = []
    std = W.std(axis=0)
    for j in sorted(range(len(iv)), key=lambda j: -iv[j]):
        if iv[j] < min_iv or std[j] == 0:
            continue
        if chosen:
            corr = np.atleast_2d(np.corrcoef(W[:, [j, *chosen]].T))[0, 1:]
            if np.nanmax(np.abs(corr)) > max_corr:
                continue
        chosen.append(j)
    return sorted(chosen)
