"""Reconciliation benchmark: match rates by case type on seeded labelled cases, and speed.

`python -m bench recon` (full: 5 seeds × 4,000 payments, then 100,000 entries against 1,000,000
open items, then the platform import of 5,000 entries against 100,000 open items on SQLite).
`python -m bench.bench_recon --quick` runs a small version.

Method. `recon.generator.generate(seed)` builds a company (customers with 0–2 IBANs, numbering
scheme, invoices with RF references and order numbers) and one statement of labelled payments. A
payment is *matchable* when its label has at least one application. For each payment we compare the
engine's automatic applications with the label:
- envelope auto-match rate: matchable payments whose automatic applications equal the label exactly
  (same invoices, same amounts) / matchable payments;
- line-item rate: labelled (invoice, amount) lines applied automatically / labelled lines;
- false-match rate: automatic lines not in the label / all automatic lines (unmatchable payments
  included: any automatic line on a duplicate or unrelated credit is false).
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from arguard.recon.generator import CASE_WEIGHTS, generate
from arguard.recon.matching import Matcher
from bench.machine import describe


def rates(seeds: list[int], n_payments: int) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for seed in seeds:
        print(f"seed {seed}", flush=True)
        scenario = generate(seed, n_payments)
        labels = {lb.entry_index: lb for lb in scenario.labels}
        for p in Matcher(scenario.items, scenario.customers).match(scenario.statement):
            lb = labels[p.entry_index]
            row = table[lb.case]
            want = set(lb.expected)
            got = {(a.invoice_number, a.amount) for a in p.applications} if p.status == "auto" else set()
            row["payments"] += 1
            row["matchable"] += bool(want)
            row["envelope_ok"] += bool(want) and got == want
            row["suggested"] += p.status == "suggested"
            row["lines"] += len(want)
            row["lines_ok"] += len(got & want)
            row["auto_lines"] += len(got)
            row["false_lines"] += len(got - want)
    return table


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} %" if b else "–"


def report(table: dict[str, dict[str, int]]) -> str:
    lines = ["| case | payments | matchable | envelope auto | line items auto | suggested | false auto lines |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    total: dict[str, int] = defaultdict(int)
    for case in list(CASE_WEIGHTS):
        row = table.get(case)
        if not row:
            continue
        for k, v in row.items():
            total[k] += v
        lines.append(f"| {case} | {row['payments']} | {row['matchable']} | {_pct(row['envelope_ok'], row['matchable'])} | "
                     f"{_pct(row['lines_ok'], row['lines'])} | {_pct(row['suggested'], row['payments'])} | "
                     f"{row['false_lines']} of {row['auto_lines']} ({_pct(row['false_lines'], row['auto_lines'])}) |")
    lines.append(f"| **all** | {total['payments']} | {total['matchable']} | **{_pct(total['envelope_ok'], total['matchable'])}** | "
                 f"{_pct(total['lines_ok'], total['lines'])} | {_pct(total['suggested'], total['payments'])} | "
                 f"**{total['false_lines']} of {total['auto_lines']} ({_pct(total['false_lines'], total['auto_lines'])})** |")
    return "\n".join(lines)


def speed(n_entries: int, n_items_target: int) -> str:
    customers = n_items_target // 20
    t0 = time.perf_counter()
    scenario = generate(99, n_entries, n_customers=customers, items_per_customer=20)
    t1, c1 = time.perf_counter(), time.process_time()
    matcher = Matcher(scenario.items, scenario.customers)
    t2, c2 = time.perf_counter(), time.process_time()
    proposals = matcher.match(scenario.statement)
    t3, c3 = time.perf_counter(), time.process_time()
    auto = sum(p.status == "auto" for p in proposals)
    # CPU seconds of this process next to the wall clock: on a shared machine the wall clock measures
    # the neighbours too.
    return (f"{len(scenario.statement.entries):,} entries against {len(scenario.items):,} open items of "
            f"{customers:,} customers: index {t2 - t1:.1f} s + matching {t3 - t2:.1f} s = **{t3 - t1:.1f} s** "
            f"wall clock (CPU {c2 - c1:.1f} + {c3 - c2:.1f} = {c3 - c1:.1f} s; {auto:,} applied automatically; "
            f"generating the data took {t1 - t0:.1f} s, not counted)")


@contextmanager
def statement_book(seed: int, n_entries: int, n_items: int) -> Iterator[tuple[Any, int, bytes, int]]:
    """A fresh SQLite file holding a generated company (customers, open invoices loaded by the bulk
    importer) and its camt.053 statement: yields (engine, company id, statement bytes, open items)."""
    import tempfile
    from datetime import datetime

    from arguard.core.money import Money
    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.ledger import service as ledger
    from arguard.ledger.model import CustomerRecord, InvoiceRecord
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_company
    from arguard.recon.writers import write_camt053

    scenario = generate(seed, n_entries, n_customers=n_items // 20, items_per_customer=20)
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
        try:
            yield engine, company_id, data, len(scenario.items)
        finally:
            engine.dispose()


def platform(n_entries: int, n_items: int) -> str:
    """The whole import through the service on a fresh SQLite file: read the camt.053, store statement and
    entries, load open items and customers, match, post automatic matches through the ledger; then the
    same file again (a no-op)."""
    from arguard.db.session import session_scope
    from arguard.platform.context import ServiceContext
    from arguard.recon import service

    with statement_book(7, n_entries, n_items) as (engine, company_id, data, open_items):
        times = []
        for _ in range(2):
            t0 = time.perf_counter()
            with session_scope(engine) as s:
                summary = service.import_statement(ServiceContext(s, company_id, "bench", "analyst"), "b.xml", data)
            times.append((time.perf_counter() - t0, summary))
    (first, s1), (second, s2) = times
    return (f"platform import (SQLite) of {s1.entries_new:,} entries against {open_items:,} open items: "
            f"**{first:.1f} s** ({s1.auto:,} posted to the ledger, {s1.suggested:,} suggested, {s1.unmatched:,} "
            f"unmatched); the same file again: {second:.1f} s, {s2.entries_duplicate:,} duplicates, nothing changed: "
            f"{s2.changed_nothing}")


def main(quick: bool = False) -> None:
    print(describe())
    seeds, n = ([1], 1500) if quick else ([1, 2, 3, 4, 5], 4000)
    print(report(rates(seeds, n)))
    print(speed(5_000, 50_000) if quick else speed(100_000, 1_000_000))
    print(platform(500, 10_000) if quick else platform(5_000, 100_000))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
