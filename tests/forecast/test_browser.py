"""The forecast page in a real headless Chromium: the fan chart of receipts (actual, then P10–P90 and the
expectation) and the provision matrix, in English and Chinese, nothing fetched from outside 127.0.0.1."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.web.fixtures import LiveServer, Traffic
from tests.web.test_dashboard import CHART_POINTS, assert_clean, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def with_rate(live_server: LiveServer) -> LiveServer:
    """The seeded ledger has USD invoices: a USD/EUR rate lets the forecast convert them."""
    from arguard.db.session import get_engine, session_scope
    from arguard.ledger import service
    from arguard.platform.context import ServiceContext
    from arguard.platform.tables import Company

    with session_scope(get_engine()) as s:
        company_id = s.query(Company.id).filter(Company.code == live_server.company_code).scalar()
        service.add_fx_rate(ServiceContext(s, company_id, "test", "admin"), "USD", "EUR", "0.92", date(2020, 1, 1))
    return live_server


def test_forecast_page_draws_the_fan_chart_and_the_provision_matrix(page: tuple[Any, Traffic], with_rate: LiveServer,
                                                                    shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, with_rate, target="/forecast")
    assert pg.url.endswith("/forecast")
    assert pg.locator("h1").inner_text() == "Cash-in forecast"
    charts = {c["id"]: c for c in pg.evaluate(CHART_POINTS)}
    assert set(charts) == {"fan-chart"}, charts
    fan = charts["fan-chart"]
    assert fan["type"] == "line" and fan["drawn"] and fan["positive"] and len(fan["labels"]) == 26
    names = pg.evaluate("() => Chart.getChart('fan-chart').data.datasets.map(d => d.label)")
    assert names == ["Actual", "P10", "P90", "Expected"]
    buckets = pg.locator("#provision-matrix tbody tr[data-bucket]").count()
    assert buckets == 7
    assert pg.locator("#monthly tbody tr").count() == 12
    pg.screenshot(path=str(shots / "forecast_en.png"), full_page=True)
    pg.goto(f"{with_rate.url}/lang/zh-CN")
    pg.goto(with_rate.url + "/forecast")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("h1").inner_text() == "回款预测"
    assert "坏账准备" in pg.locator("body").inner_text()
    pg.screenshot(path=str(shots / "forecast_zh.png"), full_page=True)
    assert_clean(traffic)
