"""Dashboard pages without a browser (runs on SQLite and PostgreSQL): sign-in, both languages, as-of dates,
the customer-page panel registry, error pages, and one company never seeing another's customers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from arguard.core.errors import Forbidden
from arguard.core.money import Money
from arguard.ledger.web import month_ends
from arguard.web import common
from arguard.web.formatting import fmt_amount, fmt_date, fmt_money, fmt_number
from tests.conftest import new_company
from tests.web.fixtures import PASSWORD, seed_ledger

TODAY = date.today()


@pytest.fixture
def dashboard(use_database: Any, company: tuple[int, str], ctx_factory: Any) -> Iterator[Any]:
    """A TestClient signed in as an admin of a company holding the five-customer ledger."""
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app
    from arguard.platform.service import create_user

    with ctx_factory() as ctx:
        create_user(ctx, "alice", "admin", PASSWORD)
        seed_ledger(ctx, TODAY)
    with TestClient(create_app()) as client:
        r = client.post("/login", data={"company": company[1], "username": "alice", "password": PASSWORD},
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        yield client


def test_anonymous_visitors_are_sent_to_sign_in(use_database: Any) -> None:
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app

    with TestClient(create_app()) as client:
        for path in ("/", "/customers", "/customers/C001", "/customers/C001/statement.csv"):
            r = client.get(path, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/"), path
        assert client.get("/static/chart.umd.min.js").status_code == 200


def test_overview_in_english_and_chinese(dashboard: Any) -> None:
    page = dashboard.get("/").text
    assert "Receivables overview" in page and 'id="aging-chart"' in page and 'id="dso-chart"' in page
    assert "65,100.00" in page and "45,700.00" in page  # open EUR and USD, never added together
    dashboard.cookies.set("arguard_lang", "zh-CN")
    page = dashboard.get("/").text
    assert "应收账款总览" in page and "逾期金额最高的客户" in page and 'lang="zh-CN"' in page
    chart = json.loads(page.split('id="aging-data">', 1)[1].split("</script>", 1)[0])
    assert chart["data"]["labels"][0] == "未到期" and chart["data"]["datasets"][0]["label"] == "EUR"


def test_overview_as_of_a_past_date(dashboard: Any) -> None:
    """330 days ago INV-1001 was paid; open were INV-2001 (30,000 USD) and INV-3001 (5,400 EUR), not yet due."""
    as_of = TODAY - timedelta(days=330)
    page = dashboard.get(f"/?as_of={as_of.isoformat()}").text
    assert f"as of {as_of.isoformat()}" in page
    totals = page.split('id="ar-totals"', 1)[1].split("</section>", 1)[0]
    assert "5,400.00" in totals and "30,000.00" in totals and "65,100.00" not in totals
    assert ">0.0%<" in totals


def test_a_bad_as_of_is_a_page_not_a_crash(dashboard: Any) -> None:
    r = dashboard.get("/?as_of=31/12/2025")
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text and "<html" in r.text


def test_customer_list_filters_and_pages(dashboard: Any) -> None:
    page = dashboard.get("/customers?country=cn").text
    assert "上海华东贸易有限公司" in page and "Hamburg" not in page
    page = dashboard.get("/customers?q=textiles").text
    assert "Lyon Textiles SARL" in page and "Chicago" not in page
    page = dashboard.get("/customers?offset=3").text
    assert "Chicago Tools" in page and "Hamburg" not in page and "5 in all" in page


def test_customer_page_shows_items_payments_and_statement(dashboard: Any) -> None:
    page = dashboard.get("/customers/C001").text
    for text in ("Hamburg Maschinenbau GmbH", "INV-1004", "INV-1005", "CN-1001", "PAY-3", "INV-1003",
                 "Statement of account", "25,800.00 EUR", "/customers/C001/statement.pdf"):
        assert text in page, text
    assert 'data-number="INV-1001"' not in page  # paid: not an open item


def test_unknown_customer_is_a_404_page(dashboard: Any) -> None:
    r = dashboard.get("/customers/NOPE")
    assert r.status_code == 404 and "no customer" in r.text and "<html" in r.text


def test_another_company_sees_none_of_it(dashboard: Any, engine: Any, ctx_factory: Any) -> None:
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app
    from arguard.platform.service import create_user

    other_id, other_code = new_company(engine)
    with ctx_factory(company_id=other_id) as ctx:
        create_user(ctx, "bob", "admin", PASSWORD)
    with TestClient(create_app()) as bob:
        bob.post("/login", data={"company": other_code, "username": "bob", "password": PASSWORD})
        assert bob.get("/customers/C001").status_code == 404
        assert bob.get("/customers/C001/statement.csv").status_code == 404
        for path in ("/", "/customers"):
            page = bob.get(path).text
            assert "Hamburg" not in page and "65,100.00" not in page and "C001" not in page


def test_panels_of_other_capabilities_appear_on_the_customer_page(dashboard: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "CUSTOMER_PANELS", [])
    seen: list[tuple[str, date]] = []

    def limit_panel(ctx: Any, code: str, as_of: date) -> dict[str, Any]:
        seen.append((code, as_of))
        return {"limit": Money.of("50000", "EUR")}

    def refused(ctx: Any, code: str, as_of: date) -> dict[str, Any]:
        raise Forbidden("needs the credit manager role")

    common.add_customer_panel("_test_panel.html", limit_panel, order=60)
    common.add_customer_panel("_test_refused.html", refused, order=70)
    common.add_customer_panel("_test_hidden.html", lambda ctx, code, as_of: None, order=80)
    common.add_customer_panel("_test_panel.html", limit_panel, order=90)  # a second add is ignored
    loader = common.templates.env.loader
    from jinja2 import ChoiceLoader, DictLoader

    monkeypatch.setattr(common.templates.env, "loader", ChoiceLoader([DictLoader({
        "_test_panel.html": "<h2 id='test-panel'>Limit {{ panel.limit|money }} for {{ customer.code }}</h2>",
    }), loader]))
    page = dashboard.get("/customers/C003?as_of=2025-12-31").text
    assert "<h2 id='test-panel'>Limit 50,000.00 EUR for C003</h2>" in page
    assert "Not available: needs the credit manager role" in page
    assert "_test_hidden.html" not in page
    assert seen == [("C003", date(2025, 12, 31))]
    assert [p.order for p in common.CUSTOMER_PANELS] == [60, 70, 80]


def test_formatting_keeps_currency_decimals() -> None:
    assert fmt_money(Money.of("1234567.5", "EUR")) == "1,234,567.50 EUR"
    assert fmt_money(Money.of("1234567", "JPY")) == "1,234,567 JPY"
    assert fmt_amount(Money.of("-700", "EUR")) == "-700.00"
    assert fmt_amount(Money.of("1.234", "KWD")) == "1.234"
    assert fmt_number(Decimal("203.44")) == "203.4" and fmt_number(None) == "—"
    assert fmt_date(date(2025, 3, 31)) == "2025-03-31" and fmt_date(None) == "—"


def test_dso_trend_points_are_month_ends_then_as_of() -> None:
    ends = month_ends(date(2025, 3, 15), 12)
    assert len(ends) == 12 and ends[0] == date(2024, 4, 30) and ends[-2] == date(2025, 2, 28)
    assert ends[-1] == date(2025, 3, 15)
    assert month_ends(date(2024, 1, 31), 3) == [date(2023, 11, 30), date(2023, 12, 31), date(2024, 1, 31)]


def test_dso_trend_memo_follows_back_dated_facts(engine: Any, ctx_factory: Any) -> None:
    """The trend's month-end figures are memoised; a fact dated before a month-end must still change it."""
    from arguard.ledger import service
    from arguard.ledger.model import InvoiceRecord

    with ctx_factory() as ctx:
        seed_ledger(ctx, TODAY)
    ends = month_ends(TODAY, 4)
    with ctx_factory() as ctx:
        first = service.dso_history(ctx, ends)
        assert first == [service.dso_report(ctx, d) for d in ends]
        assert service.dso_history(ctx, ends) == first  # memoised, same answer
        service.add_invoice(ctx, InvoiceRecord(
            number="INV-LATE-ENTRY", customer_code="C001", issue_date=ends[0] - timedelta(days=5),
            due_date=ends[0] + timedelta(days=25), amount=Money.of("50000.00", "EUR")))
    with ctx_factory() as ctx:
        again = service.dso_history(ctx, ends)
        assert again == [service.dso_report(ctx, d) for d in ends]
    eur = [next(f for f in figures if f.currency == "EUR") for figures in again]
    before = [next(f for f in figures if f.currency == "EUR") for figures in first]
    assert all(a.closing_ar.amount == b.closing_ar.amount + 50000 for a, b in zip(eur, before, strict=True))


