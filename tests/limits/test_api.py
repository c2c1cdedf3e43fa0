"""The limits API: the credit check, the hold queue, limits and appetite, exposure; roles and tenants."""

from __future__ import annotations

from arguard.db.session import session_scope
from arguard.platform.context import ServiceContext
from tests.conftest import auth, new_company
from tests.limits.ledger_text import write

BOOK = """
    customer ACME DE sector=C
    invoice ACME I-1 20000 EUR due 2026-03-15
    limit ACME 100000 internal approved
"""


def _book(engine, company_id: int, text: str = BOOK) -> None:
    with session_scope(engine) as s:
        write(ServiceContext(s, company_id, "test", "admin"), text)


def _order(order_id: str, amount: str, customer: str = "ACME") -> dict:
    return {"order_id": order_id, "customer": customer, "amount": amount, "currency": "EUR",
            "ship_date": "2026-03-10", "as_of": "2026-03-01"}


def test_credit_check_hold_queue_and_release(api, engine, company):
    client, key_for = api
    _book(engine, company[0])
    analyst, manager = auth(key_for("analyst")), auth(key_for("credit_manager"))
    ok = client.post("/api/v1/credit-check", json=_order("SO-1", "60000"), headers=analyst)
    assert ok.status_code == 200 and ok.json()["decision"] == "release" and ok.json()["available"] == "20000.00"
    again = client.post("/api/v1/credit-check", json=_order("SO-1", "60000"), headers=analyst).json()
    assert again["replayed"] is True and again["version"] == 1
    held = client.post("/api/v1/credit-check", json=_order("SO-2", "30000"), headers=analyst).json()
    assert held["decision"] == "hold" and held["reasons"][0]["code"] == "limit.exceeded"
    assert held["reasons"][0]["excess"] == "10000.00"
    queue = client.get("/api/v1/limits/holds", headers=analyst).json()
    assert queue["total"] == 1 and queue["items"][0]["order_id"] == "SO-2"
    assert client.post("/api/v1/limits/holds/SO-2/release", json={"comment": "ok"}, headers=analyst).status_code == 403
    r = client.post("/api/v1/limits/holds/SO-2/release", json={"comment": "L/C received"}, headers=manager)
    assert r.status_code == 200 and r.json()["status"] == "released"
    assert client.get("/api/v1/limits/holds", headers=analyst).json()["total"] == 0
    bad = client.post("/api/v1/credit-check", json=_order("SO-3", "-5"), headers=analyst)
    assert bad.status_code == 422


def test_limits_appetite_recommendation_and_exposure(api, engine, company):
    client, key_for = api
    _book(engine, company[0], "customer ACME DE sector=C\ninvoice ACME I-1 20000 EUR due 2026-03-15")
    manager, viewer = auth(key_for("credit_manager")), auth(key_for("viewer"))
    r = client.put("/api/v1/limits/buyers/ACME/status", json={"expected_monthly_sales": "50000"},
                   headers=auth(key_for("analyst")))
    assert r.json()["expected_monthly_sales"] == "50000.00"
    client.put("/api/v1/limits/appetite", json={"scope": "buyer", "amount": "70000"}, headers=manager)
    rec = client.get("/api/v1/limits/ACME/recommendation?as_of=2026-03-01", headers=viewer).json()
    assert (rec["amount"], rec["binding_rule"]) == ("70000.00", "appetite.buyer")
    assert {b["rule"] for b in rec["bounds"]} == {"need", "appetite.buyer"}      # need: 50k × 60/30 = 100k
    req = client.post("/api/v1/limits/requests", json={"customer": "ACME", "amount": "80000", "reason": "trade fair",
                                                       "on": "2026-03-01"}, headers=manager).json()
    d = client.post("/api/v1/limits/decisions", json={
        "customer": "ACME", "kind": "internal", "status": "partly_approved", "amount": "70000", "on": "2026-03-01",
        "request_id": req["id"], "reason": "capped by appetite", "review_on": "2026-09-01"}, headers=manager)
    assert d.status_code == 200 and d.json()["requested"] == "80000.00"
    detail = client.get("/api/v1/limits/ACME?as_of=2026-03-01", headers=viewer).json()
    assert detail["exposure"]["available"] == "50000.00" and detail["open_requests"] == []
    report = client.get("/api/v1/limits/exposure?as_of=2026-03-01", headers=viewer).json()
    assert report["items"][0]["customer"] == "ACME" and report["items"][0]["utilisation"] == 0.2857
    terms = client.get("/api/v1/limits/ACME/terms?as_of=2026-03-01", headers=viewer).json()
    assert terms["terms"] == "net 30"
    disc = client.get("/api/v1/limits/discount?discount=0.02&discount_days=10&net_days=30", headers=viewer).json()
    assert disc["annual_cost"] == "0.3724" and disc["worth_offering"] is False
    assert client.post("/api/v1/limits/decisions", json={"customer": "ACME", "kind": "internal", "status": "approved",
                                                        "amount": "1", "reason": "x"}, headers=viewer).status_code == 403


def test_another_company_never_sees_or_touches_our_orders_and_limits(api, engine, company):
    client, key_for = api
    _book(engine, company[0])
    ours = auth(key_for("admin"))
    client.post("/api/v1/credit-check", json=_order("SO-SECRET", "90000"), headers=ours)
    other_id, _ = new_company(engine)
    theirs = auth(key_for("admin", company_id=other_id))
    assert client.get("/api/v1/limits/holds", headers=theirs).json()["total"] == 0
    assert client.get("/api/v1/orders", headers=theirs).json()["total"] == 0
    assert client.get("/api/v1/limits/exposure", headers=theirs).json()["total"] == 0
    assert client.get("/api/v1/limits/ACME", headers=theirs).status_code == 404
    assert client.get("/api/v1/limits/ACME/recommendation", headers=theirs).status_code == 404
    assert client.post("/api/v1/limits/holds/SO-SECRET/release", json={"comment": "x"},
                       headers=theirs).status_code == 404
    assert client.post("/api/v1/orders/SO-SECRET/cancel", json={"comment": "x"}, headers=theirs).status_code == 404
    assert client.post("/api/v1/credit-check", json=_order("SO-SECRET", "1"), headers=theirs).status_code == 404
    assert client.put("/api/v1/limits/buyers/ACME/status", json={"order_block": True},
                      headers=theirs).status_code == 404
    assert client.get("/api/v1/limits/holds", headers=ours).json()["items"][0]["status"] == "pending"
    assert client.get("/api/v1/limits/holds").status_code == 401


def test_orders_enter_by_api(api, engine, company):
    client, key_for = api
    _book(engine, company[0])
    body = {"as_of": "2026-03-01", "orders": [
        {**_order("SO-1", "30000"), "status": "shipped"}, _order("SO-2", "40000"), _order("SO-3", "x")]}
    r = client.post("/api/v1/orders", json=body, headers=auth(key_for("analyst"))).json()
    assert [x["status"] for x in r["results"]] == ["shipped", "released"]
    assert r["issues"] == [{"source": "api", "line": 3, "field": "amount", "reason": "not an amount: 'x'"}]
