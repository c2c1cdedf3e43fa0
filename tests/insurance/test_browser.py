"""The credit insurance pages in a real headless Chromium: load a policy through the dashboard, see the
obligations calendar with its chart, every insurance page in English and 中文; nothing leaves 127.0.0.1
and the console stays clean."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.insurance.policies import POLICY_YAML
from tests.web.fixtures import LiveServer, Traffic
from tests.web.test_dashboard import CHART_POINTS, assert_clean, sign_in

pytestmark = pytest.mark.browser


def test_policy_upload_obligations_and_every_page_in_both_languages(page: tuple[Any, Traffic],
                                                                     live_server: LiveServer, shots: Path) -> None:
    pg, traffic = page
    today = live_server.today
    text = (POLICY_YAML.replace("P-1", "P-WEB")
            .replace("{start: 2026-01-01, end: 2026-12-31}",
                     f"{{start: {today - timedelta(days=400)}, end: {today + timedelta(days=30)}}}"))
    sign_in(pg, live_server, target="/insurance/policy")
    pg.goto(live_server.url + "/insurance/policy")
    pg.fill("#policy-form textarea", text)
    pg.click("#policy-form button")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("#policy-P-WEB").is_visible()
    pg.goto(live_server.url + "/insurance")
    pg.wait_for_load_state("networkidle")
    rows = pg.locator("#obligations tbody tr")
    assert rows.count() >= 1 and "no limit in force at delivery" in pg.locator("#obligations").inner_text()
    charts = pg.evaluate(CHART_POINTS)
    assert any(c["id"] == "insurance-chart" and c["drawn"] for c in charts)
    pg.screenshot(path=str(shots / "insurance-obligations.png"), full_page=True)
    for path in ("/insurance/limits", "/insurance/declarations", "/insurance/claims", "/insurance/policy"):
        pg.goto(live_server.url + path)
        pg.wait_for_load_state("networkidle")
        assert pg.locator("#insurance-tabs").is_visible(), path
    pg.click("#lang-switch")
    pg.wait_for_load_state("networkidle")
    pg.goto(live_server.url + "/insurance")
    assert pg.locator("h1").inner_text() == "信用保险：义务日历"
    assert "交货时无有效限额" in pg.locator("#obligations").inner_text()
    assert_clean(traffic)
