"""The reconciliation pages in a real headless Chromium (the dashboard's own fixtures and helpers):
upload a statement, see what was applied, confirm a suggestion on the review screen; nothing leaves
127.0.0.1 and the console stays clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.recon.helpers import mt940
from tests.web.fixtures import LiveServer, Traffic
from tests.web.test_dashboard import assert_clean, sign_in

pytestmark = pytest.mark.browser

# Against the dashboard's seeded ledger: C001 owes INV-1004 (15,000 EUR); 4,800 EUR is open only on INV-3003.
STATEMENT = """
ref  amount    payer                      iban  remittance
W1   15000.00  HAMBURG MASCHINENBAU GMBH  -     Rechnung INV-1004
W2   4800.00   J DUPONT                   -     virement
W3   99.00     SOMEBODY                   -     gift
"""


def test_upload_then_confirm_on_the_review_screen(page: tuple[Any, Traffic], live_server: LiveServer,
                                                 shots: Path) -> None:
    pg, traffic = page
    sign_in(pg, live_server, target="/bank-statements")
    pg.goto(live_server.url + "/bank-statements")
    pg.set_input_files("#upload-file", files=[{"name": "today.sta", "mimeType": "application/octet-stream",
                                               "buffer": mt940(STATEMENT, day=live_server.today)}])
    pg.click("#upload-submit")
    pg.wait_for_load_state("networkidle")
    assert "1 applied automatically, 1 suggested, 1 unmatched" in pg.locator("#upload-result").inner_text()
    assert pg.locator("#statements tbody tr").count() == 1
    pg.screenshot(path=str(shots / "recon-statements.png"), full_page=True)

    pg.goto(live_server.url + "/recon/review")
    suggestion = pg.locator("#suggestions tbody tr").first
    text = suggestion.inner_text()
    assert "J DUPONT" in text and "INV-3003" in text and "0.50" in text and "only the amount fits" in text
    assert "SOMEBODY" in pg.locator("#unmatched").inner_text()
    pg.screenshot(path=str(shots / "recon-review.png"), full_page=True)
    suggestion.locator("button.confirm").click()
    pg.wait_for_load_state("networkidle")
    assert pg.locator("#action-done").is_visible()
    assert "J DUPONT" not in pg.locator("#suggestions").inner_text()
    pg.click("#lang-switch")
    pg.wait_for_load_state("networkidle")
    assert pg.locator("h1").inner_text() == "对账复核"
    assert_clean(traffic)
