"""PD models behind one estimator interface (scikit-learn shape).

A *scorer* turns ratios into uncalibrated log-odds and per-ratio contributions: `GradientBoostedScorer`
(LightGBM, for accuracy) and `ScorecardScorer` (optimal binning + WoE logistic regression, for points
an analyst can read, in `scorecard.py`). `CalibratedPD` wraps either into a `PDModel`: it fits the
scorer on k folds, fits a Platt calibration on the out-of-fold scores (so the calibration never sees
scores of the rows it was fitted on), then refits the scorer on all rows.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Protocol, Self, runtime_checkable

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from arguard.core.errors import ValidationError
from arguard.risk.features import FEATURES, derive, feature_label
from arguard.risk.labels import zh_label
from arguard.risk.model import Reason
from arguard.risk.ratios import ATTRS

Matrix = npt.NDArray[np.float64]


class ModelFitError(ValidationError):
    """A model could not be fitted; the message lists the likely causes."""

    code = "model_fit_failed"


def as_matrix(X: pd.DataFrame | npt.ArrayLike, features: tuple[str, ...] = ATTRS) -> Matrix:
    """Ratios as a float matrix in `features` order; absent columns and empty cells become NaN."""
    if isinstance(X, pd.DataFrame):
        frame = X.reindex(columns=list(features))
        return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != len(features):
        raise ValidationError(f"expected a matrix with {len(features)} columns, got shape {arr.shape}")
    return arr


def check_training_data(X: Matrix, y: npt.NDArray[np.int_]) -> None:
    causes = []
    if len(X) != len(y):
        causes.append(f"{len(X)} rows of ratios but {len(y)} labels")
    if len(set(np.unique(y)) - {0, 1}):
        causes.append("labels must be 0 (survived) or 1 (failed)")
    if y.sum() < 10 or (1 - y).sum() < 10:
        causes.append(f"too few of one class ({int(y.sum())} failed, {int((1 - y).sum())} survived); need ≥ 10 each")
    if causes:
        raise ModelFitError("cannot fit a PD model: " + "; ".join(causes))


@runtime_checkable
class Scorer(Protocol):
    """Uncalibrated model: log-odds of failure and each ratio's share of them."""

    def fit(self, X: Matrix, y: npt.NDArray[np.int_]) -> Self: ...
    def log_odds(self, X: Matrix) -> Matrix: ...
    def contributions(self, X: Matrix) -> Matrix: ...
    def clone(self) -> Self: ...
    def to_dict(self) -> dict[str, Any]: ...


@runtime_checkable
class PDModel(Protocol):
    """What every PD model offers: `fit` returns self; PDs in [0, 1]; the top reasons per row."""

    def fit(self, X: pd.DataFrame | Matrix, y: npt.ArrayLike) -> Self: ...
    def predict_pd(self, X: pd.DataFrame | Matrix) -> Matrix: ...
    def explain(self, X: pd.DataFrame | Matrix, top: int = 3) -> list[tuple[Reason, ...]]: ...


# Chosen by 5-fold cross-validation on the development part only (docs/model-card.md, "Tuning"):
# shallow extremely-randomised trees on the ratios and the derived features (`features.py`).
GBM_PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.06, "num_leaves": 7, "min_child_samples": 10,
    "colsample_bytree": 0.7, "reg_lambda": 1.0, "scale_pos_weight": 5.0, "extra_trees": True,
    "verbose": -1, "deterministic": True, "force_row_wise": True,
}
GBM_ROUNDS = 200
CHUNK_ROWS = 131_072
"""Rows per LightGBM call in bulk scoring (bounds the memory of the leaf-index matrix)."""


