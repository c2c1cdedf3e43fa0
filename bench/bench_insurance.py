"""Credit insurance: the obligations report and cover per invoice over a large book (SQLite; PostgreSQL too
when ARGUARD_BENCH_INSURANCE_PG=1), or over an existing database (the large demo).

Synthetic book: ARGUARD_BENCH_INSURANCE_ROWS (default 200,000) invoices of 20,000 buyers over three years
through the CSV import (the ledger benchmark's generator, seed 20260101: every invoice stays open — the
worst case, a real book has far fewer open items), 30 % of the buyers with an insured limit and 10 % a
discretionary one (limits' bulk decisions, seed 14), 1 % tagged affiliates, 5 % notified; as of 2026-01-01
under a 2025 policy.

Existing database: ARGUARD_BENCH_INSURANCE_URL (e.g. the large demo), ARGUARD_BENCH_INSURANCE_COMPANY
(default DEMO), ARGUARD_BENCH_INSURANCE_AS_OF (default 2026-12-04) and ARGUARD_BENCH_INSURANCE_POLICY (default:
the stored policy in force on that date); nothing is written.

Each figure is the best of 3 (wall and this process's CPU seconds), with the collector paused as the check
pauses it (`core.collector.many_records`):
- read: every open invoice in one statement (`ledger.interface.open_invoices_bulk`), and what the rules
  know of every buyer (cover spans, tags, notifications, claims);
- rules: the obligations calendar with cover (`rules.obligations` over the invoices delivered in the policy
  period, pure Python) and cover per invoice of the whole open book (`rules.cover_per_invoice`);
- check: the whole `arguard insurance check` answer (`service.check`: read + rules + JSON shape), and the
  JSON text the CLI prints of it (`--format json`).
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from bench.bench_ledger_import import CUSTOMERS, _pg_database, write_invoices
from bench.machine import describe

ROWS = int(os.environ.get("ARGUARD_BENCH_INSURANCE_ROWS", "200000"))
SEED = 14
AS_OF = date(2026, 1, 1)
POLICY = """policy_number: BENCH-2025
insurer: Bench Insurer
currency: EUR
period: {start: 2025-01-01, end: 2025-12-31}
indemnity_pct: {commercial: 90, political: 90}
max_credit_period_days: 120
max_extension_days: 60
overdue_notification_days: 30
adverse_event_notification_days: 10
claim_filing_days: 60
waiting_period_days: 150
insolvency_payout_days: 30
deductible_per_claim: 0
aggregate_first_loss: 5000
non_qualifying_loss: 500
max_liability: {multiple_of_premium: 30}
premium: {rate_pct: 0.2, minimum: 20000, declaration: monthly}
discretionary_limit: {max_amount: 50000}
exclusions: {countries: [RU], affiliates: true, public_buyers: true, private_persons: true}
"""


def _best(fn, runs: int = 3):  # type: ignore[no-untyped-def]
    wall = cpu = float("inf")
    out = None
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return wall, cpu, out


def _load(url: str, path: Path) -> tuple[object, int]:
    from arguard.core.money import Money
    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.insurance import service
    from arguard.ledger import service as ledger
    from arguard.ledger.model import CustomerRecord
    from arguard.limits import service as limits
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_company

    rng = random.Random(SEED)
    print(f"seed {SEED} (limits, tags, notifications); invoices seed 20260101")
    engine = get_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        cid = create_company(s, "INS" + uuid.uuid4().hex[:6].upper(), "Insurance benchmark").id
    t = time.perf_counter()
    with session_scope(engine) as s:
        ctx = ServiceContext(s, cid, "bench")
        ledger.import_records(ctx, "customers", [CustomerRecord(f"C{i:05d}", f"Customer {i}",
                                                                "RU" if i % 97 == 0 else "DE")
                                                 for i in range(CUSTOMERS)])
        ledger.add_fx_rate(ctx, "USD", "EUR", "0.92", date(2020, 1, 1))
        ledger.import_file(ctx, "invoices", str(path))
    with session_scope(engine) as s:
        ctx = ServiceContext(s, cid, "bench")
        decisions = []
        for i in range(CUSTOMERS):
            roll = rng.random()
            if roll < 0.3:
                kind, amount = "insured", rng.randrange(20, 400) * 1000
            elif roll < 0.4:
                kind, amount = "discretionary", rng.randrange(5, 50) * 1000
            else:
                continue
            decisions.append((f"C{i:05d}", limits.DecisionInput(kind, "approved", Money.of(amount, "EUR"), "bench",
                                                                effective_from=date(2023, 1, 1))))
        limits.import_decisions(ctx, decisions, on=date(2023, 1, 1), source="bench")
        service.load_policy(ctx, POLICY, "bench.yaml")
        for i in rng.sample(range(CUSTOMERS), CUSTOMERS // 100):
            service.tag_buyer(ctx, f"C{i:05d}", "affiliate")
        for i in rng.sample(range(CUSTOMERS), CUSTOMERS // 20):
            service.record_notification(ctx, "BENCH-2025", f"C{i:05d}", "overdue",
                                        notified_on=date(2025, rng.randint(6, 12), rng.randint(1, 28)))
    print(f"loaded {ROWS:,} invoices, limits, tags and notifications in {time.perf_counter() - t:.0f} s")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return engine, cid


def run(name: str, url: str, path: Path) -> None:
    engine, cid = _load(url, path)
    measure(name, engine, cid, "BENCH-2025", AS_OF)
    engine.dispose()  # type: ignore[attr-defined]


def measure(name: str, engine: object, cid: int, policy_number: str | None, as_of: date) -> None:
    from arguard.core.collector import many_records
    from arguard.db.session import session_scope
    from arguard.insurance import rules, service
    from arguard.ledger import interface as ledger
    from arguard.platform.context import ServiceContext

    with session_scope(engine) as s, many_records():  # type: ignore[arg-type]
        ctx = ServiceContext(s, cid, "bench", "viewer")
        policy = service.get_policy(ctx, policy_number, as_of)
        w_rows, c_rows, _rows = _best(lambda: ledger.open_invoices_bulk(ctx, as_of))
        w_items, c_items, (items, countries, _) = _best(lambda: service.insured_items(ctx, policy, as_of))
        w_ip, c_ip, (in_period, _, _) = _best(lambda: service.insured_items(ctx, policy, as_of, in_period_only=True))
        w_buy, c_buy, buyers = _best(lambda: service.insured_buyers(ctx, policy, as_of, countries))
        w_rules, c_rules, report = _best(lambda: rules.obligations(policy, buyers, in_period, as_of))
        w_cover, c_cover, covers = _best(lambda: rules.cover_per_invoice(policy, buyers, items, as_of))
        w_all, c_all, out = _best(lambda: service.check(ctx, policy, as_of))
        w_text, c_text, text = _best(lambda: json.dumps(out, default=str, ensure_ascii=False, indent=2))
    n = len(items)
    overdue = sum(1 for i in items if i.due_date < as_of)
    print(f"{name}: policy {policy.policy_number} as of {as_of}: {n:,} open invoices ({overdue:,} overdue), "
          f"{len(in_period):,} delivered in the policy period, {len(report.obligations):,} obligations, "
          f"{sum(c.covered for c in covers.values()):,} covered, {len(out['stop_supply']):,} buyers on stop supply")
    print(f"{name}: read open invoices {w_rows:.2f} s (CPU {c_rows:.2f}) · as insured items {w_items:.2f} s "
          f"(CPU {c_items:.2f}) · only those delivered in the policy period {w_ip:.2f} s "
          f"(CPU {c_ip:.2f}) · buyers {w_buy:.2f} s (CPU {c_buy:.2f})")
    print(f"{name}: rules.obligations {w_rules:.2f} s (CPU {c_rules:.2f}) · cover per invoice of the open book "
          f"{w_cover:.2f} s (CPU {c_cover:.2f})")
    print(f"{name}: whole check {w_all:.2f} s (CPU {c_all:.2f}) = {c_all / max(n, 1) * 1e6:.1f} µs CPU per open "
          f"invoice · its JSON text ({len(text) / 1e6:.0f} MB, as the CLI prints it) {w_text:.2f} s "
          f"(CPU {c_text:.2f}) · load {os.getloadavg()[0]:.1f}")


def existing() -> None:
    from arguard.db.session import get_engine, session_scope
    from arguard.platform.service import get_company

    url = os.environ["ARGUARD_BENCH_INSURANCE_URL"]
    engine = get_engine(url)
    with session_scope(engine) as s:
        cid = get_company(s, os.environ.get("ARGUARD_BENCH_INSURANCE_COMPANY", "DEMO")).id
    as_of = date.fromisoformat(os.environ.get("ARGUARD_BENCH_INSURANCE_AS_OF", "2026-12-04"))
    measure(engine.dialect.name, engine, cid, os.environ.get("ARGUARD_BENCH_INSURANCE_POLICY"), as_of)
    engine.dispose()


def main() -> None:
    print(describe())
    if os.environ.get("ARGUARD_BENCH_INSURANCE_URL"):
        existing()
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "invoices.csv"
        write_invoices(path, ROWS)
        run("SQLite", f"sqlite:///{tmp}/ins.db", path)
        if os.environ.get("ARGUARD_BENCH_INSURANCE_PG") == "1":
            found = _pg_database()
            if found is not None:
                url, drop = found
                try:
                    run("PostgreSQL", url, path)
                finally:
                    drop()  # type: ignore[operator]


if __name__ == "__main__":
    main()
