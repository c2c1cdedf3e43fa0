"""Ledger API: flows in domain terms, roles, and tenant isolation of every ledger route."""

from __future__ import annotations

import pytest

from arguard.ledger.api import router
from tests.conftest import auth, new_company

CUSTOMER = {"customer_id": "C1", "name": "浙江远航进出口有限公司", "country": "CN", "currency": "CNY", "terms_days": 60}
INVOICE = {"invoice_number": "INV-1", "customer_id": "C1", "issue_date": "2026-01-05", "due_date": "2026-03-06",
           "amount": "10000.00", "currency": "CNY"}


@pytest.fixture
def client_keys(api):
    client, key_for = api
    keys = {role: auth(key_for(role)) for role in ("viewer", "analyst", "credit_manager")}
    return client, keys


def test_a_small_ledger_through_the_api(client_keys):
    client, k = client_keys
    assert client.post("/api/v1/customers", json=CUSTOMER, headers=k["viewer"]).status_code == 403
    r = client.post("/api/v1/customers", json=CUSTOMER, headers=k["analyst"])
    assert r.status_code == 200 and r.json()["language"] == "zh-CN"
    assert client.post("/api/v1/invoices", json=INVOICE, headers=k["analyst"]).json()["open"] == {
        "amount": "10000.00", "currency": "CNY"}
    # The same invoice again is a no-op; other content under its number is a conflict.
    assert client.post("/api/v1/invoices", json=INVOICE, headers=k["analyst"]).status_code == 200
    r = client.post("/api/v1/invoices", json={**INVOICE, "amount": "9.00"}, headers=k["analyst"])
    assert r.status_code == 409 and r.json()["error"] == "document_conflict"
    cn = {**INVOICE, "invoice_number": "CN-1", "amount": "500", "issue_date": "2026-02-01", "due_date": "2026-02-01"}
    assert client.post("/api/v1/credit-notes", json=cn, headers=k["analyst"]).json()["amount"]["amount"] == "-500.00"
    pay = {"payment_id": "P-1", "customer_id": "C1", "date": "2026-03-10", "amount": "6000", "currency": "CNY",
           "invoice_numbers": ["INV-1"]}
    assert client.post("/api/v1/payments", json=pay, headers=k["analyst"]).json()["unapplied"]["amount"] == "0.00"
    inv = client.get("/api/v1/invoices/INV-1", headers=k["viewer"]).json()
    assert inv["open"]["amount"] == "4000.00"
    # Allocating more than is unapplied is refused.
    pay2 = {**pay, "payment_id": "P-2", "amount": "100", "invoice_numbers": []}
    client.post("/api/v1/payments", json=pay2, headers=k["analyst"])
    over = {"payment_id": "P-2", "invoice_number": "INV-1", "amount": "100.01", "currency": "CNY", "on": "2026-03-11"}
    assert client.post("/api/v1/allocations", json=over, headers=k["analyst"]).status_code == 409
    ok = client.post("/api/v1/allocations", json={**over, "amount": "100"}, headers=k["analyst"]).json()
    rev = {"reason": "wrong invoice"}
    assert client.post(f"/api/v1/allocations/{ok['id']}/reverse", json=rev, headers=k["analyst"]).status_code == 403
    assert client.post(f"/api/v1/allocations/{ok['id']}/reverse", json=rev,
                       headers=k["credit_manager"]).json()["amount"]["amount"] == "-100.00"
    wo = {"invoice_number": "INV-1", "amount": "1000", "currency": "CNY", "on": "2026-04-01", "reason": "settled"}
    assert client.post("/api/v1/write-offs", json=wo, headers=k["analyst"]).status_code == 403
    assert client.post("/api/v1/write-offs", json=wo, headers=k["credit_manager"]).json()["open"]["amount"] == "3000.00"
    aging = client.get("/api/v1/reports/aging", params={"as_of": "2026-04-30"}, headers=k["viewer"]).json()
    (total,) = aging["totals"]
    assert total["total"] == "2500.00" and total["buckets"]["31-60"] == "3000.00" and total["unapplied"] == "100.00"
    assert aging["converted"] is None and aging["missing_rates"] == ["CNY"]
    dso = client.get("/api/v1/reports/dso", params={"as_of": "2026-04-30", "period_days": 120},
                     headers=k["viewer"]).json()
    assert dso[0]["currency"] == "CNY" and dso[0]["credit_sales"] == "9500.00"
    page = client.get("/api/v1/invoices", params={"status": "open", "limit": 1}, headers=k["viewer"]).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    overdue = client.get("/api/v1/invoices", params={"overdue": True, "as_of": "2026-04-30",
                                                     "document_type": "invoice"}, headers=k["viewer"]).json()
    assert [i["invoice_number"] for i in overdue["items"]] == ["INV-1"]
    hist = client.get("/api/v1/customers/C1/payments", params={"as_of": "2026-04-30"}, headers=k["viewer"]).json()
    assert [h["payment_id"] for h in hist] == ["P-2", "P-1"] and hist[1]["settled"][0]["days_late"] == 4


