"""The insurance demo step: the demo company carries a policy with live obligations, declarations, a paid
claim with a recovery and a filed claim."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from arguard.db.session import session_scope
from arguard.demo import service as demo
from arguard.demo.model import DemoSize
from arguard.demo.steps import discover_steps
from arguard.insurance import service, service_claims
from arguard.platform.context import ServiceContext
from arguard.platform.service import get_company


@pytest.fixture
def sqlite_only(backend):  # type: ignore[no-untyped-def]
    if backend != "sqlite":
        pytest.skip("the demo build is exercised once, on SQLite")


def test_demo_company_carries_a_policy_with_live_obligations_claims_and_a_recovery(engine, sqlite_only):
    code = "ID" + uuid.uuid4().hex[:6].upper()
    as_of, seed = date(2026, 3, 1), 7
    print(f"demo seed {seed}")
    result = demo.build_demo(engine, size=DemoSize("tiny", buyers=80, invoices=1500), seed=seed, as_of=as_of,
                             company_code=code)
    steps = {name: (ok, msg) for name, ok, msg in result.steps}
    assert steps["insurance"][0], steps["insurance"]
    with session_scope(engine) as s:
        ctx = ServiceContext(s, get_company(s, code).id, "test", "viewer")
        assert len(service.list_policies(ctx)) == 2
        policy = service.get_policy(ctx, as_of=as_of)
        out = service.check(ctx, policy, as_of)
        statuses = {o["status"] for o in out["obligations"]}
        assert len(out["obligations"]) >= 10 and len(statuses) >= 2, statuses
        claims = [service_claims.claim_json(ctx, c) for c in service_claims.list_claims(ctx)]
        assert {c["status"] for c in claims} >= {"paid", "filed"}
        assert any(c["recoveries"] for c in claims)
        kinds = {d.kind for d in service_claims.list_declarations(ctx)}
        assert kinds == {"turnover", "overdue"}


def test_the_demo_files_and_pays_claims_whatever_cover_the_limits_step_gave(engine, sqlite_only):
    """The claims are picked from the book as it is: without the limits step (no insured limit at all) the
    insurance step still has a paid claim with a recovery and a filed one."""
    code = "IE" + uuid.uuid4().hex[:6].upper()
    as_of = date(2026, 3, 1)
    steps = [s for s in discover_steps() if s.name in ("risk", "insurance")]
    result = demo.build_demo(engine, size=DemoSize("tiny", buyers=60, invoices=1000), seed=11, as_of=as_of,
                             company_code=code, steps=steps)
    assert {name: ok for name, ok, _ in result.steps} == {"risk": True, "insurance": True}, result.steps
    with session_scope(engine) as s:
        ctx = ServiceContext(s, get_company(s, code).id, "test", "viewer")
        claims = [service_claims.claim_json(ctx, c) for c in service_claims.list_claims(ctx)]
        assert sorted(c["status"] for c in claims) == ["filed", "paid"], claims
        assert all(Decimal(c["loss"]) > 0 for c in claims), claims
        paid = next(c for c in claims if c["status"] == "paid")
        assert Decimal(paid["paid"]) > 0 and paid["recoveries"], paid


def test_the_demo_insurer_answers_follow_the_buyers_risk_with_a_minority_of_disagreements(engine, sqlite_only):
    """A real insurer refuses or cuts cover on weak buyers and grants at or below a prudent limit: on the
    underwriter's view of the demo book a minority of the lines (5–40 %) disagree with the risk engine,
    the interesting cases, not nearly all of them."""
    from arguard.insurance import service_underwriting

    code = "IU" + uuid.uuid4().hex[:6].upper()
    as_of = date(2026, 3, 1)
    steps = [s for s in discover_steps() if s.name in ("risk", "limits", "insurance")]
    result = demo.build_demo(engine, size=DemoSize("tiny", buyers=200, invoices=2500), seed=5, as_of=as_of,
                             company_code=code, steps=steps)
    assert all(ok for _, ok, _ in result.steps), result.steps
    with session_scope(engine) as s:
        ctx = ServiceContext(s, get_company(s, code).id, "test", "viewer")
        lines = service_underwriting.underwriting_lines(ctx, service.get_policy(ctx, as_of=as_of), as_of)
        flagged = [x for x in lines if x.flags]
        print(f"{len(flagged)} of {len(lines)} lines flagged")
        assert len(lines) >= 30
        assert 0.05 * len(lines) <= len(flagged) <= 0.40 * len(lines), [x.flags for x in flagged]
        # weak buyers the insurer has looked at again are refused
        assert any(x.status == "refused" for x in lines)
        assert any(x.grade is not None and x.grade >= 8 and x.status == "refused" for x in lines)
