"""Building the demo company into a real database (SQLite and PostgreSQL): what lands in the ledger,
idempotence, reset, logins, the hidden truth, and the capability steps registry."""

from __future__ import annotations

import uuid
from datetime import date
from random import Random

import numpy as np
import pytest
from sqlalchemy import func, select

from arguard.db.session import session_scope
from arguard.demo import steps as demo_steps
from arguard.demo.history import simulate
from arguard.demo.model import DemoSize, DemoWorld
from arguard.demo.service import build_demo, hidden_risk, make_world
from arguard.ledger import service as ledger
from arguard.ledger.tables import Allocation, Customer, Invoice, Payment
from arguard.platform.context import ServiceContext
from arguard.platform.service import authenticate_key, authenticate_user
from arguard.platform.tables import Company, User

AS_OF = date(2026, 3, 31)
SIZE = DemoSize("test", buyers=150, invoices=3_000)
SEED = 4242
calls: list[str] = []


def _probe(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    calls.append(f"{world.company_code}:{len(world.buyers)}:{rng.random():.6f}")


def _broken(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    ctx.audit("demo.broken", "company", world.company_code)
    raise RuntimeError("this step is broken on purpose")


@pytest.fixture(scope="module")
def built(engine):  # type: ignore[no-untyped-def]
    code = "D" + uuid.uuid4().hex[:7].upper()
    # Only the test's own steps: the capabilities' steps are exercised by test_all_steps.py.
    steps = [demo_steps.DemoStep("zz_test_broken", _broken, 98), demo_steps.DemoStep("zz_test_probe", _probe, 99)]
    print(f"seed={SEED} company={code}")
    result = build_demo(engine, size=SIZE, seed=SEED, as_of=AS_OF, company_code=code, steps=steps)
    with session_scope(engine) as s:
        company_id = s.scalar(select(Company.id).where(Company.code == code))
    return engine, code, company_id, result


def _ctx(s, company_id: int) -> ServiceContext:  # type: ignore[no-untyped-def]
    return ServiceContext(s, company_id, "test", "admin")


def test_the_ledger_holds_what_was_generated(built):
    engine, code, company_id, result = built
    world = make_world(SIZE, SEED, AS_OF, code)
    h = simulate(world)
    with session_scope(engine) as s:
        def count(table, *where):  # type: ignore[no-untyped-def]
            return s.scalar(select(func.count()).select_from(table).where(table.company_id == company_id, *where))

        assert count(Customer) == 150
        assert count(Invoice, Invoice.document_type == "invoice") == len(h.inv_amount) == result.counts["invoices"]
        assert count(Invoice, Invoice.document_type == "credit_note") == len(h.cn_amount) > 0
        assert count(Invoice, Invoice.document_type == "credit_note", Invoice.open_minor != 0) == 0, "cleared"
        assert count(Payment) == len(h.pay_amount) and count(Allocation) == len(h.al_amount)
        assert count(Invoice, Invoice.disputed.is_(True)) == int(h.inv_disputed_open.sum())
        currencies = s.scalars(select(Invoice.currency).where(Invoice.company_id == company_id).distinct()).all()
        assert len(currencies) >= 4
        first, last = s.execute(select(func.min(Invoice.issue_date), func.max(Invoice.issue_date))
                                .where(Invoice.company_id == company_id)).one()
        assert (last - first).days > 3 * 365 - 60 and last <= AS_OF
        # Open amounts in the database are exactly what the simulation left open.
        opens = dict(s.execute(select(Invoice.number, Invoice.open_minor).where(
            Invoice.company_id == company_id, Invoice.document_type == "invoice")).all())
        assert ledger.verify_projections(_ctx(s, company_id)) == []
    n = len(h.inv_amount)
    from arguard.demo.records import credited, number_documents

    paid = np.bincount(h.al_invoice, weights=h.al_amount, minlength=n).astype(np.int64)
    expected = h.inv_amount - credited(h) - paid

    nums = number_documents(world, h)
    assert [opens[nums.invoices[i]] for i in range(n)] == expected.tolist()
    partial = np.bincount(h.al_invoice, minlength=n) > 1
    assert partial.any(), "some invoices are paid in instalments"
    assert result.counts["import_warnings"] == 0


def test_hidden_risk_is_kept_for_every_buyer(built):
    engine, code, company_id, _ = built
    with session_scope(engine) as s:
        truth = hidden_risk(_ctx(s, company_id))
    world = make_world(SIZE, SEED, AS_OF, code)
    assert len(truth) == 150
    assert all(truth[b.code].pd_12m == pytest.approx(b.pd_12m) for b in world.buyers)
    assert any(t.default_kind == "insolvency" for t in truth.values())


def test_users_and_key_work_with_the_printed_secrets(built):
    engine, code, company_id, result = built
    with session_scope(engine) as s:
        roles = dict(s.execute(select(User.username, User.role).where(User.company_id == company_id)).all())
        assert roles == {"admin": "admin", "analyst": "analyst", "manager": "credit_manager", "viewer": "viewer"}
        for user, password in result.passwords.items():
            assert authenticate_user(s, code, user, password).company_id == company_id
        assert authenticate_key(s, result.api_key).role == "admin"


def test_steps_run_in_their_own_unit_of_work_and_failures_are_reported(built):
    engine, code, company_id, result = built
    outcome = {name: ok for name, ok, _ in result.steps}
    assert outcome["zz_test_probe"] is True and outcome["zz_test_broken"] is False
    assert any(c.startswith(f"{code}:150:") for c in calls)
    with session_scope(engine) as s:
        from arguard.platform.tables import AuditEntry

        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.company_id == company_id)))
        assert "demo.build" in actions and "demo.broken" not in actions, "a failed step is rolled back"


def test_building_again_changes_nothing_and_reset_rebuilds(built):
    engine, code, company_id, result = built
    again = build_demo(engine, size=SIZE, seed=SEED, as_of=AS_OF, company_code=code, steps=[])
    assert again.created is False and again.api_key is None
    with session_scope(engine) as s:
        n = s.scalar(select(func.count()).select_from(Invoice).where(Invoice.company_id == company_id))
    assert n == result.counts["invoices"] + result.counts["credit_notes"]
    small = DemoSize("tiny", buyers=60, invoices=300)
    rebuilt = build_demo(engine, size=small, seed=1, as_of=AS_OF, company_code=code, reset=True, steps=[])
    assert rebuilt.created and rebuilt.api_key != result.api_key
    with session_scope(engine) as s:
        new_id = s.scalar(select(Company.id).where(Company.code == code))
        # (SQLite may give the new company the old id: counts show that the old rows are gone.)
        assert s.scalar(select(func.count()).select_from(Customer).where(Customer.company_id == new_id)) == 60
        n = s.scalar(select(func.count()).select_from(Invoice).where(Invoice.company_id == new_id))
        assert n == rebuilt.counts["invoices"] + rebuilt.counts["credit_notes"]
