"""The collections demo step on a tiny demo company: a recorded run, a worklist with collectors, a broken
promise (alerted by monitoring), a dispute, an agency case with a recovery; letters render when opened."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from arguard.collections import service, service_cases, service_work
from arguard.db.session import session_scope
from arguard.demo import service as demo
from arguard.demo.model import DemoSize
from arguard.platform.context import ServiceContext
from arguard.platform.service import get_company


def test_demo_step_builds_a_collections_desk(engine, backend):  # type: ignore[no-untyped-def]
    if backend != "sqlite":
        pytest.skip("the demo build is exercised once, on SQLite")
    code = "CD" + uuid.uuid4().hex[:6].upper()
    as_of, seed = date(2026, 3, 1), 11
    print(f"demo seed {seed}")
    result = demo.build_demo(engine, size=DemoSize("tiny", buyers=60, invoices=800), seed=seed, as_of=as_of,
                             company_code=code)
    assert ("collections", True) in [(name, ok) for name, ok, _ in result.steps], result.steps
    with session_scope(engine) as s:
        ctx = ServiceContext(s, get_company(s, code).id, "test", "admin")
        run = service.recorded_run(ctx, as_of)
        assert run is not None and run["actions"]
        items, total = service_work.worklist(ctx, as_of)
        assert total == len(run["actions"]) and all(w.collector for w in items)
        assert {p.status for p in service_work.list_promises(ctx)} >= {"broken"}
        letters = [a for a in service.list_actions(ctx, as_of, limit=1000) if a.channel in ("letter", "email")]
        if letters:
            assert service.get_letter(ctx, letters[0].id).startswith(b"%PDF")
        assert service_cases.list_cases(ctx) or not any(a["channel"] == "agency" for a in run["actions"])
