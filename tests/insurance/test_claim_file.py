"""The claim file carries the buyer's dunning history from collections' front door: letters and promises to
pay in date order, in the JSON and in the PDF for the insurer, in English and 中文."""

from __future__ import annotations

import io
from datetime import date

from arguard.collections import service as collections
from arguard.collections import service_work
from arguard.core.money import Money
from arguard.insurance import service, service_claims
from arguard.insurance.render import render_claim_file
from tests.insurance.policies import POLICY_YAML
from tests.insurance.test_service import book

D = date.fromisoformat

LEDGER = """
    customer K1 DE
    customer K2 FR
    cover K1 20000 from 2026-01-01
    cover K2 10000 from 2026-01-01
    invoice K1 C-1 12000.00 issued 2026-03-01 due 2026-04-30
    invoice K2 D-1 4000.00 issued 2026-03-01 due 2026-04-30
"""

LETTERS = """
name: letters
currency: EUR
min_overdue_amount: "50.00"
levels:
  - {name: reminder,     days_overdue: 1,  channel: letter, fee: "0.00"}
  - {name: final_notice, days_overdue: 30, channel: letter, fee: "15.00"}
"""


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_two_letters_and_a_promise_are_in_the_claim_file_in_date_order(ctx_factory):
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
        service.load_policy(ctx, POLICY_YAML, "p.yaml")
        collections.load_policy(ctx, LETTERS)
    with ctx_factory() as ctx:
        collections.run_dunning(ctx, D("2026-06-05"))                   # C-1 36 days overdue: final notice
        collections.run_dunning(ctx, D("2026-05-05"))                   # recorded later, dated earlier: reminder
        service_work.add_promise(ctx, "K1", Money.of("3000", "EUR"), D("2026-06-30"), D("2026-05-20"))
        service_work.add_promise(ctx, "K1", Money.of("500", "EUR"), D("2026-10-30"), D("2026-10-01"))  # after the file's date
    with ctx_factory() as ctx:
        policy = service.get_policy(ctx, "P-1")
        claim = service_claims.open_claim(ctx, policy, "K1", "protracted_default", D("2026-09-01"))
        history = claim.file["dunning_history"]
        assert [(h["on"], h["kind"], h["level"], h["outcome"]) for h in history] == [
            ("2026-05-05", "dunning", "reminder", "recorded"),
            ("2026-05-20", "promise", None, "open"),
            ("2026-06-05", "dunning", "final_notice", "recorded")]
        assert history[0]["reference"] == "reminder-K1-2026-05-05" and history[0]["invoices"] == ["C-1"]
        assert (history[1]["amount"], history[1]["due_on"]) == ("3000.00", "2026-06-30")
        assert history[2]["amount"] == "12015.00"                        # 12,000 overdue + the 15.00 fee, no interest
        other = service_claims.open_claim(ctx, policy, "K2", "protracted_default", D("2026-09-01"))
        assert [h["on"] for h in other.file["dunning_history"]] == ["2026-05-05", "2026-06-05"]   # its own letters only
        data = service_claims.claim_json(ctx, claim, with_file=True)
    en = pdf_text(render_claim_file(data, "en"))
    assert "Dunning history" in en and "reminder-K1-2026-05-05" in en and "final_notice-K1-2026-06-05" in en
    assert "promise to pay" in en and en.index("reminder-K1-2026-05-05") < en.index("final_notice-K1-2026-06-05")
    zh = pdf_text(render_claim_file(data, "zh-CN"))
    assert "催收记录" in zh and "付款承诺" in zh and "索赔档案" in zh and "reminder-K1-2026-05-05" in zh
    assert "C-1" in zh and "对账单" in zh


