"""Monitoring benchmark (issue 6): the daily run and events through rule evaluation.

Targets: a full daily run over `demo --size large` in under a minute; at least 2,000 events/s
through rule evaluation on the demo company.

Runs against the demo company in ARGUARD_DATABASE_URL (default var/arguard.db; build one with
`arguard demo --size large --steps risk,limits --database-url …` — the monitor's own demo step is the
first daily run, measured here instead). BENCH_MONITOR_COMPANY names another company,
BENCH_MONITOR_EVENTS the batch size (default 2,000), BENCH_MONITOR_PATHS the measures to take
(engine,run,service,api,cli), BENCH_MONITOR_REPEAT how often each batch is measured (default 1).

1. Snapshot load and the pure engine (snapshot + event → drafts).
2. The daily run as of the company's last invoice date: the first run (committed: it raises the
   backlog, with its reactions and messages), the same date again (nothing new), the next day (every
   alert merged, evidence refreshed). The last two are rolled back.
3. A batch of events end to end, each path its own unit of work, committed: the service
   (`import_events`), the API (`POST /api/v1/events` with a list), the CLI (`arguard events import`).
   Then single events through the API one by one (latency). These events stay in the database.

The events are a plausible day of external news about random buyers: negative news, legal actions,
rating changes, insurer decisions, promises to pay, a few payment defaults and insolvency filings
(these last ones hold orders and open limit reviews through the limits capability).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

from sqlalchemy import func, select

from bench.machine import describe

SEED = 20260630
MIX = [("news.negative", 35), ("legal.action", 15), ("rating.changed", 15), ("insurer.decision", 12),
       ("promise.due", 20), ("payment.default", 2), ("insolvency.filing", 1)]


QUIET = {"news.negative", "legal.action", "rating.changed", "promise.due"}
"""Kinds whose alerts set no reaction in motion (no limits call)."""


def _event(rng: Random, code: str, on: date, n: int, tag: str, quiet: bool = False) -> dict[str, Any]:
    mix = [(k, w) for k, w in MIX if k in QUIET] if quiet else MIX
    kind = rng.choices([k for k, _ in mix], [w for _, w in mix])[0]
    details: dict[str, Any] = {"source": "bench"}
    if kind == "news.negative":
        details["headline"] = f"bench news {tag}-{n}"
    elif kind == "legal.action":
        details.update(description=f"claim {tag}-{n}", amount=str(rng.randint(1, 90) * 1000), currency="EUR")
    elif kind == "rating.changed":
        details.update(agency="bench", direction=rng.choice(["down", "up"]), to=rng.choice(["BB", "B", "CCC"]))
    elif kind == "insurer.decision":
        decision = rng.choices(["approved", "reduced", "withdrawn"], [80, 15, 5])[0]
        details.update(decision=decision, amount={"approved": "50000", "reduced": "20000"}.get(decision, "0"),
                       previous_amount="50000", currency="EUR", reference=f"CL-{tag}-{n}",
                       effective_on=(on + timedelta(days=30)).isoformat())
    elif kind == "promise.due":
        details.update(promise_id=f"PTP-{tag}-{n}", amount=str(rng.randint(1, 50) * 500), currency="EUR",
                       due_on=(on + timedelta(days=rng.randint(1, 20))).isoformat())
    elif kind == "payment.default":
        details.update(amount=str(rng.randint(5, 80) * 1000), currency="EUR", creditor="bench bank")
    else:
        details.update(court="bench court", case_number=f"IN-{tag}-{n}")
    return {"type": kind, "customer_id": code, "occurred_on": on.isoformat(), "details": details,
            "external_id": f"bench-{tag}-{n}"}


def main() -> None:
    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.ledger.tables import Customer, Invoice
    from arguard.platform.tables import Company

    print(describe(), f"· seed {SEED}", flush=True)
    eng = get_engine()
    migrate(eng)
    with session_scope(eng) as s:
        q = select(Company.id, Company.code).order_by(Company.id.desc())
        if os.environ.get("BENCH_MONITOR_COMPANY"):
            q = q.where(Company.code == os.environ["BENCH_MONITOR_COMPANY"])
        company = s.execute(q.limit(1)).first()
        if company is None:
            raise SystemExit("no company: run `arguard demo --size large --steps risk,limits` first")
        cid = company[0]
        as_of = s.scalar(select(func.max(Invoice.issue_date)).where(Invoice.company_id == cid))
        codes = sorted(s.scalars(select(Customer.code).where(Customer.company_id == cid)))
        invoices = s.scalar(select(func.count(Invoice.id)).where(Invoice.company_id == cid))
    if as_of is None:
        raise SystemExit(f"company {company[1]} has no invoices")
    print(f"{eng.dialect.name} · company {company[1]}: {len(codes):,} buyers, {invoices:,} invoices, as of {as_of}",
          flush=True)
    if "engine" in PATHS:
        _engine(eng, cid, as_of)
    if "run" in PATHS:
        _daily_run(eng, cid, as_of)
    _events(eng, cid, company[1], codes, as_of)


def _engine(eng: Any, cid: int, as_of: date) -> None:
    from arguard.db.session import session_scope
    from arguard.monitor import engine, service, snapshots
    from arguard.monitor.model import BuyerEvent
    from arguard.platform.context import ServiceContext

    with session_scope(eng) as s:
        ctx = ServiceContext(s, cid, "bench", "admin")
        rules = service.rule_set(ctx)
        t0 = time.perf_counter()
        snaps, _portfolio, _ = snapshots.load(ctx, as_of)
        print(f"snapshot load, all buyers: {time.perf_counter() - t0:.2f} s", flush=True)
    rng = Random(SEED)
    kinds = ["news.negative", "legal.action", "payment.default", "rating.changed"]
    n = 20_000
    events = [(rng.randrange(len(snaps)), BuyerEvent(10**9 + i, kinds[i % 4], as_of, {"direction": "down"}))
              for i in range(n)]
    t0, c0 = time.perf_counter(), time.process_time()
    drafts = 0
    for idx, ev in events:
        snap = replace(snaps[idx], events=(*snaps[idx].events, ev))
        drafts += len(engine.evaluate_buyer(rules, snap, as_of))
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"pure engine: {n:,} events in {dt:.2f} s = {n / dt:,.0f} events/s; {n / cpu:,.0f} events per CPU-second "
          f"({drafts:,} drafts)", flush=True)


def _daily_run(eng: Any, cid: int, as_of: date) -> None:
    from arguard.db.session import session_scope
    from arguard.monitor import service
    from arguard.platform.context import ServiceContext

    for label, day, keep in (("first", as_of, True), ("same date again", as_of, False),
                             ("next day", as_of + timedelta(days=1), False)):
        t0, c0 = time.perf_counter(), time.process_time()
        with session_scope(eng) as s:
            ctx = ServiceContext(s, cid, "bench", "admin")
            r = service.run(ctx, day, trigger="bench")
            if not keep:
                s.rollback()
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in r.timings.items())
        print(f"daily run ({label}, {day}): {r.buyers:,} buyers, {r.drafts:,} drafts, {r.raised:,} raised, "
              f"{r.merged:,} merged in {dt:.2f} s with commit, {cpu:.2f} s CPU of this process ({parts})",
              flush=True)


def _events(eng: Any, cid: int, company_code: str, codes: list[str], as_of: date) -> None:
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app
    from arguard.db.session import session_scope
    from arguard.monitor import service
    from arguard.monitor.model import EventRecord
    from arguard.monitor.tables import Reaction
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_api_key

    n = int(os.environ.get("BENCH_MONITOR_EVENTS", "2000"))
    rng, tag = Random(SEED), f"{time.time_ns():x}"

    def service_batch(quiet: bool, k: int) -> str:
        batch = [_event(rng, rng.choice(codes), as_of, i, f"{tag}s{quiet:d}{k}", quiet) for i in range(n)]
        with session_scope(eng) as s:
            ctx = ServiceContext(s, cid, "bench", "analyst")
            records = [(i, EventRecord(e["type"], e["customer_id"], as_of, e["details"], e["external_id"]))
                       for i, e in enumerate(batch, 1)]
            r = service.import_events(ctx, records, as_of, "bench", origin="api")
            reactions = s.scalar(select(func.count(Reaction.id)).where(
                Reaction.company_id == cid, Reaction.alert_id.in_([a.id for a in r.alerts])))
        ctx.run_after_commit()
        return f"{r.inserted:,} new, {len(r.alerts):,} alerts, {reactions:,} reactions"

    for label, quiet in (("the day's mix", False), ("alerts without reactions", True)):
        if "service" not in PATHS:
            break
        _report(f"service, one batch ({label})", n,
                [_timed(lambda k=k, q=quiet: service_batch(q, k)) for k in range(REPEAT)])

    if "api" not in PATHS:
        return _cli(eng, company_code, codes, as_of, n, rng, tag) if "cli" in PATHS else None
    with session_scope(eng) as s:
        key = create_api_key(ServiceContext(s, cid, "bench", "admin"), "analyst", "monitor bench")
    headers = {"Authorization": f"Bearer {key}"}
    os.environ.setdefault("ARGUARD_MONITOR_SCHEDULER", "off")
    with TestClient(create_app()) as client:
        def api_batch(k: int) -> str:
            batch = [_event(rng, rng.choice(codes), as_of, i, f"{tag}a{k}") for i in range(n)]
            resp = client.post("/api/v1/events", json=batch, headers=headers)
            body = resp.json()
            return f"HTTP {resp.status_code}, {body.get('inserted', 0):,} new, {len(body.get('alerts', [])):,} alerts"

        _report("API, POST /api/v1/events with a list", n, [_timed(lambda k=k: api_batch(k)) for k in range(REPEAT)])
        latencies, cpus = [], []
        for i in range(50):
            one = _event(rng, rng.choice(codes), as_of, i, tag + "1")
            t0, c0 = time.perf_counter(), time.process_time()
            client.post("/api/v1/events", json=one, headers=headers)
            latencies.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        latencies.sort()
        print(f"API, one event per request (50): median {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {latencies[47] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
              f"median CPU {statistics.median(cpus) * 1000:.0f} ms", flush=True)
    if "cli" in PATHS:
        _cli(eng, company_code, codes, as_of, n, rng, tag)


def _cli(eng: Any, company_code: str, codes: list[str], as_of: date, n: int, rng: Random, tag: str) -> None:
    from typer.testing import CliRunner

    from arguard.cli.main import app as cli

    with tempfile.TemporaryDirectory() as tmp:
        def cli_batch(k: int) -> str:
            path = Path(tmp) / f"events-{k}.jsonl"
            path.write_text("\n".join(json.dumps(_event(rng, rng.choice(codes), as_of, i, f"{tag}c{k}"))
                                      for i in range(n)), encoding="utf-8")
            out = CliRunner().invoke(cli, ["events", "import", str(path), "--company", company_code,
                                           "--as-of", as_of.isoformat()])
            return out.output.strip().splitlines()[-1] if out.output.strip() else repr(out.exception)

        _report("CLI, arguard events import FILE (JSON lines)", n, [_timed(lambda k=k: cli_batch(k))
                                                                    for k in range(REPEAT)])


REPEAT = int(os.environ.get("BENCH_MONITOR_REPEAT", "1"))
"""Each batch measure is taken this many times (fresh events each time; best and median). Every batch
adds ~2,000 events to the history that later evaluations re-read, so later batches run on a heavier
book: to compare paths, give each its own fresh copy of the database (BENCH_MONITOR_PATHS)."""
PATHS = set(os.environ.get("BENCH_MONITOR_PATHS", "engine,run,service,api,cli").split(","))
"""Which measures to take: engine (snapshot load, pure engine), run (daily runs), service, api, cli."""


def _timed(fn: Any) -> tuple[float, float, str]:
    t0, c0 = time.perf_counter(), time.process_time()
    note = fn()
    return time.perf_counter() - t0, time.process_time() - c0, note


def _report(label: str, n: int, runs: list[tuple[float, float, str]]) -> None:
    walls, cpus = sorted(r[0] for r in runs), sorted(r[1] for r in runs)
    print(f"{label}: {n:,} events — best {walls[0]:.2f} s = {n / walls[0]:,.0f} events/s, median "
          f"{statistics.median(walls):.2f} s = {n / statistics.median(walls):,.0f} events/s; CPU best {cpus[0]:.2f} s "
          f"= {n / cpus[0]:,.0f} events per CPU-second ({runs[-1][2]})", flush=True)

if __name__ == "__main__":
    main()
