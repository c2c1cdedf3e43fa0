"""The portfolio and needs pages in a real headless Chromium: the loss chart is drawn with its tail
marked, contributions and the insurance comparison are listed, the assessment names every tool — in
English and Chinese, nothing fetched from outside 127.0.0.1, a clean console."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.fixtures import LiveServer, Traffic
from tests.web.test_dashboard import CHART_POINTS, assert_clean, sign_in

pytestmark = pytest.mark.browser


def test_portfolio_page_draws_the_loss_distribution_and_compares_insurance(
        page: tuple[Any, Traffic], live_server: LiveServer, shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, live_server, target="/portfolio")
    assert pg.locator("h1").inner_text() == "Portfolio credit loss"
    charts = {c["id"]: c for c in pg.evaluate(CHART_POINTS)}
    assert set(charts) == {"loss-chart"}, charts
    chart = charts["loss-chart"]
    assert chart["type"] == "bar" and chart["drawn"] and chart["positive"]
    tail = pg.evaluate("() => Chart.getChart('loss-chart').data.datasets[1].data.filter(v => v !== null).length")
    assert tail >= 1                                   # the bins beyond VaR 99.9 % are drawn apart
    levels = pg.locator("#tail tbody tr").all_inner_texts()
    assert [r.split("\t")[0] for r in levels] == ["99.0 %", "99.5 %", "99.9 %"]
    assert pg.locator("#contrib-country tbody tr").count() >= 2
    structures = pg.locator("#insurance tbody tr").all_inner_texts()
    assert structures[0].startswith("gross") and any(s.startswith("policy") for s in structures)
    assert pg.locator("#insurance-advice").inner_text()
    pg.screenshot(path=str(shots / "portfolio_en.png"), full_page=True)
    pg.fill("input[name=indemnity]", "80")
    pg.click("#terms-form button")
    pg.wait_for_load_state("networkidle")
    assert "indemnity=80" in pg.url
    pg.goto(f"{live_server.url}/lang/zh-CN")
    pg.goto(live_server.url + "/portfolio")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("h1").inner_text() == "应收账款组合信用损失"
    pg.screenshot(path=str(shots / "portfolio_zh.png"), full_page=True)
    assert_clean(traffic)


def test_needs_page_names_every_tool_and_offers_the_pdf(page: tuple[Any, Traffic], live_server: LiveServer,
                                                       shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, live_server, target="/assess")
    assert pg.locator("h1").inner_text() == "Receivables protection needs"
    tools = pg.locator("#tools tbody tr").evaluate_all("rows => rows.map(r => r.dataset.tool)")
    assert tools == ["credit_checks", "secured_terms", "insurance", "factoring"]
    assert pg.locator("#assess-summary").inner_text()
    response = pg.request.get(live_server.url + pg.locator("#assess-pdf").get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
    pg.screenshot(path=str(shots / "assess_en.png"), full_page=True)
    pg.goto(f"{live_server.url}/lang/zh-CN")
    pg.goto(live_server.url + "/assess")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("h1").inner_text() == "应收账款保护需求评估"
    assert pg.locator("#tools tbody tr[data-tool='insurance'] td").first.inner_text() == "信用保险"
    pg.screenshot(path=str(shots / "assess_zh.png"), full_page=True)
    assert_clean(traffic)
