"""Grade every stored buyer of the large demo company (20,000 buyers, about a million invoices).

Needs the large ledger without capability steps, built once:

    .venv/bin/arguard demo --size large --steps none --database-url sqlite:////tmp/large_risk.db

(`BENCH_RISK_DB` names another database, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/risk_large;
`BENCH_RISK_AS_OF` the demo's as-of date when it was not built today.) Each run first deletes the
company's statements and grades (and only those), then measures:

1. the risk demo step as `arguard demo` runs it: statements for ~85 % of the buyers, then a grade for
   every buyer (one unit of work, committed), with the re-grading listener on as in the server;
2. its parts: newest statements, payment behaviour of the whole book, financial PDs and per-leaf
   reasons on one matrix;
3. grading all buyers again (previous grades exist: change detection against them);
4. grading one buyer on request (exact TreeSHAP reasons).

The load average is printed before and after: the machine may be shared.
"""

from __future__ import annotations

import os
import time
from datetime import date
from random import Random

from bench.machine import describe

DEFAULT_URL = "sqlite:////tmp/large_risk.db"


def _timed(label: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    print(f"  {label:58s} {time.perf_counter() - start:7.2f} s", flush=True)
    return out


def main() -> None:
    from sqlalchemy import delete, func, select

    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.demo.model import SIZES
    from arguard.demo.service import make_world
    from arguard.ledger.tables import Customer, Invoice
    from arguard.platform.context import ServiceContext
    from arguard.platform.tables import Company
    from arguard.risk import demo, service, store
    from arguard.risk.tables import BuyerGrade, FinancialStatement

    url = os.environ.get("BENCH_RISK_DB", DEFAULT_URL)
    as_of = date.fromisoformat(os.environ.get("BENCH_RISK_AS_OF", date.today().isoformat()))
    print(describe())
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    eng = get_engine(url)
    migrate(eng)
    with session_scope(eng) as s:
        cid = s.scalar(select(Company.id).where(Company.code == "DEMO"))
        if cid is None:
            raise SystemExit(f"no DEMO company in {url}: run `arguard demo --size large --steps none "
                             f"--database-url {url}` first")
        buyers = s.scalar(select(func.count(Customer.id)).where(Customer.company_id == cid))
        invoices = s.scalar(select(func.count(Invoice.id)).where(Invoice.company_id == cid))
        s.execute(delete(BuyerGrade).where(BuyerGrade.company_id == cid))
        s.execute(delete(FinancialStatement).where(FinancialStatement.company_id == cid))
    print(f"{eng.dialect.name}: {buyers:,} buyers, {invoices:,} invoices, as of {as_of}", flush=True)
    store.load_models()  # the artefacts load once per process; not part of grading
    service.enable_regrading()
    world = make_world(SIZES["large"], 42, as_of)

    print("1. risk demo step (statements + grade all, committed)")
    tick = time.perf_counter()
    with session_scope(eng) as s:
        ctx = ServiceContext(s, cid, "bench", "admin")
        _timed("statements + grade all", lambda: demo.risk_demo(ctx, world, Random(42)))
    _timed("commit + re-grading listener (statements announced)", ctx.run_after_commit)
    print(f"  {'whole step':58s} {time.perf_counter() - tick:7.2f} s", flush=True)

    print("2. parts of one grading of all buyers")
    with session_scope(eng) as s:
        ctx = ServiceContext(s, cid, "bench", "admin")
        st = _timed("newest statements", lambda: service.latest_statements(ctx, as_of))
        beh = _timed("payment behaviour of the whole book", lambda: service.payment_behaviours(ctx, as_of))
        model = store.load_models().gbm
        ids = sorted(st)
        _timed(f"financial PDs + per-leaf reasons ({len(ids):,} statements)",
               lambda: service._financial_pds(model, [st[i] for i in ids], exact=False))
        print(f"  ({len(beh):,} buyers with ledger history)")

    print("3. grade all buyers again (previous grades exist)")
    tick = time.perf_counter()
    with session_scope(eng) as s:
        ctx = ServiceContext(s, cid, "bench", "admin")
        grades = _timed("grade all", lambda: service.grade_buyers(ctx, as_of, trigger="bench"))
    ctx.run_after_commit()
    print(f"  {'with commit':58s} {time.perf_counter() - tick:7.2f} s  ({len(grades):,} grades)", flush=True)

    print("4. one buyer on request (exact TreeSHAP reasons)")
    code = sorted(grades)[len(grades) // 2]
    with session_scope(eng) as s:
        ctx = ServiceContext(s, cid, "bench", "admin")
        _timed(f"re-grade {code}", lambda: service.regrade_buyer(ctx, code, as_of))
    print(f"load average after: {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