def test_language_switch_returns_to_the_same_page_never_elsewhere(dashboard: Any) -> None:
    r = dashboard.get("/lang/zh-CN", headers={"referer": "http://127.0.0.1:8000/customers?q=lyon"},
                      follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/customers?q=lyon"
    assert "arguard_lang=zh-CN" in r.headers["set-cookie"]
    r = dashboard.get("/lang/en", headers={"referer": "https://evil.example//phish"}, follow_redirects=False)
    assert r.headers["location"] == "/"
    r = dashboard.get("/lang/xx", follow_redirects=False)
    assert r.status_code == 303 and "set-cookie" not in r.headers


def test_a_viewer_sees_every_ledger_page(dashboard: Any, company: tuple[int, str], ctx_factory: Any) -> None:
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app
    from arguard.platform.service import create_user

    with ctx_factory() as ctx:
        create_user(ctx, "vera", "viewer", PASSWORD)
    with TestClient(create_app()) as vera:
        vera.post("/login", data={"company": company[1], "username": "vera", "password": PASSWORD})
        for path in ("/", "/customers", "/customers/C002", "/customers/C002/statement.pdf"):
            r = vera.get(path)
            assert r.status_code == 200, (path, r.status_code, r.text[-300:])
        assert "上海华东贸易有限公司" in vera.get("/customers/C002").text
