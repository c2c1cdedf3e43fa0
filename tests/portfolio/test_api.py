"""Portfolio and assessment routes: authenticated, company-scoped, 422 for bad input, never a 500."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import auth

pytestmark = pytest.mark.storage
TODAY = date.today()


def _seed(api: Any) -> str:
    client, key_for = api
    key = key_for("admin")
    for code, country, sector, amount in (("K1", "DE", "C25", "40000.00"), ("K2", "FR", "F41", "25000.00"),
                                          ("K3", "CN", "G46", "9000.00")):
        r = client.post("/api/v1/customers", headers=auth(key),
                        json={"customer_id": code, "name": f"{code} Ltd", "country": country, "sector": sector})
        assert r.status_code in (200, 201), r.text
        r = client.post("/api/v1/invoices", headers=auth(key), json={
            "invoice_number": f"I-{code}", "customer_id": code, "issue_date": (TODAY - timedelta(20)).isoformat(),
            "due_date": (TODAY + timedelta(40)).isoformat(), "amount": amount, "currency": "EUR"})
        assert r.status_code in (200, 201), r.text
    return str(key_for("viewer"))


def test_stored_loss_insurance_value_and_assessment(api: Any) -> None:
    client, _ = api
    viewer = _seed(api)
    loss = client.get("/api/v1/portfolio/loss?seed=4", headers=auth(viewer))
    assert loss.status_code == 200, loss.text
    body = loss.json()
    assert body["buyers"] == 3 and body["seed"] == 4 and body["open_receivables"] == "74000.00"
    assert set(body["var"]) == {"0.99", "0.995", "0.999"} and 0 < body["expected_loss"] < body["var"]["0.999"]
    value = client.get("/api/v1/portfolio/insurance-value?indemnity_pct=90&aggregate_first_loss=500",
                       headers=auth(viewer))
    assert value.status_code == 200, value.text
    assert value.json()["structures"][0]["name"] == "policy" and value.json()["recommendation"]["zh"]
    need = client.get("/api/v1/assess?home=DE", headers=auth(viewer))
    assert need.status_code == 200, need.text
    assert {r["tool"] for r in need.json()["recommendations"]} == {"credit_checks", "secured_terms", "insurance",
                                                                   "factoring"}
    pdf = client.get("/api/v1/assess/report.pdf", headers=auth(viewer))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_posted_book_needs_an_analyst_and_good_input(api: Any) -> None:
    client, key_for = api
    buyers = [{"id": f"B{i}", "pd": 0.01, "ead": 1000 + i, "lgd": 0.45, "country": "DE", "sector": "C25"}
              for i in range(200)]
    body = {"buyers": buyers, "correlation": {"rho": 0.2}, "seed": 9}
    assert client.post("/api/v1/portfolio/simulate", json=body, headers=auth(key_for("viewer"))).status_code == 403
    assert client.post("/api/v1/portfolio/simulate", json=body).status_code == 401
    ok = client.post("/api/v1/portfolio/simulate", json=body, headers=auth(key_for("analyst")))
    assert ok.status_code == 200, ok.text
    assert ok.json()["buyers"] == 200 and ok.json()["seed"] == 9
    bad = client.post("/api/v1/portfolio/simulate", headers=auth(key_for("analyst")),
                      json={"buyers": [{**buyers[0], "pd": 1.5}]})
    assert bad.status_code == 422
    dupe = client.post("/api/v1/portfolio/simulate", headers=auth(key_for("analyst")),
                       json={"buyers": [buyers[0], buyers[0]]})
    assert dupe.status_code == 422 and dupe.json()["error"] == "duplicate_buyer"
    too_much = client.post("/api/v1/portfolio/simulate", headers=auth(key_for("analyst")),
                           json={"buyers": buyers[:3], "correlation": {"rho_global": 0.6, "rho_country": 0.3,
                                                                       "rho_sector": 0.2}})
    assert too_much.status_code == 422
    assert client.get("/api/v1/portfolio/loss?rho=1.5", headers=auth(key_for("viewer"))).status_code == 422
    assert client.get("/api/v1/portfolio/loss?seed=-1", headers=auth(key_for("viewer"))).status_code == 422
    negative = client.post("/api/v1/portfolio/simulate", headers=auth(key_for("analyst")),
                           json={"buyers": buyers[:3], "seed": -5})
    assert negative.status_code == 422
    assert client.get("/api/v1/assess?home=Germany", headers=auth(key_for("viewer"))).status_code == 422


def test_insurance_value_reads_the_stored_policy_in_force(api: Any, engine: Any, company: Any) -> None:
    from arguard.db.session import session_scope
    from arguard.insurance.service import load_policy
    from arguard.platform.context import ServiceContext

    client, _ = api
    viewer = _seed(api)
    year = TODAY.year
    text = (f"policy_number: P-{year}\ninsurer: Example\ncurrency: EUR\nperiod: {{start: {year}-01-01, end: "
            f"{year}-12-31}}\nindemnity_pct: {{commercial: 85, political: 85}}\nmax_credit_period_days: 120\n"
            "max_extension_days: 60\noverdue_notification_days: 30\nadverse_event_notification_days: 10\n"
            "claim_filing_days: 60\nwaiting_period_days: 150\ninsolvency_payout_days: 30\n"
            "deductible_per_claim: 0\naggregate_first_loss: 2000\nnon_qualifying_loss: 100\n"
            "max_liability: {multiple_of_premium: 40}\npremium: {rate_pct: 0.3, minimum: 500, declaration: monthly}\n"
            "discretionary_limit: {max_amount: 10000}\n"
            "exclusions: {countries: [], affiliates: true, public_buyers: true, private_persons: true}\n")
    with session_scope(engine) as s:
        load_policy(ServiceContext(s, company[0], "test", "admin"), text, "policy.yaml")
    answer = client.get("/api/v1/portfolio/insurance-value", headers=auth(viewer)).json()
    assert answer["terms_from"] == f"policy P-{year}", answer
    quoted = answer["structures"][0]
    assert quoted["name"] == f"P-{year}" and quoted["max_liability"] == pytest.approx(40 * quoted["premium"], rel=1e-6)
    # no buyer has an insured limit (no limit decisions): under the policy nothing is covered
    assert answer["insured_buyers"] == 0 and quoted["el_saved"] == 0.0 and quoted["value"] < 0
    given = client.get("/api/v1/portfolio/insurance-value?indemnity_pct=90", headers=auth(viewer)).json()
    assert given["terms_from"] == "given terms" and given["structures"][0]["name"] == "policy"
    assert given["structures"][0]["el_saved"] > 0


def test_exposure_counts_shipped_not_invoiced_orders(api: Any) -> None:
    client, key_for = api
    viewer = _seed(api)
    order = {"order_id": "SO-1", "customer": "K3", "amount": "6000.00", "currency": "EUR",
             "ship_date": (TODAY - timedelta(2)).isoformat(), "status": "shipped"}
    r = client.post("/api/v1/orders", headers=auth(key_for("analyst")), json={"orders": [order]})
    assert r.status_code == 200 and not r.json()["issues"], r.text
    body = client.get("/api/v1/portfolio/loss?seed=4", headers=auth(viewer)).json()
    assert body["open_receivables"] == "74000.00" and body["shipped_and_orders"] == "6000.00"
    assert body["buyers"] == 3
