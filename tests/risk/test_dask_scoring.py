"""Batch scoring split across a Dask LocalCluster gives the in-process answer, issues and all."""

from __future__ import annotations

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")


def test_scores_on_a_local_cluster_equal_the_in_process_scores() -> None:
    from arguard.risk import store
    from arguard.risk.interface import score_frame_on_dask
    from arguard.risk.scoring import score_frame
    from arguard.risk.training import load_arff

    ratios, _ = load_arff(store.read_training_data())
    frame = ratios.iloc[:2_500].astype(object).copy()
    frame.iloc[1_234, 3] = "n/a"                         # an unreadable cell, reported with its line
    frame.iloc[2_001, :40] = float("nan")                # a row with few ratios
    frame.insert(0, "id", [f"B{i:05d}" for i in range(len(frame))])
    frame = frame.reset_index(drop=True)
    here, here_issues = score_frame(store.load_models().get("gbm"), frame, source="batch.csv")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        there, there_issues = score_frame_on_dask(cluster.scheduler_address, frame, source="batch.csv",
                                                  rows_per_task=600)
    pd.testing.assert_frame_equal(here, there)
    assert here_issues == there_issues
    assert any(i.line == 1_236 for i in there_issues)      # header is line 1, row 1,234 is line 1,236
