"""The reconciliation API: upload a statement, review the queue, confirm and reject, mappings."""

from __future__ import annotations

from typing import Any

from tests.conftest import auth
from tests.recon.helpers import mt940, seed_ledger
from tests.recon.test_service import STATEMENT_1


def test_upload_review_confirm_reject(api: Any, ctx_factory: Any) -> None:
    client, key_for = api
    with ctx_factory() as ctx:
        seed_ledger(ctx)
    analyst, manager = auth(key_for("analyst")), auth(key_for("credit_manager"))
    files = {"file": ("feb.sta", mt940(STATEMENT_1), "application/octet-stream")}
    r = client.post("/api/v1/bank-statements", files=files, headers=analyst)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["entries_new"], body["auto_applied"], body["suggested"], body["unmatched"]) == (6, 2, 1, 2)
    again = client.post("/api/v1/bank-statements", files=files, headers=analyst).json()
    assert again["changed_nothing"] and again["entries_duplicate"] == 6

    listed = client.get("/api/v1/bank-statements", headers=analyst).json()
    assert listed["total"] == 1 and listed["items"][0]["balance_ok"] is True
    detail = client.get(f"/api/v1/bank-statements/{listed['items'][0]['id']}", headers=analyst).json()
    assert len(detail["proposals"]) == 5 and {p["status"] for p in detail["proposals"]} == {"auto", "suggested",
                                                                                           "unmatched"}
    [suggestion] = client.get("/api/v1/recon/suggestions", headers=analyst).json()["items"]
    assert suggestion["confidence"] == 0.5 and suggestion["reasons"] and suggestion["lines"][0]["amount"] == "420.00"
    assert client.post(f"/api/v1/recon/proposals/{suggestion['id']}/confirm", headers=analyst).status_code == 403
    done = client.post(f"/api/v1/recon/proposals/{suggestion['id']}/confirm", json={"reason": "ok"}, headers=manager)
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    assert done.json()["lines"][0]["applied"] == "420.00"

    unmatched = client.get("/api/v1/recon/unmatched", headers=analyst).json()["items"]
    assert len(unmatched) == 2
    auto = next(p for p in detail["proposals"] if p["status"] == "auto")
    assert client.post(f"/api/v1/recon/proposals/{auto['id']}/reject", json={}, headers=manager).status_code == 422
    r = client.post(f"/api/v1/recon/proposals/{auto['id']}/reject", json={"reason": "wrong"}, headers=manager)
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    cash = client.get("/api/v1/recon/residuals?kind=unapplied_cash", headers=analyst).json()
    assert cash["total"] == 3


def test_column_mappings(api: Any) -> None:
    client, key_for = api
    h = auth(key_for("analyst"))
    r = client.put("/api/v1/recon/mappings/giro", json={"booking_date": "Datum", "amount": "Betrag",
                                                         "date_format": "%d.%m.%Y", "decimal_mark": ","}, headers=h)
    assert r.status_code == 200 and r.json()["mapping"]["amount"] == "Betrag"
    assert [m["name"] for m in client.get("/api/v1/recon/mappings", headers=h).json()] == ["giro"]
    assert client.get("/api/v1/recon/mappings/giro", headers=h).json()["mapping"]["decimal_mark"] == ","
    assert client.delete("/api/v1/recon/mappings/giro", headers=h).status_code == 204
    assert client.get("/api/v1/recon/mappings/giro", headers=h).status_code == 404
    bad = client.post("/api/v1/bank-statements", files={"file": ("x.csv", b"a;b\n1;2\n", "text/csv")}, headers=h)
    assert bad.status_code == 422 and bad.json()["error"] == "mapping_required"
