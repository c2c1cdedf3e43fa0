"""Reproducible training and validation of the two PD models on the Polish bankruptcy data.

The shipped file is split once, stratified, with a fixed seed: 80 % development, 20 % hold-out. All
choices (parameters, calibration) are made on the development part by cross-validation; the hold-out
is scored once by the models fitted on the development part — exactly the models that are shipped.
(The original UCI test split is not public, so this hold-out is carved from the training file.)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from arguard.core.errors import ValidationError
from arguard.risk.estimators import CalibratedPD, GradientBoostedScorer, Matrix, as_matrix, top_indices
from arguard.risk.features import feature_label
from arguard.risk.masterscale import BANDS, grades_of
from arguard.risk.ratios import ATTRS
from arguard.risk.scorecard import ScorecardScorer

SEED = 20240601
HOLDOUT_FRACTION = 0.2
PUBLISHED = {
    "source": "Expert Systems 2024, DOI 10.1111/exsy.13599 (hold-out AUC, 5th-year file, original test split)",
    "LightGBM": 0.958, "CatBoost": 0.961, "best ensemble": 0.963,
}


def load_arff(text: str) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """Ratios (`Attr1`…`Attr64`, '?' → NaN) and the class (1 = bankrupt within the horizon)."""
    head, sep, body = text.partition("@data")
    if not sep:
        raise ValidationError("not an ARFF file: no @data section", code="invalid_arff")
    names = [line.split()[1] for line in head.splitlines() if line.lower().startswith("@attribute")]
    rows = [line.split(",") for line in body.split() if line and not line.startswith("%")]
    frame = pd.DataFrame(rows, columns=names).replace("?", np.nan)
    X = frame[list(ATTRS)].astype(np.float64)
    y = frame["class"].astype(np.int64).to_numpy()
    return X, y


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ks_statistic(y: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Kolmogorov–Smirnov: largest gap between the score distributions of failed and survived."""
    ya, s = np.asarray(y), np.asarray(score)
    order = np.argsort(-s, kind="stable")
    ys = ya[order]
    tpr = np.cumsum(ys) / max(ys.sum(), 1)
    fpr = np.cumsum(1 - ys) / max((1 - ys).sum(), 1)
    return float(np.max(np.abs(tpr - fpr)))


def discrimination(y: npt.ArrayLike, pd_: npt.ArrayLike) -> dict[str, float]:
    ya, p = np.asarray(y), np.asarray(pd_)
    return {"auc": round(float(roc_auc_score(ya, p)), 4), "ks": round(ks_statistic(ya, p), 4),
            "brier": round(float(brier_score_loss(ya, p)), 4), "rows": len(ya),
            "failed": int(ya.sum()), "mean_pd": round(float(p.mean()), 4),
            "observed_rate": round(float(ya.mean()), 4)}


def calibration_table(y: npt.ArrayLike, pd_: npt.ArrayLike) -> list[dict[str, Any]]:
    """Per grade of the master scale: buyers, mean predicted PD, observed failure rate."""
    ya, p = np.asarray(y), np.asarray(pd_)
    grades = grades_of(p)
    rows = []
    for band in BANDS[:9]:
        mask = grades == band.grade
        if not mask.any():
            continue
        rows.append({"grade": band.grade, "pd_band": f"{band.lower:.2%}–{band.upper:.2%}", "buyers": int(mask.sum()),
                     "mean_pd": round(float(p[mask].mean()), 4), "observed": round(float(ya[mask].mean()), 4),
                     "failed": int(ya[mask].sum())})
    return rows


def psi(expected: npt.ArrayLike, actual: npt.ArrayLike) -> float:
    """Population stability index of two PD samples over the grades of the master scale."""
    e = np.bincount(grades_of(expected), minlength=11)[1:10] / max(len(np.asarray(expected)), 1)
    a = np.bincount(grades_of(actual), minlength=11)[1:10] / max(len(np.asarray(actual)), 1)
    e, a = np.clip(e, 1e-4, None), np.clip(a, 1e-4, None)
    return round(float(np.sum((a - e) * np.log(a / e))), 4)


def fold_aucs(model: CalibratedPD, y: npt.NDArray[np.int64], X: Matrix) -> list[float]:
    folds = StratifiedKFold(model.n_folds, shuffle=True, random_state=model.seed)
    oof = model.oof_log_odds_
    assert oof is not None
    return [round(float(roc_auc_score(y[v], oof[v])), 4) for _, v in folds.split(X, y)]


