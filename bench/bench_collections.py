"""The dunning run over a generated ledger (SQLite and PostgreSQL), and the worklist's first page.

ARGUARD_BENCH_INVOICES (default 100,000) invoices of INVOICES/50 buyers over three years ending on the run
date, paid the way a real book is: most in full (some late), some in part, the rest open — written
straight into the ledger tables (one executemany per table; this machine cannot build the 1M-invoice demo
in the time a benchmark should take). Then, best of 3 (wall and this process's CPU):
  * `dunning(as_of=D)`: the set queries (open items as of D with their history, unapplied cash) and the
    pure rules — what `arguard collections run --dry-run` does;
  * the same as of D − 90 days (the ledger reconstructed from the facts dated after that day);
  * recording the run of D once (actions, tasks, cases; letters left to be rendered when opened);
  * the worklist's first page (50 buyers) after the run.
Seed printed; counts printed with the times so the per-item cost can be extrapolated.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from bench.bench_ledger_import import PG, _pg_database
from bench.machine import describe

INVOICES = int(os.environ.get("ARGUARD_BENCH_INVOICES", "100000"))
BUYERS = max(INVOICES // 50, 10)
D = date(2026, 11, 30)
SEED = 20261130
T = TypeVar("T")
POLICY = """
name: bench
currency: EUR
min_overdue_amount: "50.00"
levels:
  - {name: reminder,     days_overdue: 1,   channel: email,  fee: "0.00"}
  - {name: first_demand, days_overdue: 15,  channel: email,  fee: "5.00"}
  - {name: final_notice, days_overdue: 30,  channel: letter, fee: "15.00"}
  - {name: call,         days_overdue: 45,  channel: phone,  fee: "0.00"}
  - {name: agency,       days_overdue: 60,  channel: agency, fee: "0.00"}
  - {name: legal,        days_overdue: 120, channel: legal,  fee: "0.00"}
