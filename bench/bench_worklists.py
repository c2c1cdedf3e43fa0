"""First page of each work list — hold queue, alerts, customers, a bank statement's entries — over HTTP,
the REST API and the dashboard page, on a demo database (issue 12: work lists at scale).

Needs a built demo: `ARGUARD_DATABASE_URL=sqlite:////tmp/copy-of-large.db python -m bench worklists`
(the company BENCH_COMPANY, default DEMO; BENCH_AS_OF=YYYY-MM-DD, default today). Signs in without a
password or key (the request's principal is set for the bench), so the database is only read — but run
it on a copy of a shared database all the same. Each request is timed twice (cold, then warm: caches,
SQLite pages), wall and CPU of this process (the app runs in it)."""

from __future__ import annotations

import os
import time
from typing import Any

from bench.machine import describe

PAGES = (
    ("api", "hold queue", "/api/v1/limits/holds?limit=50"),
    ("web", "hold queue", "/limits/holds"),
    ("api", "alerts", "/api/v1/alerts?limit=50"),
    ("web", "alerts", "/alerts"),
    ("api", "customers", "/api/v1/customers?limit=50"),
    ("web", "customers", "/customers"),
    ("web", "customers by overdue", "/customers?sort=overdue_value&dir=desc"),
    ("web", "customers by DSO", "/customers?sort=dso&dir=desc"),
    ("web", "statement entries", "/bank-statements/{statement}"),
)


def main() -> None:
    if not os.environ.get("ARGUARD_DATABASE_URL"):
        print("skipped: set ARGUARD_DATABASE_URL to a built demo database (a copy of a shared one)")
        return
    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from arguard.api import deps
    from arguard.api.app import create_app
    from arguard.db.session import get_engine, session_scope
    from arguard.platform.interface import Principal, company_id
    from arguard.recon.tables import BankEntry
    from arguard.web import common

    code = os.environ.get("BENCH_COMPANY", "DEMO")
    with session_scope(get_engine()) as s:
        cid = company_id(s, code)
        assert cid is not None, f"no company {code}: build the demo first"
        statement = s.scalar(select(BankEntry.statement_id).where(BankEntry.company_id == cid)  # the longest
                             .group_by(BankEntry.statement_id).order_by(func.count().desc()).limit(1))
    principal = Principal(cid, "user:admin", "admin")
    deps.authenticate_key = lambda _session, _token: principal  # type: ignore[assignment]
    app = create_app()
    app.dependency_overrides[common.web_principal] = lambda: principal
    client = TestClient(app)
    headers = {"Authorization": "Bearer bench", "Cookie": "arguard_lang=en"}
    print(describe())
    print(f"load average {os.getloadavg()[0]:.2f} · company {code}")
    for kind, name, path in PAGES:
        url = path.format(statement=statement)
        for run in ("cold", "warm"):
            wall, cpu = time.perf_counter(), time.process_time()
            r: Any = client.get(url, headers=headers)
            w, c = time.perf_counter() - wall, time.process_time() - cpu
            print(f"{kind:>3} {name:<22} {run:<4} wall {w:6.2f} s  cpu {c:6.2f} s  HTTP {r.status_code} "
                  f"{len(r.content):>8,} bytes", flush=True)
