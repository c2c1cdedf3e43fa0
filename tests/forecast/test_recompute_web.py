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


def _insured_answer(policy: str | None) -> Any:
    def answer(ctx: Any, as_of: date) -> dict[str, Any]:
        week = {"from": as_of.isoformat(), "to": as_of.isoformat(), "expected": "100.00", "p10": "80.00",
                "p50": "100.00", "p90": "120.00"}
        forecast = {"currency": "EUR", "open_invoices": 3, "open_total": "1000.00", "expected_loss": "50.00",
                    "model": "censored_quantile_gbm", "weekly": [week], "monthly": [week],
                    "expected_indemnity": "45.00" if policy else "0.00", "policy": policy,
                    "waiting_period_days": 150 if policy else None}
        row = {"bucket": "current", "balance": "1000.00", "historical_rate": "0.05", "loss_rate": "0.05",
               "expected_loss": "50.00", "expected_loss_net": "5.00" if policy else "50.00"}
        provision = {"currency": "EUR", "as_of": as_of.isoformat(), "matrix": [row],
                     "total": {"balance": "1000.00", "expected_loss": "50.00",
                               "expected_loss_net": row["expected_loss_net"]},
                     "buyers": [], "buyers_total": {"expected_loss": "20.00", "expected_loss_net": "2.00"},
                     "policy": policy, "previous": None, "movement": "50.00",
                     "journal": [{"account": "Loss allowance on trade receivables", "debit": "0.00", "credit": "50.00"}]}
        return {"forecast": forecast, "actual": [], "provision": provision, "error": None}
    return answer


def test_the_page_shows_the_provision_net_of_insurance_and_the_indemnities_when_a_policy_covers_the_book(
        dashboard: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    # A policy insures 90 % of the book: the matrix gets its net column (5.00 beside 50.00), the page names
    # the policy and the 45.00 of indemnities; without a policy it says net equals gross, and no net column.
    monkeypatch.setattr(pages, "compute_page", _insured_answer("POL-7"))
    dashboard.post("/forecast/recompute", data={"as_of": TODAY}, follow_redirects=False)
    covered = dashboard.get(f"/forecast?as_of={TODAY}").text
    assert 'id="provision-total-net">5.00<' in covered and "policy POL-7" in covered
    assert 'id="forecast-indemnity"' in covered and "45.00" in covered and "150 days" in covered
    assert "No insurance cover is known" not in covered
    dashboard.get("/lang/zh-CN")
    chinese = dashboard.get(f"/forecast?as_of={TODAY}").text
    assert "应收账款坏账准备" in chinese and "未逾期" in chinese and "保单 POL-7" in chinese  # accounts and buckets too
    dashboard.get("/lang/en")
    monkeypatch.setattr(pages, "compute_page", _insured_answer(None))
    dashboard.post("/forecast/recompute", data={"as_of": TODAY}, follow_redirects=False)
    bare = dashboard.get(f"/forecast?as_of={TODAY}").text
    assert "No insurance cover is known" in bare and 'id="provision-total-net"' not in bare
    assert 'id="forecast-indemnity"' not in bare
