"""Collections pages in a real headless Chromium (tests/web/fixtures.py): the worklist with its ordering
explained, the policy editor, a run from the page, a case with a recovery, disputes, KPIs, in English and
中文."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.collections.ledger_text import POLICY
from tests.web.fixtures import LiveServer, Traffic
from tests.web.test_dashboard import assert_clean, sign_in


def test_worklist_run_case_disputes_and_kpis_in_both_languages(page: tuple[Any, Traffic], live_server: LiveServer,
                                                                shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, live_server, target="/collections")
    assert pg.locator("h1").inner_text() == "Collections worklist"
    pg.goto(live_server.url + "/collections/policy")
    pg.fill("#policy-yaml", "name: x\nlevels: 3\n")
    pg.click("#policy-save")
    assert "levels" in pg.locator("#policy-error").inner_text()
    assert traffic.console_errors == [("Failed to load resource: the server responded with a status of 422 "
                                      "(Unprocessable Entity)")]      # the refused policy: answered 422
    traffic.console_errors.clear()
    pg.fill("#policy-yaml", POLICY)
    pg.click("#policy-save")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("#policy-error").count() == 0
    pg.goto(live_server.url + "/collections")
    pg.click("#run-dunning")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("#collections-done").count() == 1
    assert "probability of default" in pg.locator("#ordering").inner_text()
    rows = pg.locator("#worklist tbody tr").evaluate_all("rows => rows.map(r => r.dataset.customer)")
    # EUR buyers with overdue items; the USD buyers wait for a USD/EUR rate (skipped with that reason)
    assert set(rows) == {"C001", "C003", "C005"}, rows
    values = [float(v.replace(",", "")) for v in pg.locator("#worklist tbody td:nth-child(8)").all_inner_texts()]
    assert values == sorted(values, reverse=True)
    assert pg.locator("#worklist tbody tr").first.locator("td.why").inner_text().startswith("PD ")
    pg.screenshot(path=str(shots / "collections_worklist_en.png"), full_page=True)
    pg.goto(live_server.url + "/collections/cases")
    assert pg.locator("#cases tbody tr a").count() >= 1
    pg.locator("#cases tbody tr a").first.click()
    pg.wait_for_load_state("networkidle")
    before = pg.locator("#out-principal").inner_text()
    pg.fill("#recovery-amount", "1000.00")
    pg.click("#recovery-submit")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("#case-entries tbody tr").count() == 1 and pg.locator("#out-costs").inner_text() == "0.00"
    assert pg.locator("#out-principal").inner_text() != before
    pg.goto(live_server.url + "/collections/disputes")
    pg.fill("#dispute-invoice", "INV-5002")
    pg.fill("#dispute-owner", "anna")
    pg.click("#dispute-submit")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("#disputes tbody tr[data-invoice='INV-5002']").count() == 1
    pg.goto(live_server.url + "/collections/kpis")
    assert pg.locator("#kpi-recovery").count() == 1 and pg.locator("#per-level tbody tr").count() >= 1
    pg.goto(live_server.url + "/customers/C005")
    pg.fill("#collections-panel input[name=note]", "will pay on Friday")
    pg.click("#contact-submit")
    pg.wait_for_load_state("networkidle")
    assert "will pay on Friday" in pg.locator("#collections-contacts").inner_text()
    assert pg.locator("#collections-collector").count() == 1
    pg.goto(f"{live_server.url}/lang/zh-CN")
    pg.goto(live_server.url + "/collections")
    assert pg.locator("h1").inner_text() == "催收工作清单"
    assert "违约概率" in pg.locator("#ordering").inner_text()
    pg.screenshot(path=str(shots / "collections_worklist_zh.png"), full_page=True)
    pg.goto(live_server.url + "/collections/kpis")
    assert pg.locator("h1").inner_text() == "催收指标"
    pg.goto(f"{live_server.url}/lang/en")
    assert_clean(traffic)
