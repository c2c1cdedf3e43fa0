"""Posting a bank statement: `python -m bench statement_posting` (`--quick`: 500 entries, 10,000 items).

The whole `recon.service.import_statement` on a fresh SQLite file, as `bench_recon.platform` does it
(read the camt.053 written by `recon.writers`, store statement and entries, load open items and
customers, match, post every automatic match through the ledger), with the wall clock and the CPU
seconds of this process (SQLite runs in-process, so on a shared machine the CPU seconds are the
figure that does not depend on the neighbours). The ledger is loaded by the bulk importer first and
is not counted. Seed 7 (printed).

Target (issue 12): 5,000 entries in under 10 s on SQLite.

On a shared machine the wall clock mostly measures the neighbours. The bench also reports how long the
process waited for a core (Linux `/proc/self/schedstat`: run-queue wait) and the wall clock less that
wait — what the same run takes where a core is free when it is wanted, i.e. on an idle machine (the
rest is CPU, disk and the SQLite commit).
"""

from __future__ import annotations

import os
import sys
import time

from bench.machine import describe

SEED = 7


def measure(n_entries: int, n_items: int) -> str:
    from arguard.db.session import session_scope
    from arguard.platform.context import ServiceContext
    from arguard.recon import service
    from bench.bench_recon import statement_book

    print(f"seed {SEED}: {n_entries:,} entries against about {n_items:,} open items", flush=True)
    with statement_book(SEED, n_entries, n_items) as (engine, company_id, data, _open_items):
        lines = []
        for attempt in ("first import", "same file again"):
            load = os.getloadavg()[0]
            t0, c0, w0 = time.perf_counter(), time.process_time(), _waited()
            with session_scope(engine) as s:
                summary = service.import_statement(ServiceContext(s, company_id, "bench", "analyst"), "b.xml", data)
            wall, cpu, waited = time.perf_counter() - t0, time.process_time() - c0, _waited() - w0
            per = 1000 * cpu / max(summary.entries_new + summary.entries_duplicate, 1)
            lines.append(f"{attempt}: **{wall:.2f} s** wall, {cpu:.2f} s CPU ({per:.2f} ms CPU per entry), "
                         f"{waited:.2f} s waiting for a core, **{wall - waited:.2f} s** wall less that wait; "
                         f"load average {load:.1f} → {os.getloadavg()[0]:.1f}; "
                         f"{summary.entries_new:,} new, {summary.entries_duplicate:,} known, {summary.auto:,} "
                         f"posted to the ledger, {summary.suggested:,} suggested, {summary.unmatched:,} unmatched")
    return "\n".join(lines)


def _waited() -> float:
    """Seconds this process has spent runnable but waiting for a core (0 where Linux does not say)."""
    try:
        with open("/proc/self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def main(quick: bool = False) -> None:
    print(describe())
    print(measure(500, 10_000) if quick else measure(5_000, 100_000))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
