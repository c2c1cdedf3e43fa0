"""On a Dask LocalCluster the simulation gives the in-process answer for the same seed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arguard.portfolio.model import Correlation, SimulationSettings
from arguard.portfolio.scaleout import ENV, configured_mapper
from arguard.portfolio.simulation import simulate
from tests.portfolio.books import mixed

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        yield cluster.scheduler_address


def test_cluster_answer_equals_in_process_answer(scheduler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    book, corr = mixed(4_000, seed=8), Correlation()
    run = SimulationSettings(seed=123, min_scenarios=32_768, chunk=2_048)
    here = simulate(book, corr, run)
    monkeypatch.setenv(ENV, scheduler)
    mapper, address = configured_mapper()
    assert address == scheduler
    there = simulate(book, corr, run, mapper=mapper)
    print("seed", run.seed)
    assert there.scenarios == here.scenarios
    assert there.tail == here.tail
    assert there.contributions == here.contributions


def test_no_scheduler_means_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert configured_mapper()[1] is None
