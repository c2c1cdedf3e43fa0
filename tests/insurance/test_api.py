"""The insurance API: roles, errors as data, the obligations answer, declarations, claims; audit trail."""

from __future__ import annotations

from sqlalchemy import select

from arguard.db.session import session_scope
from arguard.platform.context import ServiceContext
from arguard.platform.tables import AuditEntry
from tests.conftest import auth
from tests.insurance.policies import POLICY_YAML
from tests.insurance.test_service import LEDGER, book


def test_policy_obligations_claim_and_recovery_through_the_api(api, engine, company):
    client, key_for = api
    with session_scope(engine) as s:
        book(ServiceContext(s, company[0], "test", "admin"), LEDGER)
    viewer, analyst, manager = (auth(key_for(r)) for r in ("viewer", "analyst", "credit_manager"))
    assert client.post("/api/v1/insurance/policies", json={"text": POLICY_YAML}, headers=analyst).status_code == 403
    bad = client.post("/api/v1/insurance/policies", json={"text": "policy_number: X\n"}, headers=manager)
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_policy" and "insurer" in bad.json()["message"]
    r = client.post("/api/v1/insurance/policies", json={"text": POLICY_YAML}, headers=manager)
    assert r.status_code == 200 and r.json()["policy"]["premium"]["rate_pct"] == "0.25"

    ob = client.get("/api/v1/insurance/obligations?as_of=2026-10-30", headers=viewer).json()
    first = next(o for o in ob["obligations"] if o["invoice_number"] == "H-00001")
    assert (first["status"], first["amount_at_stake"]) == ("missed", "1111.05")

    n = client.post("/api/v1/insurance/notifications", json={"customer": "K200", "kind": "overdue",
                                                             "notified_on": "2026-10-20"}, headers=analyst)
    assert n.status_code == 200 and n.json()["notified_on"] == "2026-10-20"

    d = client.post("/api/v1/insurance/declarations/overdue", json={"as_of": "2026-10-30"}, headers=analyst).json()
    pdf = client.get(f"/api/v1/insurance/declarations/{d['id']}/file?format=pdf", headers=viewer)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/api/v1/insurance/declarations/{d['id']}/file?format=doc",
                      headers=viewer).status_code == 422

    c = client.post("/api/v1/insurance/claims", json={"customer": "K200", "cause": "protracted_default",
                                                      "as_of": "2026-10-30"}, headers=manager).json()
    assert c["status"] == "draft" and c["terms"][-1]["name"] == "indemnity" and c["file"]["invoices"]
    for action in ("file", "review", "pay"):
        r = client.post(f"/api/v1/insurance/claims/{c['id']}/{action}", json={"on": "2026-11-01"}, headers=manager)
        assert r.status_code == 200, r.text
    again = client.post(f"/api/v1/insurance/claims/{c['id']}/pay", json={}, headers=manager)
    assert again.status_code == 409
    rec = client.post(f"/api/v1/insurance/claims/{c['id']}/recoveries",
                      json={"amount": "1000", "received_on": "2026-12-01"}, headers=manager).json()
    assert rec["recoveries"][0]["amount"] == "1000.00"
    assert client.get("/api/v1/insurance/claims", headers=viewer).json()[0]["status"] == "paid"
    with session_scope(engine) as s:
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.company_id == company[0])))
    assert {"insurance.policy_load", "insurance.notify", "insurance.declare", "insurance.claim_open",
            "insurance.claim_pay", "insurance.recovery"} <= actions


def test_unknown_things_are_404_and_need_a_key(api, company):
    client, key_for = api
    viewer = auth(key_for("viewer"))
    assert client.get("/api/v1/insurance/claims/999", headers=viewer).status_code == 404
    assert client.get("/api/v1/insurance/obligations", headers=viewer).json()["error"] == "policy_not_found"
    assert client.get("/api/v1/insurance/policies").status_code == 401
