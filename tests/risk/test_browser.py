"""The risk pages in a real headless Chromium: the /risk portfolio page draws its two charts, and the
customer page's risk panel shows grade, PD, reasons and history — in English and Chinese, with nothing
fetched from outside 127.0.0.1 and a clean console.

Reuses the dashboard's browser fixtures (`tests/web/conftest.py`) and helpers; the server's ledger is the
one seeded there. Screenshots go to the directory printed by the `shots` fixture.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.web.fixtures import LiveServer, Traffic
from tests.web.test_dashboard import CHART_POINTS, assert_clean, sign_in

pytestmark = pytest.mark.browser

# Two buyers with accounts: a sound one (C001) and one with losses and negative equity (C003).
ACCOUNTS = {
    "C001": {"total_assets": "1000000", "short_term_liabilities": "300000", "long_term_liabilities": "200000",
                 "current_assets": "450000", "cash": "50000", "receivables": "200000", "inventory": "150000",
                 "fixed_assets": "550000", "equity": "500000", "share_capital": "100000", "retained_earnings": "250000",
                 "sales": "2000000", "sales_prior_year": "1800000", "cost_of_products_sold": "1500000",
                 "gross_profit": "80000", "profit_on_sales": "90000", "operating_profit": "100000",
                 "depreciation": "40000", "interest": "20000", "net_profit": "60000", "operating_expenses": "1800000"},
    "C003": {"total_assets": "800000", "short_term_liabilities": "700000", "long_term_liabilities": "300000",
                 "current_assets": "200000", "cash": "1000", "receivables": "150000", "inventory": "40000",
                 "fixed_assets": "600000", "equity": "-200000", "share_capital": "100000", "retained_earnings": "-350000",
                 "sales": "500000", "sales_prior_year": "700000", "cost_of_products_sold": "480000",
                 "gross_profit": "-150000", "profit_on_sales": "-130000", "operating_profit": "-120000",
                 "depreciation": "30000", "interest": "60000", "net_profit": "-170000", "operating_expenses": "650000"},
}


@pytest.fixture(scope="module")
def graded(live_server: LiveServer) -> LiveServer:
    """Accounts for two buyers, then every buyer graded twice (history), in the server's own database."""
    from arguard.db.session import get_engine, session_scope
    from arguard.platform.context import ServiceContext
    from arguard.platform.tables import Company
    from arguard.risk import service
    from arguard.risk.model import StatementItems

    year_end = date(live_server.today.year - 1, 12, 31)
    with session_scope(get_engine()) as s:
        company_id = s.query(Company.id).filter(Company.code == live_server.company_code).scalar()
        ctx = ServiceContext(s, company_id, "test", "admin")
        for code, items in ACCOUNTS.items():
            amounts = {k: Decimal(v) for k, v in items.items()}
            service.add_statement(ctx, code, year_end.year, year_end, StatementItems(year_end, "EUR", **amounts))
        service.grade_buyers(ctx, date(live_server.today.year, 1, 31), trigger="test")
        service.grade_buyers(ctx, live_server.today, trigger="test")
    return live_server


def test_risk_page_draws_grade_distribution_and_exposure(page: tuple[Any, Traffic], graded: LiveServer,
                                                         shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, graded, target="/risk")
    assert pg.url.endswith("/risk")
    assert pg.locator("h1").inner_text() == "Buyer risk grades"
    charts = {c["id"]: c for c in pg.evaluate(CHART_POINTS)}
    assert set(charts) == {"grade-chart", "exposure-chart"}, charts
    ticks = pg.evaluate("() => Chart.getChart('grade-chart').scales.y.ticks.map(t => t.value)")
    assert all(float(v).is_integer() for v in ticks), ticks  # buyers are whole numbers
    for chart in charts.values():
        assert chart["type"] == "bar" and chart["drawn"] and chart["sameChart"] and chart["positive"]
    rows = pg.locator("#grades tbody tr").all_inner_texts()
    buyers = sum(int(r.split("\t")[2]) for r in rows)
    assert buyers == 5, rows  # every seeded buyer has a grade
    assert all(r.split("\t")[0] in {str(g) for g in range(1, 11)} for r in rows)
    pg.screenshot(path=str(shots / "risk_en.png"), full_page=True)
    pg.goto(f"{graded.url}/lang/zh-CN")
    pg.goto(graded.url + "/risk")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("h1").inner_text() == "买方风险评级"
    assert "破产或违约" in pg.locator("#grades tr[data-grade='10']").inner_text()
    pg.screenshot(path=str(shots / "risk_zh.png"), full_page=True)
    assert_clean(traffic)


