"""The underwriter's view: each insured-limit request and insurer decision beside the risk engine's grade, PD,
reasons and recommended limit, with the disagreements flagged."""

from __future__ import annotations

from datetime import date

from arguard.core.money import Money
from arguard.insurance import service, service_claims, service_underwriting
from arguard.insurance.underwriting import disagreements
from arguard.limits import service as limits_service  # the test sets the risk appetite itself
from arguard.risk import interface as risk
from tests.insurance.policies import POLICY_YAML
from tests.insurance.test_service import book

D = date.fromisoformat
EUR = "EUR"

LEDGER = """
    customer K1 DE
    customer K2 FR
    invoice K1 U-1 3000.00 issued 2026-04-01 due 2026-05-31
    invoice K2 U-2 7000.00 issued 2026-04-10 due 2026-06-09
    invoice K2 U-3 1500.00 issued 2026-05-01 due 2026-06-30
"""


def eur(amount: str) -> Money:
    return Money.of(amount, EUR)


def small_book(ctx):  # type: ignore[no-untyped-def]
    book(ctx, LEDGER)
    service.load_policy(ctx, POLICY_YAML, "p.yaml")
    limits_service.set_appetite(ctx, "buyer", "*", eur("8000"), "at most 8,000 with any one buyer")
    k1 = service_claims.request_insured_limit(ctx, "K1", eur("6000"), D("2026-02-01"), "new buyer")
    service_claims.record_insurer_decision(ctx, "K1", status="approved", amount=eur("6000"), on=D("2026-02-10"),
                                           reason="approved as asked", request_id=k1, reference="EH-1")
    k2 = service_claims.request_insured_limit(ctx, "K2", eur("12000"), D("2026-03-01"), "seasonal peak")
    service_claims.record_insurer_decision(ctx, "K2", status="partly_approved", amount=eur("9000"),
                                           on=D("2026-03-05"), reason="partly", request_id=k2,
                                           conditions="payment terms at most 60 days", reference="EH-2")
    service_claims.request_insured_limit(ctx, "K1", eur("7500"), D("2026-06-20"), "more volume")   # unanswered
    risk.grade_buyers(ctx, D("2026-06-30"), ["K1", "K2"])


def by_request(view):  # type: ignore[no-untyped-def]
    return {(x["customer"], x["requested"]): x for x in view["lines"]}


def test_a_request_above_the_recommendation_is_flagged_beside_the_insurers_decision(ctx_factory):
    with ctx_factory() as ctx:
        small_book(ctx)
    with ctx_factory(role="viewer") as ctx:
        policy = service.get_policy(ctx, "P-1")
        view = service_underwriting.underwriting_view(ctx, policy, D("2026-06-30"))
    lines = by_request(view)
    assert [(x["customer"], x["requested_on"]) for x in view["lines"]] == [
        ("K1", "2026-02-01"), ("K2", "2026-03-01"), ("K1", "2026-06-20")]            # oldest request first
    k1, k2, pending = lines[("K1", "6000.00")], lines[("K2", "12000.00")], lines[("K1", "7500.00")]
    assert k2["decision"] == {"status": "partly_approved", "decided_on": "2026-03-05", "amount": "9000.00",
                              "effective_from": "2026-03-05", "effective_to": None,
                              "conditions": "payment terms at most 60 days", "reference": "EH-2"}
    assert (k2["exposure"], k2["cover_now"]) == ("8500.00", "9000.00")
    assert k2["risk"]["recommended_limit"] == "8000.00" and k2["risk"]["binding_rule"] == "appetite.buyer"
    assert k2["flags"] == ["approved_above_recommendation", "requested_above_recommendation"]
    assert k1["flags"] == [] and k1["decision"]["status"] == "approved" and k1["exposure"] == "3000.00"
    assert pending["decision"]["status"] == "pending" and pending["flags"] == []
    assert 1 <= k1["risk"]["grade"] <= 10 and 0 < k1["risk"]["pd_12m"] < 1 and k1["risk"]["reasons"]
    assert all(r["label"] and r["label_zh"] for r in k1["risk"]["reasons"])
    assert view["flagged"] == 1


def test_a_buyer_in_default_with_cover_in_force_is_flagged(ctx_factory):
    with ctx_factory() as ctx:
        small_book(ctx)
        risk.flag_default(ctx, "K1", "insolvency", D("2026-07-01"), "insolvency notice")
    with ctx_factory(role="viewer") as ctx:
        policy = service.get_policy(ctx, "P-1")
        before = by_request(service_underwriting.underwriting_view(ctx, policy, D("2026-06-30")))
        after = by_request(service_underwriting.underwriting_view(ctx, policy, D("2026-07-02")))
    assert before[("K1", "6000.00")]["flags"] == []              # the grading on 30 June knew nothing of it
    k1 = after[("K1", "6000.00")]
    assert k1["risk"]["grade"] == 10 and k1["risk"]["recommended_limit"] == "0.00"
    assert k1["flags"] == ["approved_above_recommendation", "requested_above_recommendation", "weak_grade_with_cover"]


