"""Aging + DSO over 1,000,000 open items, read from the database (SQLite and PostgreSQL).

Loads ARGUARD_BENCH_ROWS (default 1,000,000) open invoices of 20,000 customers (through the CSV import),
then times `aging_report` (buckets per customer and currency, totals, conversion), `dso_report`
(simple and count-back DSO, BPDSO, ADD, CEI), the two called one after the other, and `aging_and_dso`
(both from one pass) as of today and as of a past date (reconstruction from the facts), and
`dso_series` over 12 month-ends. Each figure is the best of 5 runs, the whole round trip included:
wall seconds and the process's CPU seconds (SQLite runs inside the process, so its CPU time is the
whole cost; PostgreSQL's server time is only in the wall time). The machine is shared: CPU time is the
steadier figure.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from bench.bench_ledger_import import CUSTOMERS, ROWS, _pg_database, write_invoices
from bench.machine import describe


def _best(fn, runs: int = 5) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(best wall seconds, best CPU seconds of this process) over `runs` runs."""
    wall = cpu = float("inf")
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return wall, cpu


def _fmt(t: tuple[float, float]) -> str:
    return f"{t[0]:.2f} s (CPU {t[1]:.2f} s)"


def run(name: str, url: str, path: Path) -> None:
    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.ledger import metrics, service
    from arguard.ledger.model import CustomerRecord
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_company

    engine = get_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        cid = create_company(s, "AGE" + uuid.uuid4().hex[:6].upper(), "Aging benchmark").id
    with session_scope(engine) as s:
        ctx = ServiceContext(s, cid, "bench")
        service.import_records(ctx, "customers", [CustomerRecord(f"C{i:05d}", f"Customer {i}", "DE")
                                                  for i in range(CUSTOMERS)])
        service.add_fx_rate(ctx, "USD", "EUR", "0.92", date(2020, 1, 1))
    t = time.perf_counter()
    with session_scope(engine) as s:
        service.import_file(ServiceContext(s, cid, "bench"), "invoices", str(path))
    print(f"{name}: loaded {ROWS:,} open items in {time.perf_counter() - t:.0f} s")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE invoices")
    today, past = date(2026, 1, 1), date(2025, 6, 30)
    with session_scope(engine) as s:
        ctx = ServiceContext(s, cid, "bench", "viewer")
        for label, as_of in (("as of today", today), ("as of a past date", past)):
            aging = _best(lambda a=as_of: service.aging_report(ctx, a))
            dso = _best(lambda a=as_of: service.dso_report(ctx, a))
            both = _best(lambda a=as_of: (service.aging_report(ctx, a), service.dso_report(ctx, a)))
            one_pass = _best(lambda a=as_of: service.aging_and_dso(ctx, a))
            report = service.aging_report(ctx, as_of)
            items = sum(r.items for r in report.totals)
            print(f"{name:10s} {label:18s}: aging {_fmt(aging)}, DSO {_fmt(dso)}, aging + DSO {_fmt(both)}, "
                  f"aging_and_dso {_fmt(one_pass)} ({items:,} open items, {len(report.rows):,} customer rows; "
                  f"load {os.getloadavg()[0]:.1f})")
        ends = [metrics.add_months(date(2025, 12, 31), -k) for k in range(12)]
        series = _best(lambda: service.dso_series(ctx, ends), 3)
        print(f"{name:10s} dso_series of 12 month-ends: {_fmt(series)} (load {os.getloadavg()[0]:.1f})")
    engine.dispose()


def main() -> None:
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "invoices.csv"
        write_invoices(path, ROWS)
        run("SQLite", f"sqlite:///{Path(tmp) / 'aging.db'}", path)
        pg = _pg_database()
        if pg:
            try:
                run("PostgreSQL", pg[0], path)
            finally:
                pg[1]()  # type: ignore[operator]


if __name__ == "__main__":
    main()
