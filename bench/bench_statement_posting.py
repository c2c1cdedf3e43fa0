"""Posting a bank statement: `python -m bench statement_posting` (`--quick`: 500 entries, 10,000 items).

The whole `recon.service.import_statement` on a fresh SQLite file, as `bench_recon.platform` does it
(read the camt.053 written by `recon.writers`, store statement and entries, load open items and
customers, match, post every automatic match through the ledger), with the wall clock and the CPU
seconds of this process (SQLite runs in-process, so on a shared machine the CPU seconds are the
figure that does not depend on the neighbours). The ledger is loaded by the bulk importer first and
is not counted. Seed 7 (printed).

Target (issue 12): 5,000 entries in under 10 s on SQLite.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime

from bench.machine import describe

SEED = 7


def measure(n_entries: int, n_items: int) -> str:
    from arguard.core.money import Money
    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.ledger import service as ledger
    from arguard.ledger.model import CustomerRecord, InvoiceRecord
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_company
    from arguard.recon import service
    from arguard.recon.generator import generate
    from arguard.recon.writers import write_camt053

    print(f"seed {SEED}: {n_entries:,} entries against about {n_items:,} open items", flush=True)
    scenario = generate(SEED, n_entries, n_customers=n_items // 20, items_per_customer=20)
    data = write_camt053(scenario.statement, datetime(2024, 7, 31, 18))
    with tempfile.TemporaryDirectory() as tmp:
        engine = get_engine(f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        with session_scope(engine) as s:
            ctx = ServiceContext(s, create_company(s, "BENCH", "Bench", "EUR").id, "bench", "admin")
            ledger.import_records(ctx, "customers", [CustomerRecord(c.customer_id, c.name, "DE", ibans=c.accounts)
                                                     for c in scenario.customers])
            ledger.import_records(ctx, "invoices", [InvoiceRecord(
                i.number, i.customer_id, i.issue_date or i.due_date, i.due_date, Money(i.open_amount, i.currency),
                payment_reference=i.payment_reference, order_number=i.order_number) for i in scenario.items])
            company_id = ctx.company_id
        lines = []
        for attempt in ("first import", "same file again"):
            t0, c0 = time.perf_counter(), time.process_time()
            with session_scope(engine) as s:
                summary = service.import_statement(ServiceContext(s, company_id, "bench", "analyst"), "b.xml", data)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            per = 1000 * cpu / max(summary.entries_new + summary.entries_duplicate, 1)
            lines.append(f"{attempt}: **{wall:.2f} s** wall, {cpu:.2f} s CPU ({per:.2f} ms CPU per entry); "
                         f"{summary.entries_new:,} new, {summary.entries_duplicate:,} known, {summary.auto:,} "
                         f"posted to the ledger, {summary.suggested:,} suggested, {summary.unmatched:,} unmatched")
        engine.dispose()
    return "\n".join(lines)


def main(quick: bool = False) -> None:
    print(describe())
    print(measure(500, 10_000) if quick else measure(5_000, 100_000))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