def test_disagreements_compare_like_with_like():
    assert disagreements(status="refused", requested=None, decided=None, recommended=eur("10"), grade=9,
                         cover_now=None) == ()
    assert disagreements(status="approved", requested=None, decided=Money.of("20", "USD"), recommended=eur("10"),
                         grade=3, cover_now=eur("20")) == ()
    assert disagreements(status="conditional", requested=eur("5"), decided=eur("11"), recommended=eur("10"),
                         grade=8, cover_now=eur("11")) == ("approved_above_recommendation", "weak_grade_with_cover")


def test_the_underwriting_view_through_the_api_is_role_checked_and_company_scoped(api, ctx_factory, company):
    from arguard.platform.service import create_company
    from tests.conftest import auth

    client, key_for = api
    with ctx_factory() as ctx:
        small_book(ctx)
        other = create_company(ctx.session, "UW-OTHER", "Other Ltd", "EUR").id
    url = "/api/v1/insurance/underwriting?as_of=2026-06-30"
    assert client.get(url).status_code == 401
    r = client.get(url + "&policy_number=P-1", headers=auth(key_for("viewer")))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["policy_number"], body["currency"], body["flagged"]) == ("P-1", "EUR", 1)
    k2 = next(x for x in body["lines"] if x["customer"] == "K2")
    assert k2["flags"] == ["approved_above_recommendation", "requested_above_recommendation"]
    assert k2["risk"]["binding_rule"] == "appetite.buyer" and k2["decision"]["status"] == "partly_approved"
    one = client.get(url + "&customer=K1", headers=auth(key_for("viewer"))).json()
    assert [x["requested"] for x in one["lines"]] == ["6000.00", "7500.00"] and one["flagged"] == 0
    stranger = client.get(url + "&policy_number=P-1", headers=auth(key_for("admin", other)))
    assert stranger.status_code == 404                     # another company has no policy P-1, and no view of A's
    assert "/api/v1/insurance/underwriting" in client.get("/openapi.json").json()["paths"]


def test_the_underwriting_page_sorts_filters_and_speaks_both_languages(api, ctx_factory, company):
    from arguard.platform.service import create_user

    client, _ = api
    with ctx_factory() as ctx:
        small_book(ctx)
        create_user(ctx, "uw", "viewer", "pw-123456")
    r = client.post("/login", data={"company": company[1], "username": "uw", "password": "pw-123456", "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/insurance/underwriting?as_of=2026-06-30")
    assert page.status_code == 200 and "the insurer approved more than the recommended limit" in page.text
    assert page.text.index('data-customer="K1"') < page.text.index('data-customer="K2"')   # oldest request first
    by_request = client.get("/insurance/underwriting?as_of=2026-06-30&sort=requested_value&dir=desc").text
    assert by_request.index('data-customer="K2"') < by_request.index('data-customer="K1"')  # 12,000 asked first
    only = client.get("/insurance/underwriting?as_of=2026-06-30&flagged=true").text
    assert 'data-customer="K2"' in only and 'data-customer="K1"' not in only
    waiting = client.get("/insurance/underwriting?as_of=2026-06-30&status=pending").text
    assert waiting.count('class="uw-line') == 1 and "7,500.00" in waiting
    client.cookies.set("arguard_lang", "zh-CN")
    zh = client.get("/insurance/underwriting?as_of=2026-06-30").text
    assert "核保：保险限额与风险引擎" in zh and "核定额 &gt; 建议限额" in zh and "部分批准" in zh


def test_recommendations_for_many_buyers_read_each_scope_once_and_agree_with_one_by_one(ctx_factory):
    from arguard.limits import interface as limits
    from arguard.limits.service_limits import recommend

    with ctx_factory() as ctx:
        small_book(ctx)
        book(ctx, "customer K3 DE\ninvoice K3 U-4 2500.00 issued 2026-05-02 due 2026-07-01")
        limits_service.set_appetite(ctx, "country", "*", eur("12000"), "at most 12,000 in any one country")
        limits_service.set_appetite(ctx, "total", "*", eur("20000"), "at most 20,000 in all")
        together = limits.recommended_limits(ctx, ["K1", "K2", "K3", "NOBODY"], D("2026-06-30"))
        assert together == {c: recommend(ctx, c, D("2026-06-30")) for c in ("K1", "K2", "K3")}
        k1 = {b.rule: b.amount for b in together["K1"].bounds}
        assert k1["appetite.country"] == eur("9500") and k1["appetite.total"] == eur("9000")   # others: 2,500 DE; 11,000


def test_the_underwriting_command_keeps_the_disagreements_on_an_80_column_terminal(use_database, company):
    import json

    from typer.testing import CliRunner

    from arguard.cli.main import app
    from arguard.db.session import session_scope
    from arguard.platform.context import ServiceContext

    with session_scope(use_database) as s:
        small_book(ServiceContext(s, company[0], "test", "admin"))
    runner = CliRunner()
    co = ["--company", company[1], "--as-of", "2026-06-30"]
    r = runner.invoke(app, ["insurance", "underwriting", "--format", "json", "--policy", "P-1", *co])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["flagged"] == 1
    r = runner.invoke(app, ["insurance", "underwriting", *co], env={"COLUMNS": "80"}, terminal_width=80)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert max(len(ln) for ln in lines) <= 80
    k2 = next(ln for ln in lines if "K2" in ln)
    assert "12,000.00" in k2 and "partly" in k2 and "9,000.00" in k2 and "8,000.00" in k2 and "G A" in k2
