"""Platform: API keys, roles, the audit hash chain, tenant isolation of the platform endpoints."""

from __future__ import annotations

from sqlalchemy import update

from arguard.platform.service import verify_audit
from arguard.platform.tables import AuditEntry
from tests.conftest import auth, new_company


def test_health_is_open_and_everything_else_needs_a_key(api):
    client, _ = api
    assert client.get("/api/v1/health").json()["status"] == "ok"
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["error"] == "missing_api_key"
    assert client.get("/api/v1/me", headers=auth("ag_not-a-key")).status_code == 401


def test_key_names_company_and_role(api, company):
    client, key_for = api
    me = client.get("/api/v1/me", headers=auth(key_for("viewer"))).json()
    assert me["company_id"] == company[0] and me["role"] == "viewer"


def test_viewer_cannot_verify_audit_but_admin_can(api):
    client, key_for = api
    assert client.get("/api/v1/audit/verify", headers=auth(key_for("viewer"))).status_code == 403
    r = client.get("/api/v1/audit/verify", headers=auth(key_for("admin")))
    assert r.status_code == 200 and r.json()["intact"] is True


def test_audit_chain_detects_an_edited_entry(engine, ctx_factory):
    with ctx_factory() as ctx:
        for i in range(3):
            ctx.audit("limit.decide", "customer", f"C{i}", reason="annual review", after={"limit": "10000.00"})
    with ctx_factory() as ctx:
        assert verify_audit(ctx) == []
        ctx.session.execute(update(AuditEntry).where(AuditEntry.company_id == ctx.company_id,
                                                     AuditEntry.seq == 2).values(reason="nothing to see"))
    with ctx_factory() as ctx:
        breaks = verify_audit(ctx)
    assert [b.seq for b in breaks] == [2]


def test_companies_have_separate_chains(engine, ctx_factory):
    other_id, _ = new_company(engine)
    with ctx_factory(company_id=other_id) as ctx:
        ctx.audit("x", "y")
    with ctx_factory() as ctx:
        assert verify_audit(ctx) == []


def test_concurrent_units_of_work_never_break_the_chain(engine, ctx_factory):
    """Sixteen threads audit at once; on PostgreSQL they queue on the company's audit lock."""
    import threading

    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(3):
                with ctx_factory(actor=f"worker{i}") as ctx:
                    ctx.audit("order.check", "order", f"O{i}", reason="race")
        except BaseException as exc:  # noqa: BLE001 -- collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with ctx_factory() as ctx:
        assert verify_audit(ctx) == []


def _chain(ctx) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    return [(a, e) for a, e in ctx.session.execute(select(AuditEntry.action, AuditEntry.entity_id).where(
        AuditEntry.company_id == ctx.company_id, AuditEntry.action != "company.create").order_by(AuditEntry.seq))]


def test_entries_written_later_join_the_chain_after_commit_in_order(ctx_factory):
    """`audit_later` (the order check's entries): written with the unit of work, sealed after commit
    (here at once: no sealer thread in this process), in the order written, between synchronous entries."""
    with ctx_factory() as ctx:
        ctx.audit("limit.decide", "customer", "ACME")
        ctx.audit_later("credit_check", "order", "SO-1", after={"decision": "release"})
        ctx.audit_later("credit_check", "order", "SO-2", after={"decision": "hold"})
    with ctx_factory() as ctx:
        ctx.audit("order.cancel", "order", "SO-1")
    with ctx_factory() as ctx:
        assert _chain(ctx) == [("limit.decide", "ACME"), ("credit_check", "SO-1"), ("credit_check", "SO-2"),
                               ("order.cancel", "SO-1")]
        assert verify_audit(ctx) == []


def test_an_entry_of_a_rolled_back_unit_never_joins_the_chain(ctx_factory):
    import pytest

    with pytest.raises(RuntimeError), ctx_factory() as ctx:
        ctx.audit_later("credit_check", "order", "SO-9")
        raise RuntimeError("the check failed after writing")
    with ctx_factory() as ctx:
        assert _chain(ctx) == [] and verify_audit(ctx) == []


def test_the_server_sealer_seals_what_checks_leave_pending(engine, ctx_factory):
    import time

    from arguard.platform.sealing import AuditSealer

    sealer = AuditSealer(engine, interval=0.05, gather=0.01).start()
    try:
        with ctx_factory() as ctx:
            for i in range(25):
                ctx.audit_later("credit_check", "order", f"SO-{i}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with ctx_factory() as ctx:
                if len(_chain(ctx)) == 25:
                    break
            time.sleep(0.05)
    finally:
        sealer.stop()
    with ctx_factory() as ctx:
        assert [e for _, e in _chain(ctx)] == [f"SO-{i}" for i in range(25)]
        assert verify_audit(ctx) == []
