"""Dashboard pages from stored results: /forecast, /portfolio and /assess on a demo database, first load
(computes and stores, as every load did before) and second load (reads the stored answer).

Needs a built demo: `ARGUARD_DATABASE_URL=sqlite:////tmp/x.db python -m bench pages` (the first company;
BENCH_AS_OF=YYYY-MM-DD, default today). Times what each page's handler does before rendering."""

from __future__ import annotations

import os
import time
from datetime import date
from typing import Any

from bench.machine import describe


def main() -> None:
    if not os.environ.get("ARGUARD_DATABASE_URL"):
        print("skipped: set ARGUARD_DATABASE_URL to a built demo database")
        return
    from arguard.assess.service import assess
    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.forecast.pages import page_result
    from arguard.platform.context import ServiceContext
    from arguard.platform.tables import Company
    from arguard.portfolio import service as portfolio

    as_of = date.fromisoformat(os.environ.get("BENCH_AS_OF") or date.today().isoformat())
    engine = get_engine()
    migrate(engine)

    def portfolio_page(ctx: Any) -> None:
        stored = portfolio.stored_book(ctx, as_of)
        if len(stored.book):
            portfolio.page_answer(ctx, stored, as_of)

    print(describe())
    print(f"as_of {as_of}")
    for load in ("first", "second"):
        for name, run in (("forecast", lambda c: page_result(c, as_of)), ("portfolio", portfolio_page),
                          ("assess", lambda c: assess(c, as_of))):
            with session_scope(engine) as s:
                company = s.query(Company.id).order_by(Company.id).first()
                assert company is not None, "no company: build the demo first"
                ctx = ServiceContext(s, company[0], "bench", "viewer")
                wall, cpu = time.perf_counter(), time.process_time()
                run(ctx)
                print(f"{load:>6} load /{name:<9} wall {time.perf_counter() - wall:6.2f} s  "
                      f"cpu {time.process_time() - cpu:6.2f} s", flush=True)
