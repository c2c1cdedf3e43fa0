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