@dataclass
class TrainedModels:
    """The two fitted models and everything the model card reports about them."""

    gbm: CalibratedPD
    scorecard: CalibratedPD
    metadata: dict[str, Any] = field(default_factory=dict)


def build_models(seed: int = SEED, threads: int = 2) -> dict[str, CalibratedPD]:
    return {
        "gbm": CalibratedPD(GradientBoostedScorer(seed=seed, threads=threads), n_folds=5, seed=seed),
        "scorecard": CalibratedPD(ScorecardScorer(seed=seed), n_folds=5, seed=seed),
    }


def evaluate(name: str, model: CalibratedPD, Xd: Matrix, yd: npt.NDArray[np.int64], Xh: Matrix,
             yh: npt.NDArray[np.int64]) -> dict[str, Any]:
    oof_pd = model.oof_pd_
    hold_pd = model.predict_pd(Xh)
    scorer = model.scorer_
    importance = scorer.importance().head(15)
    return {
        "oof": discrimination(yd, oof_pd),
        "oof_fold_auc": fold_aucs(model, yd, Xd),
        "holdout": discrimination(yh, hold_pd),
        "calibration_oof": calibration_table(yd, oof_pd),
        "calibration_holdout": calibration_table(yh, hold_pd),
        "psi_dev_vs_holdout": psi(oof_pd, hold_pd),
        "importance": [{"attr": a, "ratio": feature_label(a), "share": round(float(v), 4)}
                       for a, v in importance.items()],
        "importance_kind": "gain share" if name == "gbm" else "information value",
        **({"reasons_agreement": reasons_agreement(model, Xh)} if name == "gbm" else {}),
    }


def reasons_agreement(model: CalibratedPD, X: Matrix, top: int = 3) -> dict[str, float]:
    """How often the fast per-leaf reasons name what exact TreeSHAP names, on rows the model never saw:
    the strongest reason (and its direction), and the share of the top `top` they have in common."""
    fast = model.contributions(X)
    exact = model.contributions(X, exact=True)
    fi, fv = top_indices(fast, top)
    ei, ev = top_indices(exact, top)
    overlap = np.mean([len(set(a) & set(b)) / top for a, b in zip(fi.tolist(), ei.tolist(), strict=True)])
    return {"top1_same": round(float(np.mean(fi[:, 0] == ei[:, 0])), 4),
            "top1_same_and_direction": round(float(np.mean((fi[:, 0] == ei[:, 0]) &
                                                           (np.sign(fv[:, 0]) == np.sign(ev[:, 0])))), 4),
            f"top{top}_overlap": round(float(overlap), 4),
            "correlation": round(float(np.corrcoef(fast.ravel(), exact.ravel())[0, 1]), 4)}


def train(arff_text: str, *, trained_on: str, seed: int = SEED, threads: int = 2,
          source: str = "polish_5year_train.arff") -> TrainedModels:
    """Split, fit both models on the development part, validate on the hold-out; pure and seeded."""
    X, y = load_arff(arff_text)
    Xm = as_matrix(X)
    Xd, Xh, yd, yh = train_test_split(Xm, y, test_size=HOLDOUT_FRACTION, stratify=y, random_state=seed)
    models = build_models(seed, threads)
    results: dict[str, Any] = {}
    for name, model in models.items():
        model.fit(Xd, yd)
        results[name] = evaluate(name, model, Xd, yd, Xh, yh)
        results[name]["params"] = model.to_dict()["scorer"].get("params", {})
        results[name]["n_rounds"] = model.to_dict()["scorer"].get("n_rounds")
        results[name]["features"] = len(getattr(model.scorer_, "features", ATTRS))
    data_hash = sha256_text(arff_text)
    metadata = {
        "model_version": f"{trained_on}-{data_hash[:8]}",
        "trained_on": trained_on,
        "horizon_months": 12,
        "data": {"file": source, "sha256": data_hash, "rows": len(y), "failed": int(y.sum()),
                 "license": "CC BY 4.0, Tomczak (2016), UCI ML Repository id 365"},
        "split": {"holdout_fraction": HOLDOUT_FRACTION, "seed": seed, "stratified": True,
                  "development_rows": len(yd), "holdout_rows": len(yh), "folds": 5},
        "models": results,
        "published": PUBLISHED,
        "typical_pd": round(float(np.median(models["gbm"].oof_pd_)), 4),
    }
    return TrainedModels(models["gbm"], models["scorecard"], metadata)
