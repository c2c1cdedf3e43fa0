"""Dashboard pages of the limits capability (rendered through the app; browser tests live in tests/web)."""

from __future__ import annotations

from datetime import date

from arguard.db.session import session_scope
from arguard.limits import service
from arguard.limits.web import limit_panel
from arguard.platform.context import ServiceContext
from arguard.platform.service import create_user
from arguard.web.common import templates
from arguard.web.i18n import translate
from tests.limits.ledger_text import check, write


def _login(client, company_code: str, role: str) -> None:
    r = client.post("/login", data={"company": company_code, "username": role, "password": "pw-123456",
                                    "next": "/"}, follow_redirects=False)
    assert r.status_code == 303


def test_exposure_hold_queue_requests_and_customer_panel(api, engine, company):
    client, _ = api
    with session_scope(engine) as s:
        ctx = ServiceContext(s, company[0], "test", "admin")
        for role in ("viewer", "credit_manager"):
            create_user(ctx, role, role, "pw-123456")
        write(ctx, """
            customer ACME DE
            invoice ACME I-1 20000 EUR due 2026-03-15
            limit ACME 100000 internal approved
        """)
        check(ctx, "SO-9", "ACME", "95000")
        service.request_review(ctx, "ACME", "grade fell", cause="alert:1")
    _login(client, company[1], "viewer")
    page = client.get("/limits?as_of=2026-03-01")
    assert page.status_code == 200 and "ACME" in page.text and "limits-data" in page.text
    holds = client.get("/limits/holds").text
    assert "SO-9" in holds and "limit of 100,000.00 EUR would be exceeded by 15,000.00 EUR" in holds
    assert "hold-read-only" in holds and 'action="/limits/holds/SO-9/release"' not in holds  # a viewer sees no buttons
    r = client.post("/limits/holds/SO-9/release", data={"comment": "ok"}, follow_redirects=False)
    assert r.headers["location"] == "/limits/holds?error=role_forbidden"
    assert "grade fell" in client.get("/limits/requests").text
    with session_scope(engine) as s:     # our panel alone: the customer page also carries other panels
        context = limit_panel(ServiceContext(s, company[0], "test", "viewer"), "ACME", date(2026, 3, 1))
    panel = templates.get_template("limits/customer_panel.html").render(
        panel=context, lang="en", t=lambda key, **kw: translate("en", key, **kw))
    assert "limits-panel" in panel and "100,000.00" in panel and "net 30" in panel
    client.cookies.clear()
    _login(client, company[1], "credit_manager")
    r = client.post("/limits/holds/SO-9/release", data={"comment": "L/C received"}, follow_redirects=False)
    assert r.headers["location"] == "/limits/holds"
    assert "SO-9" not in client.get("/limits/holds").text
    client.cookies.set("arguard_lang", "zh-CN")
    assert "待审订单" in client.get("/limits/holds").text
