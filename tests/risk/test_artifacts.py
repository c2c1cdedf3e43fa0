"""The shipped artefacts: they load, they match the shipped data, and they reproduce their metrics."""

from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from arguard.risk import store
from arguard.risk.estimators import as_matrix
from arguard.risk.training import load_arff, sha256_text


def test_metadata_describes_the_shipped_data_and_metrics() -> None:
    meta = store.load_models().metadata
    text = store.read_training_data()
    assert meta["data"]["sha256"] == sha256_text(text)
    assert meta["models"]["scorecard"]["holdout"]["auc"] >= 0.90
    assert meta["models"]["scorecard"]["oof"]["auc"] >= 0.90
    assert meta["models"]["gbm"]["holdout"]["auc"] >= 0.96  # issue 3's target, met without tuning on it
    assert meta["models"]["gbm"]["oof"]["auc"] >= 0.96
    assert meta["models"]["gbm"]["reasons_agreement"]["top3_overlap"] >= 0.8
    assert {"trained_on", "model_version", "split", "published"} <= set(meta)


def test_shipped_models_reproduce_their_holdout_auc() -> None:
    models = store.load_models()
    meta = models.metadata
    X, y = load_arff(store.read_training_data())
    _, Xh, _, yh = train_test_split(as_matrix(X), y, test_size=meta["split"]["holdout_fraction"], stratify=y,
                                    random_state=meta["split"]["seed"])
    for name in ("gbm", "scorecard"):
        auc = roc_auc_score(yh, models.get(name).predict_pd(Xh))
        assert round(auc, 4) == meta["models"][name]["holdout"]["auc"]


def test_artifacts_are_small_text() -> None:
    total = sum(p.stat().st_size for p in store.ARTIFACTS_DIR.iterdir())
    assert total < 3_000_000
    assert not list(store.ARTIFACTS_DIR.glob("*.pkl"))


def test_auc_standard_error_shrinks_with_more_failures() -> None:
    from arguard.risk.report import auc_standard_error

    few = auc_standard_error({"auc": 0.95, "rows": 1000, "failed": 50})
    many = auc_standard_error({"auc": 0.95, "rows": 10000, "failed": 500})
    assert 0.005 < few < 0.03 and many < few / 2