def test_statement_formats_and_float_amounts_refused(client_keys):
    client, k = client_keys
    client.post("/api/v1/customers", json=CUSTOMER, headers=k["analyst"])
    client.post("/api/v1/invoices", json=INVOICE, headers=k["analyst"])
    r = client.post("/api/v1/invoices", json={**INVOICE, "invoice_number": "X", "amount": 1.5}, headers=k["analyst"])
    assert r.status_code == 422
    base = "/api/v1/customers/C1/statement"
    js = client.get(base, params={"as_of": "2026-04-30"}, headers=k["viewer"]).json()
    assert js[0]["closing_balance"] == "10000.00" and js[0]["open_items"][0]["days_past_due"] == 55
    csv_text = client.get(base, params={"as_of": "2026-04-30", "format": "csv"}, headers=k["viewer"]).text
    assert "对账单" in csv_text and "期末余额" in csv_text
    pdf = client.get(base, params={"as_of": "2026-04-30", "format": "pdf"}, headers=k["viewer"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(base, params={"as_of": "2026-04-30", "format": "xlsx"}, headers=k["viewer"])
    assert xlsx.content[:2] == b"PK"


def test_import_endpoint_reports_issues_and_dry_run(client_keys):
    client, k = client_keys
    client.post("/api/v1/customers", json=CUSTOMER, headers=k["analyst"])
    body = (b"invoice_number,customer_id,issue_date,due_date,currency,amount\n"
            b"I-1,C1,2026-01-01,2026-01-31,CNY,100\nI-2,C1,2026-01-01,2025-01-31,CNY,100\n")
    files = {"file": ("inv.csv", body, "text/csv")}
    dry = client.post("/api/v1/imports/invoices", params={"dry_run": True}, files=files, headers=k["analyst"]).json()
    assert dry["dry_run"] and dry["inserted"] == 1 and dry["issues"][0]["line"] == 3
    assert client.get("/api/v1/invoices", headers=k["viewer"]).json()["total"] == 0
    assert client.post("/api/v1/imports/invoices", files=files, headers=k["viewer"]).status_code == 403
    real = client.post("/api/v1/imports/invoices", files=files, headers=k["analyst"]).json()
    assert real["inserted"] == 1 and real["rejected"] == 1 and real["issues"][0]["column"] == "due_date"


def test_fx_rates_convert_the_aging_total(client_keys):
    client, k = client_keys
    client.post("/api/v1/customers", json=CUSTOMER, headers=k["analyst"])
    client.post("/api/v1/invoices", json=INVOICE, headers=k["analyst"])
    rate = {"base": "EUR", "quote": "CNY", "rate": "8", "valid_on": "2026-01-01"}
    assert client.post("/api/v1/fx-rates", json=rate, headers=k["analyst"]).status_code == 200
    assert client.post("/api/v1/fx-rates", json={**rate, "rate": "9"}, headers=k["analyst"]).status_code == 409
    aging = client.get("/api/v1/reports/aging", params={"as_of": "2026-04-30"}, headers=k["viewer"]).json()
    assert aging["converted"]["total"] == "1250.00" and aging["converted"]["currency"] == "EUR"


def _ledger_routes() -> list[tuple[str, str]]:
    return sorted((m, "/api/v1" + r.path) for r in router.routes for m in r.methods)  # type: ignore[attr-defined]


def test_every_ledger_route_is_isolated_between_companies(api, engine, company):
    """Company B's admin key, given company A's identifiers, never sees or changes A's rows."""
    client, key_for = api
    a = auth(key_for("admin"))
    client.post("/api/v1/customers", json=CUSTOMER, headers=a)
    client.post("/api/v1/invoices", json=INVOICE, headers=a)
    client.post("/api/v1/payments", json={"payment_id": "P-1", "customer_id": "C1", "date": "2026-03-10",
                                          "amount": "10", "currency": "CNY", "invoice_numbers": ["INV-1"]}, headers=a)
    alloc_id = client.get("/api/v1/allocations", headers=a).json()[0]["id"]
    client.post("/api/v1/credit-notes", json={**INVOICE, "invoice_number": "CN-1", "amount": "5"}, headers=a)
    client.post("/api/v1/credit-notes/CN-1/apply", json={"invoice_numbers": ["INV-1"], "amounts": ["2"],
                                                          "on": "2026-03-10"}, headers=a)
    before = {p: client.get(p, headers=a).json() for p in ("/api/v1/invoices", "/api/v1/payments",
                                                             "/api/v1/customers", "/api/v1/allocations",
                                                             "/api/v1/credit-applications")}
    assert len(before["/api/v1/credit-applications"]) == 1
    b_id, _ = new_company(engine)
    b = auth(key_for("admin", b_id))
    path_values = {"code": "C1", "number": "INV-1", "payment_id": "P-1", "allocation_id": str(alloc_id),
                   "kind": "invoices", "credit_note_number": "CN-1"}
    bodies = {
        "/api/v1/customers": CUSTOMER, "/api/v1/invoices": INVOICE, "/api/v1/credit-notes": INVOICE,
        "/api/v1/payments": {"payment_id": "P-1", "customer_id": "C1", "date": "2026-03-10", "amount": "10",
                             "currency": "CNY", "invoice_numbers": ["INV-1"]},
        "/api/v1/allocations": {"payment_id": "P-1", "invoice_number": "INV-1", "amount": "1", "currency": "CNY",
                                "on": "2026-03-10"},
        "/api/v1/allocations/{allocation_id}/reverse": {"reason": "x"},
        "/api/v1/credit-notes/{credit_note_number}/apply": {"invoice_numbers": ["INV-1"], "on": "2026-03-10"},
        "/api/v1/credit-notes/{credit_note_number}/unapply": {"invoice_number": "INV-1", "reason": "x"},
        "/api/v1/invoices/{number}/dispute": {"disputed": True, "reason": "x"},
        "/api/v1/write-offs": {"invoice_number": "INV-1", "amount": "1", "currency": "CNY", "on": "2026-03-10",
                               "reason": "x"},
        "/api/v1/fx-rates": {"base": "EUR", "quote": "CNY", "rate": "8", "valid_on": "2026-01-01"},
    }
    seen = set()
    for method, template in _ledger_routes():
        path = template.format(**path_values)
        kwargs: dict = {"headers": b, "params": {"as_of": "2026-04-30"}}
        if template == "/api/v1/imports/{kind}":
            kwargs["files"] = {"file": ("i.csv", (b"invoice_number,customer_id,issue_date,due_date,currency,amount\n"
                                                 b"INV-1,C1,2026-01-01,2026-01-31,CNY,1\n"), "text/csv")}
        elif method == "POST":
            kwargs["json"] = bodies[template]
        r = client.request(method, path, **kwargs)
        seen.add((method, template))
        assert r.status_code in (200, 404, 409, 422), (method, template, r.status_code, r.text)
        if r.status_code == 200 and method == "GET":
            assert "INV-1" not in r.text and "浙江远航" not in r.text, (method, template, r.text[:200])
        assert client.get("/api/v1/me", headers=b).json()["company_id"] == b_id
    assert seen == set(_ledger_routes())
    after = {p: client.get(p, headers=a).json() for p in before}
    assert after == before


def test_customer_list_shows_each_customers_ibans(client_keys):
    client, k = client_keys
    body = {**CUSTOMER, "ibans": ["DE89370400440532013000", "GB82WEST12345698765432"]}
    assert client.post("/api/v1/customers", json=body, headers=k["analyst"]).status_code == 200
    client.post("/api/v1/customers", json={**CUSTOMER, "customer_id": "C2", "name": "No account Ltd"},
                headers=k["analyst"])
    page = client.get("/api/v1/customers", headers=k["viewer"]).json()
    by_code = {c["customer_id"]: c["ibans"] for c in page["items"]}
    assert by_code == {"C1": ["DE89370400440532013000", "GB82WEST12345698765432"], "C2": []}
    assert client.get("/api/v1/customers/C1", headers=k["viewer"]).json()["ibans"] == by_code["C1"]


def test_a_credit_note_applied_and_unapplied_through_the_api(client_keys):
    client, k = client_keys
    client.post("/api/v1/customers", json=CUSTOMER, headers=k["analyst"])
    client.post("/api/v1/invoices", json=INVOICE, headers=k["analyst"])
    cn = {**INVOICE, "invoice_number": "CN-1", "amount": "500", "issue_date": "2026-02-01", "due_date": "2026-02-01"}
    client.post("/api/v1/credit-notes", json=cn, headers=k["analyst"])
    body = {"invoice_numbers": ["INV-1"], "amounts": ["500.01"], "on": "2026-02-02"}
    assert client.post("/api/v1/credit-notes/CN-1/apply", json=body, headers=k["viewer"]).status_code == 403
    r = client.post("/api/v1/credit-notes/CN-1/apply", json=body, headers=k["analyst"])
    assert r.status_code == 409 and r.json()["error"] == "over_allocation"
    (app,) = client.post("/api/v1/credit-notes/CN-1/apply", json={**body, "amounts": ["200"]},
                         headers=k["analyst"]).json()
    assert app["amount"] == {"amount": "200.00", "currency": "CNY"} and app["customer_id"] == "C1"
    assert client.get("/api/v1/invoices/INV-1", headers=k["viewer"]).json()["open"]["amount"] == "9800.00"
    undo = {"invoice_number": "INV-1", "reason": "wrong invoice"}
    assert client.post("/api/v1/credit-notes/CN-1/unapply", json=undo, headers=k["analyst"]).status_code == 403
    (rev,) = client.post("/api/v1/credit-notes/CN-1/unapply", json=undo, headers=k["credit_manager"]).json()
    assert rev["reverses_id"] == app["id"] and rev["amount"]["amount"] == "-200.00"
    listed = client.get("/api/v1/credit-applications", params={"credit_note_number": "CN-1"},
                        headers=k["viewer"]).json()
    assert [a["id"] for a in listed] == [app["id"], rev["id"]]
    assert client.get("/api/v1/invoices/INV-1", headers=k["viewer"]).json()["open"]["amount"] == "10000.00"