def test_customer_page_risk_panel_shows_grade_reasons_and_history(page: tuple[Any, Traffic],
                                                                  graded: LiveServer, shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, graded, target="/customers/C003")
    panel = pg.locator("#risk-panel")
    assert panel.count() == 1
    sound_grade = int(pg.locator("#risk-grade").inner_text())
    assert 1 <= sound_grade <= 10
    pd_text = pg.locator("#risk-pd").inner_text()
    assert pd_text.endswith("%") and 0 < float(pd_text.rstrip("%")) <= 100
    reasons = pg.locator("#risk-reasons li").all_inner_texts()
    assert 1 <= len(reasons) <= 5 and all(r[0] in "▲▼" for r in reasons), reasons
    assert any("raises" in r for r in reasons)
    assert not any(re.search(r"\d\.\d{5,}", r) for r in reasons), reasons  # values shown to 4 digits
    history = pg.locator("#risk-history tbody tr").all_inner_texts()
    assert len(history) == 2, history  # two gradings, newest first
    assert history[0].split("\t")[0] > history[1].split("\t")[0]
    pg.screenshot(path=str(shots / "customer_risk_en.png"), full_page=True)

    pg.goto(graded.url + "/customers/C001")
    pg.wait_for_load_state("networkidle")
    assert int(pg.locator("#risk-grade").inner_text()) <= sound_grade  # sound accounts grade no worse
    pg.goto(f"{graded.url}/lang/zh-CN")
    pg.goto(graded.url + "/customers/C003")
    pg.wait_for_load_state("networkidle")
    assert "风险评级" in pg.locator("#risk-panel").evaluate("e => e.parentElement.innerText")
    assert pg.locator("#risk-confidence").inner_text() in {"高", "中", "低"}
    zh_reasons = pg.locator("#risk-reasons li").all_inner_texts()
    # C003 has accounts with losses and negative equity: its reasons are ratios, named in Chinese
    assert zh_reasons and all(re.search(r"[\u4e00-\u9fff]", r) for r in zh_reasons), zh_reasons
    assert not any(c in r for r in zh_reasons for c in ("raises", "lowers", " to total ")), zh_reasons
    pg.screenshot(path=str(shots / "customer_risk_zh.png"), full_page=True)
    assert_clean(traffic)


def test_customer_page_without_a_grade_offers_a_regrade_and_a_view_writes_nothing(
        page: tuple[Any, Traffic], graded: LiveServer) -> None:
    """A buyer added after the gradings: the page shows 'not graded' and a re-grade button; only the
    POST grades it."""
    from sqlalchemy import func, select

    from arguard.db.session import get_engine, session_scope
    from arguard.ledger import service as ledger
    from arguard.ledger.model import CustomerRecord
    from arguard.platform.context import ServiceContext
    from arguard.platform.tables import Company
    from arguard.risk.tables import BuyerGrade

    def grades() -> int:
        with session_scope(get_engine()) as s:
            return int(s.scalar(select(func.count(BuyerGrade.id)).where(BuyerGrade.company_id == company_id)))

    with session_scope(get_engine()) as s:
        company_id = s.query(Company.id).filter(Company.code == graded.company_code).scalar()
        ledger.upsert_customer(ServiceContext(s, company_id, "test", "admin"),
                               CustomerRecord("RISKNEW", "Neue Risiko GmbH", "DE", sector="C25", terms_days=30))
    pg, traffic = page
    before = grades()
    sign_in(pg, graded, target="/customers/RISKNEW")
    assert pg.locator("#risk-none").count() == 1 and pg.locator("#risk-grade").count() == 0
    pg.reload()
    assert grades() == before  # two page views, no grade written
    pg.locator("#risk-regrade button").click()
    pg.wait_for_load_state("networkidle")
    assert 1 <= int(pg.locator("#risk-grade").inner_text()) <= 10
    assert grades() == before + 1
    assert pg.locator("#risk-history tbody tr").all_inner_texts()[0].split("\t")[-1] == "on_request"
    assert_clean(traffic)
