"""The underwriter's view over a stored book: every insured-limit request and insurer decision under the
policy in force, with each buyer's newest grading and recommended limit (`service_underwriting`).

Database: ARGUARD_BENCH_UNDERWRITING_URL (default the large demo in PostgreSQL, arguard_bench), company
ARGUARD_BENCH_UNDERWRITING_COMPANY (default DEMO), date ARGUARD_BENCH_UNDERWRITING_AS_OF (default
2026-12-04); nothing is written. One run (the view reads thousands of buyers): wall and this process's CPU
seconds for the request/decision records (two statements), the gradings (one), the recommendations (every
buyer's facts read in bulk, each capped scope once: `limits.service_recommend`) and the whole view, with the load average before and after.
"""

from __future__ import annotations

import os
import time
from datetime import date

from bench.machine import describe

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/arguard_bench"


def _timed(label: str, fn):  # type: ignore[no-untyped-def]
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    print(f"{label:<34} {time.perf_counter() - t0:7.2f} s wall {time.process_time() - c0:7.2f} s CPU", flush=True)
    return out


def main() -> None:
    from arguard.db.session import get_engine, session_scope
    from arguard.insurance import service, service_underwriting
    from arguard.limits import interface as limits
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import get_company
    from arguard.risk import interface as risk

    print(describe())
    url = os.environ.get("ARGUARD_BENCH_UNDERWRITING_URL", DEFAULT_URL)
    as_of = date.fromisoformat(os.environ.get("ARGUARD_BENCH_UNDERWRITING_AS_OF", "2026-12-04"))
    engine = get_engine(url)
    print(f"database {engine.dialect.name}, as of {as_of}, load average {os.getloadavg()}")
    with session_scope(engine) as s:
        ctx = ServiceContext(s, get_company(s, os.environ.get("ARGUARD_BENCH_UNDERWRITING_COMPANY", "DEMO")).id,
                             "bench", "viewer")
        policy = service.get_policy(ctx, None, as_of)
        records = _timed("records (requests, decisions)", lambda: [
            r for r in limits.cover_records(ctx, ("insured",)) if service_underwriting.under_policy(r, policy, as_of)])
        codes = sorted({r.customer_code for r in records})
        _timed(f"gradings of {len(codes)} buyers", lambda: risk.newest_gradings(ctx, codes, as_of))
        _timed(f"recommendations of {len(codes)} buyers", lambda: limits.recommended_limits(ctx, codes, as_of))
        view = _timed("whole view", lambda: service_underwriting.underwriting_view(ctx, policy, as_of))
        print(f"{len(view['lines'])} lines, {view['flagged']} flagged; load average {os.getloadavg()}")
        s.rollback()
    engine.dispose()
