"""One contract test over every PD model, on a slice of the real data (seeded)."""

import numpy as np
import pytest

from arguard.risk import store
from arguard.risk.estimators import CalibratedPD, GradientBoostedScorer, ModelFitError, PDModel, as_matrix
from arguard.risk.features import FEATURES
from arguard.risk.scorecard import ScorecardScorer
from arguard.risk.training import ks_statistic, load_arff, psi

SEED = 7


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_arff(store.read_training_data())
    rng = np.random.default_rng(SEED)
    print(f"seed {SEED}")
    rows = np.concatenate([np.flatnonzero(y == 1)[:120], rng.choice(np.flatnonzero(y == 0), 600, replace=False)])
    return as_matrix(X)[rows], y[rows]


MODELS = {
    "gbm": lambda: CalibratedPD(GradientBoostedScorer(n_rounds=60, seed=SEED, threads=1), n_folds=3, seed=SEED),
    "scorecard": lambda: CalibratedPD(ScorecardScorer(max_n_prebins=5, seed=SEED), n_folds=3, seed=SEED),
}


@pytest.fixture(scope="module", params=list(MODELS))
def fitted(request: pytest.FixtureRequest, data: tuple[np.ndarray, np.ndarray]) -> CalibratedPD:
    model = MODELS[request.param]()
    assert model.fit(*data) is model
    return model


def test_contract(fitted: CalibratedPD, data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    assert isinstance(fitted, PDModel)
    pds = fitted.predict_pd(X)
    assert pds.shape == (len(X),) and np.all((pds >= 0) & (pds <= 1))
    assert len(fitted.oof_pd_) == len(y) and ks_statistic(y, fitted.oof_pd_) > 0.3
    reasons = fitted.explain(X[:5], top=3)
    assert len(reasons) == 5 and all(1 <= len(r) <= 3 for r in reasons)
    assert all(r.direction in ("raises", "lowers") and r.code in FEATURES for rs in reasons for r in rs)
    # contributions add up: logit(PD) = constant + sum of the ratios' contributions
    contrib = fitted.contributions(X[:50])
    gap = np.log(pds[:50] / (1 - pds[:50])) - contrib.sum(axis=1)
    assert np.allclose(gap, gap[0], atol=1e-6)


def test_fast_reasons_add_up_and_mostly_name_what_treeshap_names(fitted: CalibratedPD,
                                                                  data: tuple[np.ndarray, np.ndarray]) -> None:
    X = data[0][:300]
    pds, fast, _ = fitted.score(X)
    assert np.allclose(pds, fitted.predict_pd(X))
    exact = fitted.contributions(X, exact=True)
    gap = np.log(pds / (1 - pds)) - fast.sum(axis=1)
    assert np.allclose(gap, gap[0], atol=1e-6)  # per-leaf attributions are additive too
    same_top = np.mean(np.argmax(np.abs(fast), axis=1) == np.argmax(np.abs(exact), axis=1))
    print(f"strongest reason the same as TreeSHAP's: {same_top:.0%}")
    assert same_top > 0.6


def test_round_trip_gives_the_same_pds(fitted: CalibratedPD, data: tuple[np.ndarray, np.ndarray]) -> None:
    again = CalibratedPD.from_dict(fitted.to_dict())
    assert np.allclose(again.predict_pd(data[0]), fitted.predict_pd(data[0]))
    assert np.allclose(again.contributions(data[0][:50]), fitted.contributions(data[0][:50]), atol=1e-5)


def test_missing_values_are_scored(fitted: CalibratedPD) -> None:
    empty = np.full((2, 64), np.nan)
    assert np.all(np.isfinite(fitted.predict_pd(empty)))


def test_fitting_is_reproducible(data: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = MODELS["gbm"]().fit(*data), MODELS["gbm"]().fit(*data)
    assert np.array_equal(a.predict_pd(data[0]), b.predict_pd(data[0]))


def test_fit_failure_lists_causes() -> None:
    with pytest.raises(ModelFitError, match="too few of one class"):
        MODELS["gbm"]().fit(np.zeros((30, 64)), np.r_[np.ones(3), np.zeros(27)])


def test_scorecard_bins_match_optbinning(data: tuple[np.ndarray, np.ndarray]) -> None:
    from optbinning import OptimalBinning

    X, y = data
    ours = ScorecardScorer(max_n_prebins=5).fit(X, y)
    ob = OptimalBinning(name="Attr37", dtype="numerical", solver="cp", max_n_prebins=5, min_prebin_size=0.05,
                        monotonic_trend="auto_asc_desc").fit(X[:, 36], y)
    expected = ob.transform(X[:, 36], metric="woe", metric_missing="empirical")
    assert np.allclose(ours.bins_[36].transform(X[:, 36]), expected)
    table = ours.points_table()
    assert set(table["attr"]) == {f"Attr{j + 1}" for j in ours.selected_}
    assert (ours.coef_ <= 0).all()  # safer bin (higher WoE) never raises the PD


def test_psi_of_identical_samples_is_zero() -> None:
    p = np.linspace(0, 0.5, 200)
    assert psi(p, p) == 0
