"""The insurance pages rendered through the app (no browser): both languages, every page, the policy form."""

from __future__ import annotations

from typing import Any

from arguard.insurance import service
from arguard.platform.service import create_user
from tests.insurance.policies import POLICY_YAML
from tests.insurance.test_service import LEDGER, book

PASSWORD = "pw-123456"


def test_every_insurance_page_in_english_and_chinese(api: Any, ctx_factory: Any, company: Any) -> None:
    client, _ = api
    with ctx_factory() as ctx:
        create_user(ctx, "viewer", "viewer", PASSWORD)
        book(ctx, LEDGER)
        service.load_policy(ctx, POLICY_YAML, "p.yaml")
    r = client.post("/login", data={"company": company[1], "username": "viewer", "password": PASSWORD, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/insurance?as_of=2026-10-30")
    assert page.status_code == 200, page.text
    assert 'id="ob-H-00001"' in page.text and "1111.05" in page.text and "insurance-data" in page.text
    assert "shipped after the stop-supply date" in page.text
    missed = client.get("/insurance?as_of=2026-10-30&status=missed").text
    assert 'id="ob-H-00001"' in missed and 'id="ob-H-00003"' not in missed
    for path in ("/insurance/policy", "/insurance/limits?as_of=2026-10-30", "/insurance/declarations",
                 "/insurance/claims"):
        assert client.get(path).status_code == 200, path
    assert "K100" in client.get("/insurance/limits?as_of=2026-10-30").text
    client.cookies.set("arguard_lang", "zh-CN")
    zh = client.get("/insurance?as_of=2026-10-30").text
    assert "义务日历" in zh and "已错过" in zh
    denied = client.post("/insurance/policy", data={"text": POLICY_YAML}, follow_redirects=False)
    assert denied.headers["location"] == "/insurance/policy?error=role_forbidden"