def test_the_claim_file_comes_through_the_api_as_json_and_as_a_pdf_in_either_language(api, engine, company):
    from arguard.db.session import session_scope
    from arguard.platform.context import ServiceContext
    from tests.conftest import auth

    client, key_for = api
    with session_scope(engine) as s:
        ctx = ServiceContext(s, company[0], "test", "admin")
        book(ctx, LEDGER)
        service.load_policy(ctx, POLICY_YAML, "p.yaml")
        collections.load_policy(ctx, LETTERS)
    with session_scope(engine) as s:
        collections.run_dunning(ServiceContext(s, company[0], "test", "admin"), D("2026-05-05"))
    viewer, manager = auth(key_for("viewer")), auth(key_for("credit_manager"))
    c = client.post("/api/v1/insurance/claims", json={"customer": "K1", "cause": "protracted_default",
                                                      "as_of": "2026-09-01"}, headers=manager).json()
    as_json = client.get(f"/api/v1/insurance/claims/{c['id']}/file", headers=viewer)
    assert as_json.status_code == 200 and as_json.json()["file"]["dunning_history"][0]["level"] == "reminder"
    zh = client.get(f"/api/v1/insurance/claims/{c['id']}/file?format=pdf&language=zh-CN", headers=viewer)
    assert zh.status_code == 200 and "催收记录" in pdf_text(zh.content)
    assert client.get(f"/api/v1/insurance/claims/{c['id']}/file?format=pdf&language=fr",
                      headers=viewer).status_code == 422


def test_the_claims_page_links_the_claim_file_in_the_readers_language(api, ctx_factory, company):
    from arguard.platform.service import create_user

    client, _ = api
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
        service.load_policy(ctx, POLICY_YAML, "p.yaml")
        collections.load_policy(ctx, LETTERS)
        create_user(ctx, "reader", "viewer", "pw-123456")
    with ctx_factory() as ctx:
        collections.run_dunning(ctx, D("2026-05-05"))
        claim = service_claims.open_claim(ctx, service.get_policy(ctx, "P-1"), "K1", "insolvency", D("2026-09-01"))
        claim_id = claim.id
    client.post("/login", data={"company": company[1], "username": "reader", "password": "pw-123456", "next": "/"})
    page = client.get("/insurance/claims").text
    assert f'href="/insurance/claims/{claim_id}/file.pdf"' in page
    en = client.get(f"/insurance/claims/{claim_id}/file.pdf")
    assert en.headers["content-type"] == "application/pdf" and "Dunning history" in pdf_text(en.content)
    client.cookies.set("arguard_lang", "zh-CN")
    assert "催收记录" in pdf_text(client.get(f"/insurance/claims/{claim_id}/file.pdf").content)


def _squeezed(text: str) -> str:
    return "".join(text.split())


def test_the_indemnity_terms_are_explained_in_the_readers_language(api, ctx_factory, company):
    """Every term of the indemnity says how it came about in the reader's language: the 中文 claim file, the
    claim's JSON (`explanations` beside the English `explanation`) and the claims page."""
    from arguard.platform.service import create_user

    client, _ = api
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
        service.load_policy(ctx, POLICY_YAML, "p.yaml")
        create_user(ctx, "reader", "viewer", "pw-123456")
    with ctx_factory() as ctx:
        claim = service_claims.open_claim(ctx, service.get_policy(ctx, "P-1"), "K1", "protracted_default",
                                          D("2026-09-01"))
        data = service_claims.claim_json(ctx, claim, with_file=True)
    terms = {x["name"]: x for x in data["terms"]}
    # 12,000 claimed: threshold reached, 500 deductible, 5,000 first loss, 90 % of 6,500
    assert terms["indemnity_pct"]["explanation"] == "90 % of the insured loss"
    assert terms["indemnity_pct"]["explanations"] == {"en": "90 % of the insured loss", "zh-CN": "承保损失的 90 %"}
    assert terms["aggregate_first_loss"]["explanations"]["zh-CN"] == "本保单年度累计自负额 5000.00，尚余 5000.00"
    assert terms["non_qualifying_loss"]["explanations"]["zh-CN"] == "已达到起赔额"
    assert terms["indemnity"]["explanations"]["zh-CN"] == "应予赔付"
    zh = _squeezed(pdf_text(render_claim_file(data, "zh-CN")))
    for x in data["terms"]:
        assert _squeezed(x["explanations"]["zh-CN"]) in zh, x
    for english in ("insured loss", "threshold reached", "left this policy year", "payable", "retention"):
        assert _squeezed(english) not in zh
    en = _squeezed(pdf_text(render_claim_file(data, "en")))
    assert _squeezed("90 % of the insured loss") in en and _squeezed("承保损失") not in en
    client.post("/login", data={"company": company[1], "username": "reader", "password": "pw-123456", "next": "/"})
    client.cookies.set("arguard_lang", "zh-CN")
    page = client.get("/insurance/claims").text
    assert "承保损失的 90 %" in page and "卖方每次索赔自行承担的部分" in page and "of the insured loss" not in page
