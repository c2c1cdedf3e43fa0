"""Batch scoring split across a Dask LocalCluster gives the in-process answer, issues and all — called
as a function and through `arguard risk score` with ARGUARD_DASK_SCHEDULER set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        yield cluster.scheduler_address


def ratio_rows(n: int) -> pd.DataFrame:
    from arguard.risk import store
    from arguard.risk.training import load_arff

    ratios, _ = load_arff(store.read_training_data())
    frame = ratios.iloc[:n].astype(object).copy()
    frame.insert(0, "id", [f"B{i:05d}" for i in range(len(frame))])
    return frame.reset_index(drop=True)


def test_scores_on_a_local_cluster_equal_the_in_process_scores(scheduler: str) -> None:
    from arguard.risk import store
    from arguard.risk.interface import score_frame_on_dask
    from arguard.risk.scoring import score_frame

    frame = ratio_rows(2_500)
    frame.iloc[1_234, 4] = "n/a"                         # an unreadable cell, reported with its line
    frame.iloc[2_001, 1:41] = float("nan")               # a row with few ratios
    here, here_issues = score_frame(store.load_models().get("gbm"), frame, source="batch.csv")
    there, there_issues = score_frame_on_dask(scheduler, frame, source="batch.csv", rows_per_task=600)
    pd.testing.assert_frame_equal(here, there)
    assert here_issues == there_issues
    assert any(i.line == 1_236 for i in there_issues)      # header is line 1, row 1,234 is line 1,236


def test_risk_score_uses_the_configured_scheduler(scheduler: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from arguard.risk import scaleout
    from arguard.risk.cli import app

    calls: list[str] = []
    real = scaleout.score_frame_on_dask

    def spy(address: str, *args: object, **kwargs: object) -> object:
        calls.append(address)
        return real(address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scaleout, "score_frame_on_dask", spy)
    src = tmp_path / "ratios.csv"
    ratio_rows(300).to_csv(src, index=False)
    outputs = []
    for env in (None, scheduler):
        if env:
            monkeypatch.setenv("ARGUARD_DASK_SCHEDULER", env)
        else:
            monkeypatch.delenv("ARGUARD_DASK_SCHEDULER", raising=False)
        out = tmp_path / f"scores_{bool(env)}.csv"
        result = CliRunner().invoke(app, ["score", "--input", str(src), "--out", str(out)])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text())
    assert calls == [scheduler]                          # the second run went to the cluster
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == 301
