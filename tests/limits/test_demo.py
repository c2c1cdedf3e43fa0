"""The limits demo step: appetite, limits (some insured, cover stopped for defaulted buyers), expected
sales, and open orders checked through the real order check."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from arguard.db.session import session_scope
from arguard.demo import service as demo
from arguard.demo.model import DemoSize
from arguard.ledger.tables import Customer
from arguard.limits import service
from arguard.limits.demo import is_new
from arguard.platform.context import ServiceContext
from arguard.platform.service import get_company


@pytest.fixture
def sqlite_only(backend):
    if backend != "sqlite":
        pytest.skip("the demo build is exercised once, on SQLite")


def test_demo_step_gives_limits_orders_and_holds(engine, sqlite_only):
    code = "LD" + uuid.uuid4().hex[:6].upper()
    as_of = date(2026, 3, 1)
    seed = 7
    print(f"demo seed {seed}")
    result = demo.build_demo(engine, size=DemoSize("tiny", buyers=60, invoices=500), seed=seed, as_of=as_of,
                             company_code=code)
    assert ("limits", True) in [(name, ok) for name, ok, _ in result.steps], result.steps
    with session_scope(engine) as s:
        ctx = ServiceContext(s, get_company(s, code).id, "test", "viewer")
        rows, total = service.exposure_report(ctx, as_of, limit=1000)
        orders, n_orders = service.list_orders(ctx)
        assert total >= 45 and sum(r["limit"] is not None for r in rows) >= 40
        assert any(r["limit_kind"] == "insured" or r["insured"] for r in rows)
        assert n_orders >= 20 and {o.status for o, _ in orders} >= {"released", "pending"}
        assert service.get_appetite(ctx).cap("country", "XX") is not None
        # every buyer the seller has traded with for a while has a limit; a new one waits for its request
        world = demo.make_world(DemoSize("tiny", buyers=60, invoices=500), seed, as_of, code)
        established = {b.code for b in world.buyers if not is_new(b, world)}
        with_limit = {r["customer"] for r in rows if r["limit"] is not None}
        assert with_limit == established
        waiting = {ctx.session.get(Customer, r.customer_id).code for r in service.open_requests(ctx)
                   if "new buyer" in (r.reason or "")}
        assert waiting == {b.code for b in world.buyers} - established
        # a healthy book passes most of its orders
        assert sum(o.status == "released" for o, _ in orders) > n_orders / 2
