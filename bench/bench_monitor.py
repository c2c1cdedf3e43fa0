"""Monitoring benchmark.

1. Events through rule evaluation: each event is folded into its buyer's snapshot (from the demo
   company's ledger, loaded once) and every buyer rule of the default rule file is evaluated — the
   pure engine, what the real-time path does after its few queries. Target ≥ 2,000 events/s.
2. Events through the service (record + queries + evaluation + alert rows, one unit of work each
   batch), as the API does it.
3. The full daily run (`service.run`) over the demo company, twice (the second run merges only).
   Target: `demo --size large` (20,000 buyers, ~1M invoices) in under a minute.

Uses the database in ARGUARD_DATABASE_URL (default var/arguard.db) and its demo company (build it
with `arguard demo --size large`); BENCH_MONITOR_COMPANY names another company.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import timedelta
from random import Random

from sqlalchemy import select

from bench.machine import describe

SEED = 20260630


def main() -> None:
    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.monitor import engine, service, snapshots
    from arguard.monitor.model import BuyerEvent, EventRecord
    from arguard.platform.context import ServiceContext
    from arguard.platform.tables import Company

    print(describe(), f"seed {SEED}", flush=True)
    eng = get_engine()
    migrate(eng)
    with session_scope(eng) as s:
        q = select(Company.id, Company.code).order_by(Company.id.desc())
        if os.environ.get("BENCH_MONITOR_COMPANY"):
            q = q.where(Company.code == os.environ["BENCH_MONITOR_COMPANY"])
        company = s.execute(q.limit(1)).first()
    if company is None:
        raise SystemExit("no company: run `arguard demo --size large` first")
    rng = Random(SEED)
    with session_scope(eng) as s:
        ctx = ServiceContext(s, company[0], "bench", "admin")
        as_of = _as_of(ctx)
        t0 = time.perf_counter()
        snaps, _portfolio, _ = snapshots.load(ctx, as_of)
        print(f"company {company[1]}, as of {as_of}: {len(snaps)} buyers loaded in {time.perf_counter() - t0:.2f} s")
        rules = service.rule_set(ctx)

    kinds = ["news.negative", "legal.action", "payment.default", "rating.changed"]
    n = 20_000
    events = [(rng.randrange(len(snaps)), BuyerEvent(10**9 + i, kinds[i % 4], as_of, {"direction": "down"}))
              for i in range(n)]
    t0 = time.perf_counter()
    drafts = 0
    for idx, ev in events:
        snap = snaps[idx]
        snap = replace(snap, events=(*snap.events, ev))
        drafts += len(engine.evaluate_buyer(rules, snap, as_of))
    dt = time.perf_counter() - t0
    print(f"pure engine: {n} events in {dt:.2f} s = {n / dt:,.0f} events/s ({drafts} drafts)")

    m = 300
    codes = [snaps[rng.randrange(len(snaps))].code for _ in range(m)]
    t0 = time.perf_counter()
    with session_scope(eng) as s:
        ctx = ServiceContext(s, company[0], "bench", "admin")
        for i, code in enumerate(codes):
            service.post_event(ctx, EventRecord("news.negative", code, as_of, {"headline": f"bench {SEED}-{i}-{time.time()}"}),
                               as_of)
        s.rollback()
    dt = time.perf_counter() - t0
    print(f"service (record + evaluate + alert, one buyer each): {m} events in {dt:.2f} s = {m / dt:,.0f} events/s")

    for label in ("first", "second"):
        with session_scope(eng) as s:
            ctx = ServiceContext(s, company[0], "bench", "admin")
            t0 = time.perf_counter()
            r = service.run(ctx, as_of + timedelta(days=1), trigger="bench")
            dt = time.perf_counter() - t0
            s.rollback() if label == "second" else None
        print(f"daily run ({label}): {r.buyers} buyers, {r.drafts} drafts, {r.raised} raised, {r.merged} merged "
              f"in {dt:.2f} s")


def _as_of(ctx):  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    from arguard.ledger.tables import Invoice

    return ctx.session.scalar(select(func.max(Invoice.issue_date)).where(Invoice.company_id == ctx.company_id))


if __name__ == "__main__":
    main()
