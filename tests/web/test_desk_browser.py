"""The desk's work lists in headless Chromium, in English and 中文 (issue 12): a credit manager who reads
English and a viewer who chose Chinese sign in to a real server holding a graded book, limits, held
orders and alerts. Sorting, filters and grouping are clicked, not faked; a viewer gets no buttons it
could not use; one tab of the top bar is highlighted. Screenshots go to the `shots` directory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.web.desk_data import seed_desk
from tests.web.fixtures import LiveServer, Traffic, desk_server
from tests.web.fixtures import sign_in_as as sign_in


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The server of fixtures.py, on the desk's data, with a credit manager (English) and a viewer (中文)."""
    today = date.today()
    with desk_server(tmp_path_factory.mktemp("deskdb") / "desk.db", lambda ctx: seed_desk(ctx, today),
                     today) as server:
        yield server


def column(pg: Any, selector: str) -> list[str]:
    return [t.strip() for t in pg.locator(selector).all_inner_texts()]


def amounts(texts: list[str]) -> list[float]:
    return [float(t.split()[0].replace(",", "")) for t in texts]


def test_credit_manager_works_the_hold_queue_in_english(page: tuple[Any, Traffic], live_server: LiveServer,
                                                        shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, live_server, "alice")
    pg.goto(f"{live_server.url}/limits/holds")
    assert pg.locator("html").get_attribute("lang") == "en"
    assert column(pg, "header nav a.active") == ["Hold queue"]  # not "Limits" as well
    assert "Hamburg Maschinenbau GmbH" in column(pg, "#holds td.buyer-name")
    assert pg.locator("#holds td.actions form").count() == 2 * pg.locator("#holds tbody tr[id^=hold-]").count()
    pg.click("#holds a[data-sort=amount_value]")  # first click: largest first
    pg.wait_for_load_state("networkidle")
    shown = amounts(column(pg, "#holds td.num"))
    assert shown == sorted(shown, reverse=True) and shown[0] == 50000.0
    pg.click("#holds a[data-sort=amount_value]")  # second click: smallest first
    pg.wait_for_load_state("networkidle")
    shown = amounts(column(pg, "#holds td.num"))
    assert shown == sorted(shown)
    pg.check("#hold-group")
    pg.click("#hold-filter button[type=submit]")
    pg.wait_for_load_state("networkidle")
    groups = pg.locator("#holds tr.group-head").all()
    assert len(groups) == 3  # C001 (two orders), C003, C005
    rows = [r.get_attribute("data-customer") for r in pg.locator("#holds tbody tr[id^=hold-]").all()]
    at = [i for i, code in enumerate(rows) if code == "C001"]
    assert len(at) == 2 and at[1] == at[0] + 1  # a buyer's orders together
    text = pg.inner_text("#holds")
    assert "The internal limit of 20,000.00 EUR would be exceeded by" in text and "≥" not in text
    pg.fill("#hold-q", "milano")
    pg.click("#hold-filter button[type=submit]")
    pg.wait_for_load_state("networkidle")
    assert column(pg, "#holds td.buyer-name") == ["Milano Arredamenti S.p.A."]
    pg.screenshot(path=str(shots / "desk-holds-en.png"), full_page=True)
    pg.goto(f"{live_server.url}/customers?sort=grade&dir=desc")
    grades = [int(g) for g in column(pg, "#customers td.grade") if g != "—"]
    assert grades and grades == sorted(grades, reverse=True)
    assert any("20,000.00 EUR" in t for t in column(pg, "#customers td.limit"))
    assert column(pg, "header nav a.active") == ["Customers"]
    pg.screenshot(path=str(shots / "desk-customers-en.png"), full_page=True)
    assert not traffic.page_errors and not traffic.failed


def test_a_viewer_who_reads_chinese_sees_the_lists_without_buttons(page: tuple[Any, Traffic],
                                                                   live_server: LiveServer, shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, live_server, "wang")  # chose 中文 when the user was made: no switch clicked
    pg.goto(f"{live_server.url}/limits/holds")
    assert pg.locator("html").get_attribute("lang") == "zh-CN"
    assert pg.locator("#hold-read-only").is_visible() and pg.locator("#holds td.actions").count() == 0
    text = pg.inner_text("#holds")
    assert "将超出内部额度 20,000.00 EUR" in text and "尚无有效信用额度" in text and "exceeded" not in text
    assert column(pg, "header nav a.active") == ["待审订单"]
    pg.screenshot(path=str(shots / "desk-holds-zh.png"), full_page=True)
    pg.goto(f"{live_server.url}/alerts?status=&group=true&sort=customer_code&dir=asc")
    heads = [h.get_attribute("data-group") for h in pg.locator("#alerts tr.group-head").all()]
    assert heads and len(heads) == len(set(heads))  # each buyer once
    inbox = pg.inner_text("#alerts")
    assert "Hamburg Maschinenbau GmbH" in inbox and "past due" not in inbox and "of receivables" not in inbox
    first = pg.locator("#alerts tbody tr[data-alert] a[href^='/alerts/']").first
    first.click()
    pg.wait_for_load_state("networkidle")
    assert pg.locator("#evidence").is_visible() and "{" not in pg.inner_text("#evidence")  # sentences, not JSON
    assert pg.locator("#ack").count() == 0 and pg.locator("#alert-read-only").count() == 1
    pg.screenshot(path=str(shots / "desk-alert-zh.png"), full_page=True)
    pg.goto(f"{live_server.url}/risk?grade={_some_grade(pg, live_server)}")
    assert pg.locator("#grade-buyers tbody tr[data-code]").count() >= 1
    assert "EUR" in pg.inner_text("#grades thead")
    pg.goto(f"{live_server.url}/customers/NOPE")
    assert "本公司中没有该页面或记录" in pg.inner_text("#error-message")
    assert not traffic.page_errors and not traffic.failed


def _some_grade(pg: Any, server: LiveServer) -> str:
    pg.goto(f"{server.url}/risk")
    for row in pg.locator("#grades tbody tr").all():
        if row.locator("td").nth(2).inner_text().strip() not in ("0", ""):
            return str(row.get_attribute("data-grade"))
    raise AssertionError("no graded buyer")
