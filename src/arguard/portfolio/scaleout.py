"""Running the simulation's chunks on Dask distributed when `ARGUARD_DASK_SCHEDULER` names a scheduler.

Each chunk draws from its own seeded stream, so a chunk gives the same numbers wherever it runs and
the cluster's answer equals the in-process one for the same seed; the chunks come back in order.
Dask is imported only when a scheduler is configured.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from arguard.portfolio.conditional import Prepared
from arguard.portfolio.montecarlo import Mapper, in_process

ENV = "ARGUARD_DASK_SCHEDULER"


def dask_mapper(address: str) -> Mapper:
    """A mapper that sends every chunk to the cluster at `address` (tcp://host:8786, or a
    LocalCluster's address); the prepared tables are scattered once to every worker."""

    def run_on_cluster(fn: Callable[..., Any], prep: Prepared, calls: Sequence[tuple[Any, ...]]) -> list[Any]:
        from distributed import Client

        with Client(address, set_as_default=False) as client:
            shared = client.scatter(prep, broadcast=True)
            futures = [client.submit(fn, shared, *call, pure=False) for call in calls]
            return list(client.gather(futures))

    return run_on_cluster


def configured_mapper(address: str | None = None) -> tuple[Mapper, str | None]:
    """The mapper to use and the scheduler it talks to (None: in-process)."""
    address = address or os.environ.get(ENV) or None
    return (dask_mapper(address), address) if address else (in_process, None)
