"""The forecast page from its stored answer over HTTP: shown without recomputing, the Recompute button and
POST only for a credit manager or above, a cross-site POST refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from arguard.forecast import pages
from tests.web.fixtures import PASSWORD
from tests.web.test_pages import dashboard  # noqa: F401  (fixture)

pytestmark = pytest.mark.storage
TODAY = date.today().isoformat()


def _answer(ctx: Any, as_of: date) -> dict[str, Any]:
    return {"forecast": None, "actual": None, "provision": None, "error": f"stand-in {as_of}"}


def _fail(ctx: Any, as_of: date) -> dict[str, Any]:
    raise AssertionError("the stored answer should have been shown")


def test_only_a_credit_manager_recomputes_and_the_page_reads_the_stored_answer(
        dashboard: Any, company: tuple[int, str], ctx_factory: Any,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app
    from arguard.platform.service import create_user

    monkeypatch.setattr(pages, "compute_page", _answer)
    r = dashboard.post("/forecast/recompute", data={"as_of": TODAY}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/forecast?as_of={TODAY}"
    monkeypatch.setattr(pages, "compute_page", _fail)
    page = dashboard.get(f"/forecast?as_of={TODAY}")
    assert page.status_code == 200 and f"stand-in {TODAY}" in page.text and 'id="recompute"' in page.text
    assert 'id="computed-at"' in page.text
    with ctx_factory() as ctx:
        create_user(ctx, "ana", "analyst", PASSWORD)
    with TestClient(create_app()) as ana:
        ana.post("/login", data={"company": company[1], "username": "ana", "password": PASSWORD})
        shown = ana.get(f"/forecast?as_of={TODAY}")
        assert shown.status_code == 200 and f"stand-in {TODAY}" in shown.text
        assert 'id="recompute"' not in shown.text
        refused = ana.post("/forecast/recompute", data={"as_of": TODAY}, follow_redirects=False)
        assert refused.status_code == 403
    cross = dashboard.post("/forecast/recompute", data={"as_of": TODAY}, follow_redirects=False,
                           headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
