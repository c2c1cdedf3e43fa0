"""The dashboard in a real headless Chromium: sign in, overview with drawn charts, 中文, customer list,
customer page, statement download; nothing is fetched from outside 127.0.0.1 and the console stays clean.

Screenshots of every page are written to the directory printed by the `shots` fixture (set
ARGUARD_SCREENSHOTS to keep them)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from tests.web.fixtures import LiveServer, Traffic

pytestmark = pytest.mark.browser

CHART_POINTS = """() => (window.arguardCharts || []).map(c => ({
    id: c.canvas.id, type: c.config.type, labels: c.data.labels,
    points: c.data.datasets.reduce((n, d) => n + d.data.filter(v => v !== null && !isNaN(v)).length, 0),
    positive: c.data.datasets.some(d => d.data.some(v => v > 0)),
    drawn: c.canvas.width > 0 && c.canvas.height > 0, sameChart: Chart.getChart(c.canvas) === c }))"""


def sign_in(page: Any, server: LiveServer, company: str | None = None, user: str | None = None,
            password: str | None = None, target: str = "/", shot: Path | None = None) -> None:
    page.goto(server.url + target)
    assert "/login" in page.url, "an anonymous visitor must be sent to the sign-in page"
    if shot:
        page.screenshot(path=str(shot))
    page.fill("#company", company or server.company_code)
    page.fill("#username", user or server.username)
    page.fill("#password", password or server.password)
    page.click("#login-submit")
    page.wait_for_load_state("networkidle")


def assert_clean(traffic: Traffic) -> None:
    assert not traffic.failed, f"requests left 127.0.0.1: {traffic.failed}"
    assert all(u.startswith(("http://127.0.0.1:", "data:", "blob:")) for u in traffic.urls), traffic.urls
    assert not traffic.page_errors, f"JavaScript errors: {traffic.page_errors}"
    assert not traffic.console_errors, f"console errors: {traffic.console_errors}"


def test_sign_in_and_the_overview_draws_its_charts(page: tuple[Any, Traffic], live_server: LiveServer,
                                                   shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, live_server, shot=shots / "login_en.png")
    assert pg.url.rstrip("/") == live_server.url
    assert pg.locator("h1").inner_text() == "Receivables overview"
    charts = {c["id"]: c for c in pg.evaluate(CHART_POINTS)}
    assert set(charts) == {"aging-chart", "dso-chart"}, charts
    aging, dso = charts["aging-chart"], charts["dso-chart"]
    assert aging["type"] == "bar" and aging["points"] == 7 and aging["positive"] and aging["drawn"]
    assert aging["labels"][0] == "Not yet due" and aging["sameChart"]
    assert dso["type"] == "line" and len(dso["labels"]) == 12 and dso["points"] > 0 and dso["drawn"]
    currencies = pg.locator("#by-currency tbody tr").evaluate_all("rows => rows.map(r => r.dataset.currency)")
    assert currencies == ["EUR", "USD"]
    assert "65,100.00" in pg.locator("#ar-view").inner_text()
    top = pg.locator("#top-overdue tbody tr").all_inner_texts()
    assert len(top) == 5 and "Hamburg Maschinenbau" in top[0], top  # 21,500 EUR overdue: the most
    for kpi in ("#kpi-dso", "#kpi-dso-count-back", "#kpi-bpdso", "#kpi-add", "#kpi-cei"):
        assert pg.locator(kpi).count() == 1
    pg.screenshot(path=str(shots / "overview_en.png"), full_page=True)
    assert_clean(traffic)


def test_wrong_password_is_refused(page: tuple[Any, Traffic], live_server: LiveServer) -> None:
    pg, traffic = page
    sign_in(pg, live_server, password="not the password")
    assert "/login" in pg.url or pg.locator("#login-error").count() == 1
    assert pg.locator("#login-error").is_visible()
    assert not traffic.failed


def test_switching_to_chinese(page: tuple[Any, Traffic], live_server: LiveServer, shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, live_server)
    pg.click("#lang-switch")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("h1").inner_text() == "应收账款总览"
    assert pg.locator("html").get_attribute("lang") == "zh-CN"
    assert "客户" in pg.locator("header nav").inner_text()
    charts = {c["id"]: c for c in pg.evaluate(CHART_POINTS)}
    assert charts["aging-chart"]["labels"][0] == "未到期" and charts["aging-chart"]["positive"]
    pg.screenshot(path=str(shots / "overview_zh.png"), full_page=True)
    pg.click("header nav a[href='/customers']")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("h1").inner_text() == "客户"
    pg.screenshot(path=str(shots / "customers_zh.png"), full_page=True)
    pg.click("#lang-switch")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("h1").inner_text() == "Customers"
    assert_clean(traffic)


def test_customer_list_search_filter_and_customer_page(page: tuple[Any, Traffic], live_server: LiveServer,
                                                       shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, live_server, target="/customers")
    assert pg.url.endswith("/customers")
    codes = pg.locator("#customers tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes == ["C001", "C002", "C003", "C004", "C005"]
    pg.screenshot(path=str(shots / "customers_en.png"), full_page=True)

    pg.select_option("#country", "CN")
    pg.click("#filter-submit")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("#customers tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)") == ["C002"]

    pg.goto(live_server.url + "/customers?q=lyon")
    rows = pg.locator("#customers tbody tr")
    assert rows.count() == 1 and "Lyon Textiles" in rows.first.inner_text()
    pg.click("#customers a[href^='/customers/C003']")
    pg.wait_for_load_state("networkidle")
    assert "Lyon Textiles SARL" in pg.locator("#customer-name").inner_text()
    numbers = pg.locator("#open-items tbody tr").evaluate_all("rows => rows.map(r => r.dataset.number)")
    assert numbers == ["INV-3003", "INV-3004"]
    overdue = pg.locator("#open-items tr[data-number='INV-3003'] td").last.inner_text()
    assert overdue.strip() == "75"
    payments = pg.locator("#payments tbody tr").evaluate_all("rows => rows.map(r => r.dataset.payment)")
    assert payments == ["PAY-8", "PAY-7"]
    assert pg.locator("#statement-EUR").count() == 1
    assert pg.locator("#statement-EUR tr.total").inner_text().strip().endswith("10,000.00 EUR")
    charts = pg.evaluate(CHART_POINTS)
    assert charts and charts[0]["positive"]
    pg.screenshot(path=str(shots / "customer_en.png"), full_page=True)
    assert_clean(traffic)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_statement_downloads(page: tuple[Any, Traffic], live_server: LiveServer, fmt: str) -> None:
    pg, traffic = page
    sign_in(pg, live_server, target="/customers/C001")
    with pg.expect_download() as info:
        pg.click(f"#statement-{fmt}-EUR")
    download = info.value
    assert download.suggested_filename.startswith("statement_C001_") and download.suggested_filename.endswith(fmt)
    body = Path(download.path()).read_bytes()
    if fmt == "pdf":
        assert body.startswith(b"%PDF")
    elif fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row}
        assert "INV-1005" in cells and "PAY-3" in cells
    else:
        text = body.decode("utf-8-sig")
        assert "INV-1005" in text and "PAY-3" in text and "Opening balance" in text
    assert_clean(traffic)


def test_another_company_cannot_open_this_customer(page: tuple[Any, Traffic], live_server: LiveServer) -> None:
    pg, _ = page
    sign_in(pg, live_server, company=live_server.other_company_code, user="bob")
    response = pg.goto(live_server.url + "/customers/C001")
    assert response is not None and response.status == 404
    assert "Hamburg" not in pg.content()
    pg.goto(live_server.url + "/customers")
    assert pg.locator("#customers tbody tr td.empty").count() == 1


def test_every_page_in_the_top_bar_opens_cleanly_in_both_languages(page: tuple[Any, Traffic],
                                                                   live_server: LiveServer, shots: Path) -> None:
    """The shell's contract with every capability: its nav page renders, draws without script errors and
    fetches nothing from outside, in English and in Chinese."""
    pg, traffic = page
    sign_in(pg, live_server)
    links = pg.locator("header nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links[:2] == ["/", "/customers"], links
    for lang in ("en", "zh-CN"):
        pg.goto(f"{live_server.url}/lang/{lang}")
        for href in links:
            response = pg.goto(live_server.url + href)
            assert response is not None and response.status == 200, f"{href} answered {response and response.status}"
            assert pg.locator("html").get_attribute("lang") == lang
            if os.environ.get("ARGUARD_SCREENSHOTS"):  # 14 full pages: only when asked for
                name = href.strip("/").replace("/", "_") or "overview"
                pg.screenshot(path=str(shots / f"nav_{name}_{lang}.png"), full_page=True)
        pg.wait_for_load_state("networkidle")
        assert_clean(traffic)
