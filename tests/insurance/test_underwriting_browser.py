"""The underwriter's page in headless Chromium, in English and 中文: a credit manager sorts the requests and
keeps only the disagreements; a viewer who reads Chinese sees the same records in Chinese. Nothing leaves
127.0.0.1 and the console stays clean; screenshots go to the `shots` directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.insurance.test_underwriting import small_book
from tests.web.fixtures import LiveServer, Traffic, desk_server
from tests.web.fixtures import sign_in_as as sign_in
from tests.web.test_dashboard import assert_clean

pytestmark = pytest.mark.browser
PAGE = "/insurance/underwriting?as_of=2026-06-30"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on the small insured book of test_underwriting, with a credit manager (English) and a
    viewer (中文)."""
    with desk_server(tmp_path_factory.mktemp("uwdb") / "underwriting.db", small_book) as server:
        yield server


def buyers(pg: Any) -> list[str]:
    return [str(x) for x in pg.locator("#underwriting tr.uw-line").evaluate_all(
        "rows => rows.map(r => r.dataset.customer)")]


def test_an_underwriter_sorts_and_filters_the_requests_in_english(page: tuple[Any, Traffic],
                                                                  live_server: LiveServer, shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, live_server, "alice")
    pg.goto(live_server.url + PAGE)
    assert pg.locator("h1").inner_text() == "Underwriting: insured limits and the risk engine"
    assert [t.strip() for t in pg.locator("header nav a.active").all_inner_texts()] == ["Underwriting"]
    assert buyers(pg) == ["K1", "K2", "K1"]                                   # oldest request first
    k2 = pg.locator("#underwriting tr.flagged")
    assert k2.count() == 1 and "approved > recommended" in k2.inner_text()
    assert "asked > recommended" in k2.inner_text() and "partly approved" in k2.inner_text()
    assert k2.locator("span.flag").first.get_attribute("title") == "the insurer approved more than the recommended limit"
    assert k2.locator("small.binding").inner_text() == "bound by the risk appetite per buyer"   # the binding rule
    assert "at most 8,000.00 EUR per buyer" in (k2.locator("small.binding").get_attribute("title") or "")
    pg.screenshot(path=str(shots / "insurance-underwriting-en.png"), full_page=True)
    pg.click("#underwriting a[data-sort=requested_value]")                    # first click: largest first
    pg.wait_for_load_state("networkidle")
    assert buyers(pg) == ["K2", "K1", "K1"]
    pg.check("#uw-flagged")
    pg.click("#uw-filter button[type=submit]")
    pg.wait_for_load_state("networkidle")
    assert buyers(pg) == ["K2"] and "flagged=true" in pg.url
    assert_clean(traffic)


def test_a_viewer_reads_the_same_records_in_chinese(page: tuple[Any, Traffic], live_server: LiveServer,
                                                    shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, live_server, "wang")
    pg.goto(live_server.url + PAGE)
    assert pg.locator("html").get_attribute("lang") == "zh-CN"
    assert pg.locator("h1").inner_text() == "核保：保险限额与风险引擎"
    table = pg.locator("#underwriting").inner_text()
    assert "核定额 > 建议限额" in table and "部分批准" in table and "待决定" in table
    assert "受限于单一买方风险偏好" in pg.locator("#underwriting tr.flagged small.binding").inner_text()
    pg.select_option("#uw-status", "pending")
    pg.click("#uw-filter button[type=submit]")
    pg.wait_for_load_state("networkidle")
    assert buyers(pg) == ["K1"]
    pg.goto(live_server.url + PAGE)
    pg.screenshot(path=str(shots / "insurance-underwriting-zh.png"), full_page=True)
    assert_clean(traffic)
