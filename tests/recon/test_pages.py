"""Reconciliation pages without a browser (both databases): upload, statement, review, confirm and reject."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.recon.helpers import mt940, seed_ledger
from tests.recon.test_service import STATEMENT_1
from tests.web.fixtures import PASSWORD


@pytest.fixture
def signed_in(use_database: Any, company: tuple[int, str], ctx_factory: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app
    from arguard.platform.service import create_user

    with ctx_factory() as ctx:
        create_user(ctx, "carol", "credit_manager", PASSWORD)
        seed_ledger(ctx)
    with TestClient(create_app()) as client:
        r = client.post("/login", data={"company": company[1], "username": "carol", "password": PASSWORD},
                        follow_redirects=False)
        assert r.status_code == 303
        yield client


def test_upload_review_confirm_reject_in_both_languages(signed_in: Any) -> None:
    files = {"file": ("feb.sta", mt940(STATEMENT_1), "application/octet-stream")}
    page = signed_in.post("/bank-statements", files=files).text
    assert "6 new entries, 0 already known: 2 applied automatically, 1 suggested, 2 unmatched" in page
    assert "Already imported" in signed_in.post("/bank-statements", files=files).text
    bad = signed_in.post("/bank-statements", files={"file": ("x.txt", b"hello", "text/plain")})
    assert bad.status_code == 422 and "Not imported" in bad.text

    review = signed_in.get("/recon/review").text
    assert "JOHN SMITH" in review and "only the amount fits" in review and "0.50" in review
    assert "Bank reconciliation" in review and "SOMEBODY" in review and "bank charges" in review
    proposal_id = review.split('id="suggestions"', 1)[1].split('data-proposal="', 1)[1].split('"', 1)[0]
    r = signed_in.post(f"/recon/proposals/{proposal_id}/confirm", follow_redirects=True)
    assert "Confirmed and applied" in r.text and "JOHN SMITH" not in r.text.split('id="unmatched"')[0]
    r = signed_in.post(f"/recon/proposals/{proposal_id}/reject", data={"reason": "x"}, follow_redirects=True)
    assert "proposal_not_pending" in r.text

    statement_id = signed_in.get("/bank-statements").text.split('data-statement="', 1)[1].split('"', 1)[0]
    detail = signed_in.get(f"/bank-statements/{statement_id}").text
    assert "applied automatically" in detail and "INV-2024-00123" in detail and "1,000.00 EUR" in detail
    signed_in.cookies.set("arguard_lang", "zh-CN")
    assert "对账复核" in signed_in.get("/recon/review").text and "银行对账单" in signed_in.get("/bank-statements").text
