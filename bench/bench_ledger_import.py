"""Import of 1,000,000 invoices from a CSV file into SQLite and PostgreSQL (rows/s, end to end).

End to end means: read the file, validate every row, resolve customers, write in one transaction
(staging/COPY, insert-or-ignore, conflict check), commit. Sizes: ARGUARD_BENCH_ROWS (default 1,000,000),
20,000 customers. PostgreSQL: ARGUARD_BENCH_PG (default postgresql+psycopg://postgres@127.0.0.1:5432/test,
used only to create a scratch database); skipped when it does not answer.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from bench.machine import describe

ROWS = int(os.environ.get("ARGUARD_BENCH_ROWS", "1000000"))
CUSTOMERS = 20_000
PG = os.environ.get("ARGUARD_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def write_invoices(path: Path, rows: int, seed: int = 20260101) -> None:
    """A realistic invoices file: 20,000 buyers, three years of issue dates, 30–90 day terms."""
    rng = random.Random(seed)
    first = date(2023, 1, 1).toordinal()
    with path.open("w", encoding="utf-8") as f:
        f.write("invoice_number,customer_id,issue_date,due_date,currency,amount\n")
        for i in range(rows):
            issued = first + rng.randrange(1095)
            due = issued + rng.choice((30, 45, 60, 90))
            cur = "EUR" if rng.random() < 0.7 else "USD"
            f.write(f"INV-{i:08d},C{rng.randrange(CUSTOMERS):05d},{date.fromordinal(issued)},"
                    f"{date.fromordinal(due)},{cur},{rng.randrange(10_000, 5_000_000) / 100:.2f}\n")


def run(url: str, path: Path) -> tuple[float, float, int]:
    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.ledger import service
    from arguard.ledger.model import CustomerRecord
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_company

    engine = get_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        cid = create_company(s, "BENCH" + uuid.uuid4().hex[:6].upper(), "Benchmark").id
    with session_scope(engine) as s:
        service.import_records(ServiceContext(s, cid, "bench"), "customers",
                               [CustomerRecord(f"C{i:05d}", f"Customer {i}", "DE") for i in range(CUSTOMERS)])
    wall, cpu = time.perf_counter(), time.process_time()
    with session_scope(engine) as s:
        result = service.import_file(ServiceContext(s, cid, "bench"), "invoices", str(path))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert result.inserted == ROWS and not result.issues, result.issues[:3]
    engine.dispose()
    return wall, cpu, result.inserted


def _pg_database() -> tuple[str, object] | None:
    try:
        import psycopg

        admin = PG.replace("+psycopg", "")
        name = f"arguard_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL skipped: {exc}")
        return None

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return PG.rsplit("/", 1)[0] + "/" + name, drop


def main() -> None:
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "invoices.csv"
        t = time.perf_counter()
        write_invoices(path, ROWS)
        print(f"wrote {ROWS:,} invoices ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s")
        targets = [("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", None)]
        pg = _pg_database()
        if pg:
            targets.append(("PostgreSQL", pg[0], pg[1]))
        for name, url, drop in targets:
            try:
                wall, cpu, n = run(url, path)
                print(f"{name:10s}: {n:,} invoices in {wall:.1f} s wall = {n / wall:,.0f} rows/s "
                      f"(client CPU {cpu:.1f} s; load average {os.getloadavg()[0]:.1f})")
            finally:
                if drop:
                    drop()  # type: ignore[operator]


if __name__ == "__main__":
    main()