@dataclass
class LeafAttribution:
    """Per-leaf attributions: for each leaf of each tree, the mean TreeSHAP value of every feature over
    the training rows that reach the leaf (Fast reasons: one table lookup per tree instead of TreeSHAP).

    They add up exactly like TreeSHAP — within a tree the mean of a row-sum is the leaf's value minus the
    tree's expected value, so the attributions of a row sum to its log-odds minus the constant `base` —
    and on the hold-out they name the same strongest reason as exact TreeSHAP for about three buyers in
    four and share nine in ten of the top three (docs/model-card.md, "Reasons"). offsets: first global
    leaf id of each tree; leaf_value: output of each global leaf; base: sum of the trees' expected values;
    table: attribution of each global leaf to each feature (stored sparse, to 6 significant digits).
    """

    offsets: npt.NDArray[np.int64]
    leaf_value: Matrix
    base: float
    table: Matrix  # (global leaves × features)

    @classmethod
    def fit(cls, booster: lgb.Booster, Xf: Matrix, threads: int) -> LeafAttribution:
        info = booster.dump_model()["tree_info"]
        sizes = np.array([t["num_leaves"] for t in info], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        leaf_value = np.zeros(int(sizes.sum()))
        table = np.zeros((int(sizes.sum()), Xf.shape[1]))
        leaves = np.asarray(booster.predict(Xf, pred_leaf=True, num_threads=threads), dtype=np.int64)
        base = 0.0
        for t in range(len(info)):
            phi = np.asarray(booster.predict(Xf, pred_contrib=True, start_iteration=t, num_iteration=1,
                                             num_threads=threads))
            base += float(phi[0, -1])
            ids = offsets[t] + leaves[:, t]
            counts = np.bincount(ids - offsets[t], minlength=int(sizes[t]))
            for j in np.flatnonzero(np.abs(phi[:, :-1]).sum(axis=0)):
                sums = np.bincount(ids - offsets[t], weights=phi[:, j], minlength=int(sizes[t]))
                table[offsets[t]:offsets[t] + sizes[t], j] = np.divide(sums, counts, out=np.zeros_like(sums),
                                                                       where=counts > 0)
            leaf_value[offsets[t]:offsets[t] + sizes[t]] = _leaf_values(info[t]["tree_structure"], int(sizes[t]))
        return cls(offsets, leaf_value, base, table)

    def scores(self, leaves: npt.NDArray[np.int_]) -> tuple[Matrix, Matrix]:
        """Raw log-odds and attributions of rows given their leaf index in every tree.

        One pass per (tree, feature it uses): a 7-entry look-up by leaf and a contiguous column add.
        """
        by_tree = np.asarray(leaves).T.astype(np.intp, order="C")  # one copy: a contiguous row per tree
        raw = np.zeros(by_tree.shape[1])
        contrib = np.zeros((by_tree.shape[1], self.table.shape[1]), order="F")
        for t, (lo, features, values) in enumerate(self._by_tree()):
            leaf = by_tree[t]
            raw += self.leaf_value[lo:lo + len(values)].take(leaf)
            for j, v in zip(features, values.T, strict=True):
                contrib[:, j] += v.take(leaf)
        return raw, np.ascontiguousarray(contrib)

    def _by_tree(self) -> list[tuple[int, list[int], Matrix]]:
        """Per tree: first global leaf id, the features it attributes to, their (leaves × features) values."""
        if "_trees" not in self.__dict__:
            ends = [*self.offsets[1:].tolist(), len(self.leaf_value)]
            trees = []
            for lo, hi in zip(self.offsets.tolist(), ends, strict=True):
                block = self.table[lo:hi]
                used = np.flatnonzero(np.abs(block).sum(axis=0)).tolist()
                trees.append((lo, used, np.ascontiguousarray(block[:, used])))
            self.__dict__["_trees"] = trees
        return self.__dict__["_trees"]  # type: ignore[no-any-return]

    def to_dict(self) -> dict[str, Any]:
        rows, cols = np.nonzero(self.table)
        return {"offsets": self.offsets.tolist(), "base": self.base,
                "leaf": rows.tolist(), "feature": cols.tolist(),
                "value": [float(f"{v:.6g}") for v in self.table[rows, cols]]}

    @classmethod
    def from_dict(cls, d: dict[str, Any], booster: lgb.Booster, n_features: int) -> LeafAttribution:
        info = booster.dump_model()["tree_info"]
        sizes = [t["num_leaves"] for t in info]
        leaf_value = np.concatenate([_leaf_values(t["tree_structure"], n) for t, n in zip(info, sizes, strict=True)])
        table = np.zeros((len(leaf_value), n_features))
        table[np.asarray(d["leaf"], dtype=np.int64), np.asarray(d["feature"], dtype=np.int64)] = d["value"]
        return cls(np.asarray(d["offsets"], dtype=np.int64), leaf_value, float(d["base"]), table)


def _leaf_values(node: dict[str, Any], n_leaves: int) -> Matrix:
    out = np.zeros(n_leaves)
    stack = [node]
    while stack:
        n = stack.pop()
        if "leaf_index" in n or "left_child" not in n:
            out[n.get("leaf_index", 0)] = n["leaf_value"]
        else:
            stack += [n["left_child"], n["right_child"]]
    return out


@dataclass
class GradientBoostedScorer:
    """LightGBM on the 64 ratios and the derived features (`features.derive`); missing values go down
    the branch learnt for them.

    params: LightGBM parameters; n_rounds: boosting rounds; seed: every random draw; threads: CPU
    threads; derived: add the derived features (False: the 64 ratios only). Fitted: booster_,
    attribution_ (per-leaf reasons, after `fit_attribution`).
    """

    params: dict[str, Any] = field(default_factory=lambda: dict(GBM_PARAMS))
    n_rounds: int = GBM_ROUNDS
    seed: int = 20240601
    threads: int = 2
    derived: bool = True
    booster_: lgb.Booster | None = field(default=None, repr=False)
    attribution_: LeafAttribution | None = field(default=None, repr=False)

    @property
    def features(self) -> tuple[str, ...]:
        return FEATURES if self.derived else ATTRS

    def expand(self, X: Matrix) -> Matrix:
        """The model's input matrix: ratios, then the derived features when `derived`."""
        return derive(X) if self.derived else X

    def fit(self, X: Matrix, y: npt.NDArray[np.int_]) -> Self:
        params = {**self.params, "seed": self.seed, "num_threads": self.threads}
        data = lgb.Dataset(self.expand(X), label=y, feature_name=list(self.features), free_raw_data=True)
        self.booster_ = lgb.train(params, data, num_boost_round=self.n_rounds)
        self.attribution_ = None
        return self

    def fit_attribution(self, X: Matrix) -> Self:
        """Tabulate the per-leaf reasons from the training rows (done once, for the shipped model)."""
        self.attribution_ = LeafAttribution.fit(self._booster(), self.expand(X), self.threads)
        return self

    def _booster(self) -> lgb.Booster:
        if self.booster_ is None:
            raise ModelFitError("the gradient-boosted scorer is not fitted")
        return self.booster_

    def log_odds(self, X: Matrix) -> Matrix:
        return np.asarray(self._booster().predict(self.expand(X), raw_score=True, num_threads=self.threads))

    def contributions(self, X: Matrix, exact: bool = False) -> Matrix:
        """Each feature's share of the log-odds: per-leaf attributions (fast), or exact TreeSHAP
        (`exact`, or when no attribution table was fitted)."""
        if exact or self.attribution_ is None:
            out = np.asarray(self._booster().predict(self.expand(X), pred_contrib=True, num_threads=self.threads))
            return out[:, :-1]
        return self.scores(X)[1]

    def scores(self, X: Matrix) -> tuple[Matrix, Matrix]:
        """Log-odds and per-leaf attributions in one LightGBM pass (leaf indices), in chunks."""
        return self.scores_of_features(self.expand(X))

    def scores_of_features(self, Xf: Matrix) -> tuple[Matrix, Matrix]:
        """`scores` of an already expanded matrix (see `expand`)."""
        att = self.attribution_
        if att is None:
            out = np.asarray(self._booster().predict(Xf, pred_contrib=True, num_threads=self.threads))
            return out.sum(axis=1), out[:, :-1]
        raw, contrib = np.empty(len(Xf)), np.empty((len(Xf), len(self.features)))
        for lo in range(0, len(Xf), CHUNK_ROWS):
            hi = min(lo + CHUNK_ROWS, len(Xf))
            leaves = self._booster().predict(Xf[lo:hi], pred_leaf=True, num_threads=self.threads)
            raw[lo:hi], contrib[lo:hi] = att.scores(np.asarray(leaves))
        return raw, contrib

    def importance(self) -> pd.Series:
        gain = self._booster().feature_importance(importance_type="gain")
        return pd.Series(gain / gain.sum(), index=list(self.features)).sort_values(ascending=False)

    def clone(self) -> Self:
        return type(self)(dict(self.params), self.n_rounds, self.seed, self.threads, self.derived)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "lightgbm", "params": self.params, "n_rounds": self.n_rounds, "seed": self.seed,
                "derived": self.derived, "features": list(self.features),
                "attribution": self.attribution_.to_dict() if self.attribution_ is not None else None,
                "booster": self._booster().model_to_string()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GradientBoostedScorer:
        booster = lgb.Booster(model_str=d["booster"])
        scorer = cls(dict(d["params"]), int(d["n_rounds"]), int(d["seed"]), derived=bool(d.get("derived", False)),
                     booster_=booster)
        if d.get("attribution"):
            scorer.attribution_ = LeafAttribution.from_dict(d["attribution"], booster, len(scorer.features))
        return scorer


@dataclass(frozen=True, slots=True)
class PlattCalibration:
    """PD = 1 / (1 + exp(-(slope · log_odds + intercept)))."""

    slope: float
    intercept: float

    @classmethod
    def fit(cls, log_odds: Matrix, y: npt.NDArray[np.int_]) -> PlattCalibration:
        lr = LogisticRegression(C=1e6, solver="lbfgs").fit(log_odds.reshape(-1, 1), y)
        return cls(float(lr.coef_[0, 0]), float(lr.intercept_[0]))

    def logit(self, log_odds: Matrix) -> Matrix:
        return self.slope * log_odds + self.intercept

    def pd(self, log_odds: Matrix) -> Matrix:
        return 1.0 / (1.0 + np.exp(-self.logit(log_odds)))


@dataclass
class CalibratedPD:
    """A scorer with out-of-fold Platt calibration: the `PDModel` the rest of arguard uses.

    scorer: an unfitted scorer (prototype); n_folds: folds for the out-of-fold scores; seed: fold draw.
    Fitted: scorer_ (refitted on all rows), calibration_, oof_log_odds_ and oof_pd_ (one per row).
    """

    scorer: Any
    n_folds: int = 5
    seed: int = 20240601
    scorer_: Any = field(default=None, repr=False)
    calibration_: PlattCalibration | None = None
    oof_log_odds_: Matrix | None = field(default=None, repr=False)
    medians_: Matrix | None = field(default=None, repr=False)

    def fit(self, X: pd.DataFrame | Matrix, y: npt.ArrayLike) -> Self:
        Xm, ya = as_matrix(X), np.asarray(y, dtype=np.int64)
        check_training_data(Xm, ya)
        oof = np.zeros(len(ya))
        folds = StratifiedKFold(self.n_folds, shuffle=True, random_state=self.seed)
        for train, valid in folds.split(Xm, ya):
            oof[valid] = self.scorer.clone().fit(Xm[train], ya[train]).log_odds(Xm[valid])
        self.oof_log_odds_ = oof
        self.calibration_ = PlattCalibration.fit(oof, ya)
        self.scorer_ = self.scorer.clone().fit(Xm, ya)
        if hasattr(self.scorer_, "fit_attribution"):
            self.scorer_.fit_attribution(Xm)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column has no median
            self.medians_ = np.nanmedian(Xm, axis=0)
        return self

    def fill_unreported(self, X: Matrix, unreported: npt.NDArray[np.bool_]) -> Matrix:
        """Ratios whose items were not reported take the training median (a neutral value).

        In the training data a missing ratio is informative (a zero denominator, or a year the firm did
        not report before failing); a buyer's accountant leaving a line blank is not, so statement-item
        inputs use this and ratio files keep their blanks.
        """
        if self.medians_ is None:
            return X
        return np.where(unreported, self.medians_[np.newaxis, :], X)

    @property
    def oof_pd_(self) -> Matrix:
        cal = self._calibration()
        if self.oof_log_odds_ is None:
            raise ModelFitError("out-of-fold scores exist only on a model fitted here, not on a loaded one")
        return cal.pd(self.oof_log_odds_)

    def _calibration(self) -> PlattCalibration:
        if self.calibration_ is None or self.scorer_ is None:
            raise ModelFitError("the model is not fitted: call fit() or load a shipped artefact")
        return self.calibration_

    def predict_pd(self, X: pd.DataFrame | Matrix) -> Matrix:
        cal = self._calibration()
        return cal.pd(self.scorer_.log_odds(as_matrix(X)))

    @property
    def features(self) -> tuple[str, ...]:
        """What the contributions are about: the ratios, and the derived features where the model uses them."""
        return tuple(getattr(self.scorer_, "features", ATTRS))

    def feature_values(self, X: pd.DataFrame | Matrix) -> Matrix:
        """The values behind each contribution column (ratios, then derived features)."""
        Xm = as_matrix(X)
        return self.scorer_.expand(Xm) if hasattr(self.scorer_, "expand") else Xm

    def contributions(self, X: pd.DataFrame | Matrix, exact: bool = False) -> Matrix:
        """Per-feature effect on the calibrated log-odds (the scorer's share times the Platt slope).

        exact: TreeSHAP for the gradient-boosted model (slow: thousands of rows a second); otherwise its
        per-leaf attributions. The scorecard's points are exact either way."""
        return self._calibration().slope * self.scorer_.contributions(as_matrix(X), exact=exact)

    def score(self, X: pd.DataFrame | Matrix) -> tuple[Matrix, Matrix, Matrix]:
        """PDs, contributions and the values behind them, together (one pass over the trees for the
        gradient-boosted model)."""
        cal, Xm = self._calibration(), as_matrix(X)
        Xf = self.feature_values(Xm)
        if hasattr(self.scorer_, "scores_of_features"):
            raw, contrib = self.scorer_.scores_of_features(Xf)
        else:
            raw, contrib = self.scorer_.log_odds(Xm), self.scorer_.contributions(Xm)
        return cal.pd(raw), cal.slope * contrib, Xf

    def explain(self, X: pd.DataFrame | Matrix, top: int = 3, exact: bool = False) -> list[tuple[Reason, ...]]:
        Xm = as_matrix(X)
        return reasons_from_contributions(self.contributions(Xm, exact=exact), self.feature_values(Xm), top,
                                          self.features)

    def to_dict(self) -> dict[str, Any]:
        cal = self._calibration()
        return {"scorer": self.scorer_.to_dict(), "n_folds": self.n_folds, "seed": self.seed,
                "calibration": {"method": "platt", "slope": cal.slope, "intercept": cal.intercept},
                "medians": [None if np.isnan(m) else float(m) for m in self.medians_]
                if self.medians_ is not None else None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CalibratedPD:
        from arguard.risk.scorecard import ScorecardScorer

        kinds: dict[str, Any] = {"lightgbm": GradientBoostedScorer, "scorecard": ScorecardScorer}
        scorer = kinds[d["scorer"]["kind"]].from_dict(d["scorer"])
        cal = PlattCalibration(d["calibration"]["slope"], d["calibration"]["intercept"])
        medians = np.asarray(d["medians"], dtype=np.float64) if d.get("medians") else None
        return cls(scorer.clone(), int(d["n_folds"]), int(d["seed"]), scorer_=scorer, calibration_=cal,
                   medians_=medians)


def top_indices(contrib: Matrix, top: int) -> tuple[npt.NDArray[np.intp], Matrix]:
    """Columns of the `top` largest |contributions| per row, strongest first, and their values."""
    k = min(top, contrib.shape[1])
    part = np.argpartition(-np.abs(contrib), k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(contrib, part, axis=1)
    order = np.argsort(-np.abs(vals), axis=1)
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)


def reasons_from_contributions(contrib: Matrix, X: Matrix, top: int = 3,
                               features: tuple[str, ...] = ATTRS) -> list[tuple[Reason, ...]]:
    """The `top` strongest contributions of each row as reasons; X holds the values of `features`."""
    idx, vals = top_indices(contrib, top)
    out: list[tuple[Reason, ...]] = []
    for r in range(len(idx)):
        row = []
        for j, impact in zip(idx[r], vals[r], strict=True):
            if impact == 0:
                continue
            value = X[r, j]
            attr = features[j]
            row.append(Reason(attr, feature_label(attr), "raises" if impact > 0 else "lowers", float(impact),
                              None if np.isnan(value) else float(value), zh_label(attr)))
        out.append(tuple(row))
    return out
