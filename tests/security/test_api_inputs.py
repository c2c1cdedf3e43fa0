"""Rows 2, 12 and 15 of issue 11: the API key is checked before a body is read, bodies are bounded per
route, and hostile values (huge amounts, extreme dates, ids above 64 bits, NUL, U+202E, '/', 5 MB event
details) get a clear 4xx in the one error format, never a 500 or pydantic's {"detail": [...]}."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import auth

ERROR_KEYS = {"error", "message"}


def _error(r, *statuses: int) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code in statuses, (r.status_code, r.text[:300])
    body = r.json()
    assert ERROR_KEYS <= set(body) and "detail" not in body, body
    return body


def _customer(client, key, code="ACME") -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/customers", headers=auth(key), json={"customer_id": code, "name": "Acme GmbH",
                                                                  "country": "DE", "currency": "EUR"})
    assert r.status_code == 200, r.text


def test_body_is_not_read_before_the_key_is_checked(api):
    """At the ASGI level: an unauthenticated upload is answered 401 without one receive() call."""
    client, _ = api
    app = client.app
    calls = []

    async def receive():  # type: ignore[no-untyped-def]
        calls.append(1)
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    sent = []

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/imports/customers", "raw_path": b"",
             "query_string": b"", "root_path": "", "scheme": "http", "server": ("t", 80), "client": ("1.2.3.4", 5),
             "headers": [(b"content-type", b"multipart/form-data; boundary=x"),
                         (b"content-length", b"524288000")], "http_version": "1.1"}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 401 and calls == []


def test_declared_and_streamed_bodies_beyond_the_route_limit_are_refused(api, monkeypatch):
    from arguard.settings import get_settings

    client, key_for = api
    key = key_for("analyst")
    big = b'{"x": "' + b"a" * (2 << 20) + b'"}'
    _error(client.post("/api/v1/events", headers={**auth(key), "content-type": "application/json"},
                       content=big), 413)

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b" " * 65536

    r = client.post("/api/v1/events", headers={**auth(key), "content-type": "application/json"}, content=chunks())
    _error(r, 413)
    # upload routes take more than the ordinary limit, up to their own
    monkeypatch.setattr(get_settings(), "max_upload_bytes", 3 << 20)
    csv = b"customer_id,name,country\n" + b"C1,Acme,DE\n" * 150_000
    r = client.post("/api/v1/imports/customers?dry_run=true", headers=auth(key),
                    files={"file": ("c.csv", csv, "text/csv")})
    assert r.status_code == 200, r.text
    r = client.post("/api/v1/imports/customers?dry_run=true", headers=auth(key),
                    files={"file": ("c.csv", csv * 3, "text/csv")})
    _error(r, 413)


def test_pydantic_errors_use_the_one_error_format(api):
    client, key_for = api
    body = _error(client.post("/api/v1/invoices", headers=auth(key_for("analyst")), json={"amount": 1}), 422)
    assert body["error"] == "invalid_request" and body["issues"] and body["issues"][0]["field"]
    _error(client.get("/api/v1/no-such-route", headers=auth(key_for())), 404)


@pytest.mark.parametrize("code", ["A/B", "A\u202eB", "A\x00B", "A\\B"])
def test_customer_codes_refuse_slash_nul_and_direction_marks(api, code):
    client, key_for = api
    r = client.post("/api/v1/customers", headers=auth(key_for("analyst")),
                    json={"customer_id": code, "name": "Acme", "country": "DE"})
    _error(r, 422)


@pytest.mark.parametrize("amount", ["1e30", "99999999999999999.99", "NaN", "Infinity", "1e999999"])
def test_huge_or_non_finite_amounts_are_refused(api, amount):
    client, key_for = api
    key = key_for("analyst")
    _customer(client, key)
    r = client.post("/api/v1/invoices", headers=auth(key), json={
        "invoice_number": "INV-1", "customer_id": "ACME", "issue_date": "2026-01-01", "due_date": "2026-01-31",
        "amount": amount, "currency": "EUR"})
    _error(r, 400, 422)


@pytest.mark.parametrize("issued,due", [("0001-01-01", "0001-01-31"), ("9999-12-01", "9999-12-31"),
                                        ("2026-01-01", "9999-12-31")])
def test_extreme_dates_are_refused_or_kept_but_never_a_500(api, issued, due):
    client, key_for = api
    key = key_for("analyst")
    _customer(client, key)
    r = client.post("/api/v1/invoices", headers=auth(key), json={
        "invoice_number": f"INV-{issued}", "customer_id": "ACME", "issue_date": issued, "due_date": due,
        "amount": "10.00", "currency": "EUR"})
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        _error(r, r.status_code)
    for path in ("/api/v1/reports/aging", "/api/v1/invoices"):
        assert client.get(path, headers=auth(key)).status_code < 500
    for as_of in ("9999-12-31", "0001-01-01"):
        r = client.get(f"/api/v1/reports/aging?as_of={as_of}", headers=auth(key))
        assert r.status_code < 500, r.text
        r = client.get(f"/api/v1/reports/dso?as_of={as_of}", headers=auth(key))
        assert r.status_code < 500, r.text


def test_ids_above_64_bits_and_nul_in_text_are_refused(api):
    client, key_for = api
    key = key_for("credit_manager")
    _error(client.post(f"/api/v1/allocations/{2**70}/reverse", headers=auth(key), json={}), 400, 404, 422)
    _error(client.get(f"/api/v1/alerts/{2**70}", headers=auth(key)), 400, 404, 422)
    r = client.post("/api/v1/invoices/INV%00X/dispute", headers=auth(key), json={"reason": "a\x00b"})
    assert r.status_code < 500, r.text


def test_large_event_details_are_refused(api):
    client, key_for = api
    key = key_for("analyst")
    _customer(client, key)
    r = client.post("/api/v1/events", headers=auth(key), json={
        "type": "legal.action", "customer_id": "ACME", "occurred_on": "2026-01-05",
        "details": {"description": "x" * (200 << 10)}})
    _error(r, 413, 422)


def test_a_limit_with_extra_decimals_is_refused_not_rounded(api):
    client, key_for = api
    key = key_for("credit_manager")
    _customer(client, key)
    r = client.post("/api/v1/limits/decisions", headers=auth(key), json={
        "customer": "ACME", "kind": "internal", "status": "approved", "amount": "0.000000001",
        "currency": "EUR", "reason": "test"})
    _error(r, 400, 422)
