"""The collections API: policy, run (the issue's JSON), worklist with its ordering explained, promises,
disputes, cases, write-offs, statements, KPIs; roles and bad input answered as errors."""

from __future__ import annotations

from arguard.db.session import session_scope
from arguard.platform.context import ServiceContext
from tests.collections.ledger_text import POLICY, write
from tests.conftest import auth

LEDGER = """
customer K100 DE en
customer K300 IT en
invoice K100 H-1 1000.00 EUR due 2026-10-01
invoice K300 I-1 2000.00 EUR due 2026-09-01
"""


def test_collections_api_end_to_end(api, engine, company):  # type: ignore[no-untyped-def]
    client, key_for = api
    with session_scope(engine) as s:
        write(ServiceContext(s, company[0], "test", "admin"), LEDGER)
    viewer, analyst, manager = (auth(key_for(r)) for r in ("viewer", "analyst", "credit_manager"))
    assert client.put("/api/v1/collections/policy", json={"yaml": POLICY}, headers=analyst).status_code == 403
    bad = client.put("/api/v1/collections/policy", json={"yaml": "name: x\nlevels: 3\n"}, headers=manager)
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_policy" and "levels" in bad.json()["message"]
    assert client.put("/api/v1/collections/policy", json={"yaml": POLICY}, headers=manager).status_code == 200
    dry = client.post("/api/v1/collections/runs?as_of=2026-11-30&dry_run=true", headers=manager).json()
    assert [a["customer_id"] for a in dry["actions"]] == ["K100", "K300"]
    assert all(isinstance(a["total_due"], str) for a in dry["actions"])
    run = client.post("/api/v1/collections/runs?as_of=2026-11-30", headers=manager).json()
    assert run["replayed"] is False
    again = client.post("/api/v1/collections/runs?as_of=2026-11-30", headers=manager).json()
    assert again["replayed"] is True and again["actions"] == run["actions"]
    assert client.get("/api/v1/collections/runs/2026-11-30", headers=viewer).json()["actions"] == run["actions"]
    work = client.get("/api/v1/collections/worklist?as_of=2026-11-30", headers=viewer).json()
    assert "PD" in work["ordering"] and {i["customer_id"] for i in work["items"]} == {"K300", "K100"}
    values = [float(i["value"]) for i in work["items"]]
    assert values == sorted(values, reverse=True) and all(i["why"].startswith("PD ") for i in work["items"])
    p = client.post("/api/v1/collections/promises", json={"customer_id": "K100", "amount": "500", "currency": "EUR",
                                                           "due_on": "2026-12-05", "made_on": "2026-11-30"},
                    headers=analyst)
    assert p.status_code == 200 and p.json()["status"] == "open"
    neg = client.post("/api/v1/collections/promises", json={"customer_id": "K100", "amount": "-5", "currency": "EUR",
                                                             "due_on": "2026-12-05"}, headers=analyst)
    assert neg.status_code == 422
    d = client.post("/api/v1/collections/disputes", json={"invoice_number": "H-1", "reason_code": "quality",
                                                           "owner": "anna"}, headers=analyst).json()
    assert client.get("/api/v1/collections/disputes", headers=viewer).json()[0]["id"] == d["id"]
    cases = client.get("/api/v1/collections/cases", headers=viewer).json()
    assert [c["customer_id"] for c in cases] == ["K300"]
    rec = client.post(f"/api/v1/collections/cases/{cases[0]['id']}/recoveries",
                      json={"amount": "100.00", "currency": "EUR", "on": "2026-11-30"}, headers=manager).json()
    assert rec["entries"][0]["costs"] == "40.00"  # the compensation claimed first (clearing order)
    w = client.post("/api/v1/collections/writeoffs", json={"invoice_number": "I-1", "amount": "10.00",
                                                            "currency": "EUR", "reason": "rounding"},
                    headers=analyst).json()
    dec = client.post(f"/api/v1/collections/writeoffs/{w['id']}/decide", json={"approve": True}, headers=manager)
    assert dec.status_code == 200 and dec.json()["status"] == "approved"
    k = client.get("/api/v1/collections/kpis?as_of=2026-11-30", headers=viewer).json()
    assert k["recovery"]["recovered"] == "100.00" and k["per_level"]
    buyer = client.get("/api/v1/collections/buyers/K100?as_of=2026-11-30", headers=viewer).json()
    assert buyer["promises"][0]["amount"] == "500.00" and buyer["disputes"][0]["reason_code"] == "quality"
    assert client.get("/api/v1/collections/buyers/NOPE", headers=viewer).status_code == 404