interest: {rate_pct: "10.50", basis: act/365}
compensation_per_invoice: "40.00"
"""


def _best(fn: Callable[[], T], runs: int = 3) -> tuple[float, float, T]:
    wall = cpu = float("inf")
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return wall, cpu, out


def generate(engine, company_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Customers, invoices, payments and allocations written with one executemany per table."""
    from sqlalchemy import insert

    from arguard.ledger.tables import Allocation, Customer, Invoice, Payment

    rng = random.Random(SEED)
    first = (D - timedelta(days=3 * 365)).toordinal()
    with engine.begin() as conn:
        conn.execute(insert(Customer), [{"company_id": company_id, "code": f"B{i:05d}", "name": f"Buyer {i}",
                                         "aliases": [], "country": "DE", "language": "en"} for i in range(BUYERS)])
        ids = dict(conn.execute(Customer.__table__.select().with_only_columns(Customer.code, Customer.id)
                                .where(Customer.company_id == company_id)).all())
        invoices, pays, allocs = [], [], []
        for i in range(INVOICES):
            cust = ids[f"B{rng.randrange(BUYERS):05d}"]
            issued = first + rng.randrange(3 * 365 - 20)
            due = issued + rng.choice((30, 45, 60, 90))
            amount = rng.randrange(10_000, 2_000_000)
            r = rng.random()
            paid_on = due + int(rng.triangular(-10, 90, 5))
            paid = amount if r < 0.88 else (amount * rng.randrange(20, 80) // 100 if r < 0.92 else 0)
            if paid_on > D.toordinal():
                paid = 0
            invoices.append({"company_id": company_id, "customer_id": cust, "number": f"H-{i:08d}",
                             "document_type": "invoice", "issue_date": date.fromordinal(issued),
                             "due_date": date.fromordinal(due), "currency": "EUR", "amount_minor": amount,
                             "open_minor": amount - paid, "disputed": rng.random() < 0.002})
            if paid:
                pays.append({"company_id": company_id, "external_id": f"P-{i:08d}", "customer_id": cust,
                             "received_on": date.fromordinal(paid_on), "currency": "EUR", "amount_minor": paid,
                             "unapplied_minor": 0, "source": "bench"})
                allocs.append((i, paid, date.fromordinal(paid_on)))
        conn.execute(insert(Invoice), invoices)
        conn.execute(insert(Payment), pays)
        inv_ids = dict(conn.execute(Invoice.__table__.select().with_only_columns(Invoice.number, Invoice.id)
                                    .where(Invoice.company_id == company_id)).all())
        pay_ids = dict(conn.execute(Payment.__table__.select().with_only_columns(Payment.external_id, Payment.id)
                                    .where(Payment.company_id == company_id)).all())
        conn.execute(insert(Allocation), [{"company_id": company_id, "payment_id": pay_ids[f"P-{i:08d}"],
                                           "invoice_id": inv_ids[f"H-{i:08d}"], "amount_minor": m, "currency": "EUR",
                                           "allocated_on": on, "source": "bench"} for i, m, on in allocs])
    return {"invoices": INVOICES, "buyers": BUYERS, "payments": len(pays),
            "open": sum(1 for x in invoices if x["open_minor"])}


def run(name: str, url: str) -> None:
    from arguard.collections import service, service_work
    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_company

    engine = get_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        cid = create_company(s, "COL" + uuid.uuid4().hex[:6].upper(), "Collections benchmark").id
    t = time.perf_counter()
    counts = generate(engine, cid)
    print(f"{name}: generated {counts} in {time.perf_counter() - t:.0f} s (seed {SEED})")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE invoices; ANALYZE allocations; ANALYZE payments")
    with session_scope(engine) as s:
        ctx = ServiceContext(s, cid, "bench", "admin")
        policy = service.load_policy(ctx, POLICY, "bench")
    with session_scope(engine) as s:
        ctx = ServiceContext(s, cid, "bench", "admin")
        wall, cpu, result = _best(lambda: service.dunning(ctx, D, policy))
        items = sum(len(a.invoices) for a in result.actions)
        print(f"{name:10s} dunning as of {D}: {wall:.2f} s (CPU {cpu:.2f} s), {len(result.actions):,} actions, "
              f"{items:,} overdue items listed, {counts['open']:,} open today; "
              f"CPU {cpu / max(counts['open'], 1) * 1e6:.0f} µs per open item (load {os.getloadavg()[0]:.1f})")
        past = D - timedelta(days=90)
        wall, cpu, res2 = _best(lambda: service.dunning(ctx, past, policy))
        print(f"{name:10s} dunning as of {past} (reconstructed): {wall:.2f} s (CPU {cpu:.2f} s), "
              f"{len(res2.actions):,} actions")
    import arguard.limits.interface  # noqa: F401  (imported before timing: hand-overs mark buyers through it)

    handovers = sum(a.channel in ("agency", "legal") for a in result.actions)
    with session_scope(engine) as s:
        ctx = ServiceContext(s, cid, "bench", "admin")
        t, c = time.perf_counter(), time.process_time()
        service.record(ctx, policy, result, render_letters=False, send=False)
    print(f"{name:10s} recording the run: {time.perf_counter() - t:.2f} s (CPU {time.process_time() - c:.2f} s), "
          f"{handovers:,} new agency/legal cases (each marks the buyer in collections through limits)")
    with session_scope(engine) as s:
        ctx = ServiceContext(s, cid, "bench", "viewer")
        wall, cpu, _ = _best(lambda: service_work.worklist(ctx, D, limit=50), 5)
        print(f"{name:10s} worklist first page: {wall * 1000:.0f} ms (CPU {cpu * 1000:.0f} ms)")
    engine.dispose()


def main() -> None:
    import tempfile
    from pathlib import Path

    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")
    pg = _pg_database()
    if pg is not None:
        url, drop = pg
        try:
            run("postgresql", url)
        finally:
            drop()  # type: ignore[operator]
    print(f"(PostgreSQL at {PG})")


if __name__ == "__main__":
    main()
