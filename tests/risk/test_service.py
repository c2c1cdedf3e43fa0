"""Grading stored buyers: statements, payment behaviour from the ledger, history, API, dashboard panel."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from arguard.core.money import Money
from arguard.ledger import service as ledger
from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord
from arguard.ledger.tables import Customer
from arguard.platform import registry
from arguard.risk import service
from arguard.risk.tables import BuyerGrade
from tests.conftest import auth
from tests.risk.test_cli import ITEMS

pytestmark = pytest.mark.storage
AS_OF = date(2026, 6, 30)


def seed_ledger(ctx) -> None:  # type: ignore[no-untyped-def]
    """Two buyers with accounts (one pays on time, one late), one without accounts in Argentina."""
    ledger.upsert_customer(ctx, CustomerRecord("ACME", "Acme GmbH", "DE", sector="C28", terms_days=30))
    ledger.upsert_customer(ctx, CustomerRecord("WOB", "Wobbly SA", "FR", sector="F41", terms_days=30))
    ledger.upsert_customer(ctx, CustomerRecord("NEW", "Nuevo SRL", "AR", sector="G46", terms_days=30))
    for k in range(10):
        for code, late in (("ACME", 0), ("WOB", 40), ("NEW", 5)):
            invoice_paid_late(ctx, code, k, late)


def invoice_paid_late(ctx, code: str, k: int, late: int) -> None:  # type: ignore[no-untyped-def]
    """The buyer's k-th invoice (EUR 1,000.00, issued 300 - 25k days before AS_OF, net 30), paid `late` days
    after its due date when that day has come by AS_OF."""
    issued = AS_OF - timedelta(days=300 - 25 * k)
    number = f"{code}-{k}"
    ledger.add_invoice(ctx, InvoiceRecord(number, code, issued, issued + timedelta(days=30),
                                          Money.of("1000.00", "EUR")))
    paid_on = issued + timedelta(days=30 + late)
    if paid_on <= AS_OF:
        ledger.add_payment(ctx, PaymentRecord(f"P-{number}", code, paid_on, Money.of("1000.00", "EUR"), (number,)))


def import_accounts(ctx) -> list:  # type: ignore[no-untyped-def]
    lines = ITEMS.strip().splitlines()
    header = "customer_code,fiscal_year,fiscal_year_end,currency," + lines[0].split(",", 1)[1]
    body = [f"ACME,2025,2025-12-31,EUR,{lines[1].split(',', 1)[1]}",
            f"WOB,2025,2025-12-31,EUR,{lines[2].split(',', 1)[1]}",
            "GHOST,2025,2025-12-31,EUR,1000",
            "WOB,20x5,2025-12-31,EUR,abc"]
    stored, issues = service.import_statements(ctx, "\n".join([header, *body]).encode(), "accounts.csv")
    assert stored == 2
    return issues


def test_grade_all_buyers_with_reasons_and_history(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        seed_ledger(ctx)
        issues = import_accounts(ctx)
        assert {(i.line, i.field) for i in issues} >= {(4, "customer_code"), (5, "fiscal_year"), (5, "total_assets")}
    with ctx_factory() as ctx:
        grades = service.grade_buyers(ctx, AS_OF)
    acme, wob, new = grades["ACME"], grades["WOB"], grades["NEW"]
    assert acme.confidence == "high" and new.confidence == "medium" and new.financial_pd is None
    assert wob.pd_12m > acme.pd_12m and wob.grade > acme.grade
    assert any(r.code == "payment.days_beyond_terms" for r in wob.reasons)
    assert any(r.code == "country.oecd_class" for r in new.reasons)
    with ctx_factory() as ctx:
        service.grade_buyers(ctx, AS_OF + timedelta(days=1), ["ACME"])
        risk = service.buyer_risk(ctx, "ACME", AS_OF)
        # gradings on new facts (when the API's listener is on) are dated today; the two asked for here:
        assert [h["as_of"] for h in risk["history"] if h["trigger"] != "new_fact"] == ["2026-07-01", "2026-06-30"]
        portfolio = {r["grade"]: r for r in service.portfolio(ctx)}
        assert sum(r["buyers"] for r in portfolio.values()) == 3


def test_api_and_dashboard_show_grade_pd_and_reasons(api, company) -> None:  # type: ignore[no-untyped-def]
    client, key_for = api
    key = key_for("admin")
    from arguard.db.session import get_engine, session_scope
    from arguard.platform.context import ServiceContext

    with session_scope(get_engine()) as s:
        seed_ledger(ServiceContext(s, company[0], "test", "admin"))
    body = {"fiscal_year": 2025, "fiscal_year_end": "2025-12-31", "currency": "EUR",
            "items": {"total_assets": "1000000", "equity": "500000", "sales": "2000000", "net_profit": "60000"}}
    r = client.post("/api/v1/buyers/ACME/statements", json=body, headers=auth(key))
    assert r.status_code == 201, r.text
    r = client.get("/api/v1/buyers/ACME/risk", params={"as_of": "2026-06-30"}, headers=auth(key))
    assert r.status_code == 200, r.text
    data = r.json()
    assert 1 <= data["grade"] <= 10 and 0 < data["pd_12m"] < 1 and data["reasons"]
    assert client.get("/api/v1/buyers/NOPE/risk", headers=auth(key)).status_code == 404
    assert client.get("/api/v1/risk/portfolio", headers=auth(key)).status_code == 200
    newest = {}
    for rate in (None, 0.01):  # graded as of today: newer than the re-grading that the statement triggered
        params = {"as_of": date.today().isoformat(), **({"portfolio_rate": rate} if rate else {})}
        r = client.post("/api/v1/risk/grade", params=params, headers=auth(key))
        assert r.status_code == 200 and r.json()["graded"] == 3
        newest[rate] = client.get("/api/v1/buyers/ACME/risk", headers=auth(key)).json()
    assert newest[0.01]["inputs"]["prior_shift"]["portfolio_rate"] == 0.01
    assert newest[None]["inputs"]["prior_shift"] is None and newest[0.01]["pd_12m"] < newest[None]["pd_12m"]
    r = client.post("/api/v1/risk/grade", params={"portfolio_rate": 1.5}, headers=auth(key))
    assert r.status_code == 422, r.text


def test_disputes_and_credit_notes_from_the_ledger_enter_payment_behaviour(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        seed_ledger(ctx)
        before = service.grade_buyers(ctx, AS_OF, ["WOB"])["WOB"]
        ledger.set_dispute(ctx, "WOB-8", True, "buyer disputes quality")
        ledger.add_invoice(ctx, InvoiceRecord("CN-WOB-1", "WOB", AS_OF - timedelta(days=60),
                                              AS_OF - timedelta(days=60), Money.of("-300.00", "EUR"),
                                              document_type="credit_note"))
    with ctx_factory() as ctx:
        ids = dict(ctx.session.execute(select(Customer.code, Customer.id).where(
            Customer.company_id == ctx.company_id)).all())
        behaviour = service.payment_behaviours(ctx, AS_OF)
        wob, acme = behaviour[ids["WOB"]], behaviour[ids["ACME"]]
        assert (wob.disputed_share, wob.credit_note_share) == (0.1, 0.1)  # 1 of 10 invoices each
        assert (acme.disputed_share, acme.credit_note_share) == (0, 0)
        after = service.grade_buyers(ctx, AS_OF, ["WOB"])["WOB"]
        assert after.pd_12m > before.pd_12m
        rebased = service.grade_buyers(ctx, AS_OF, ["WOB"], portfolio_rate=0.01)["WOB"]
        assert rebased.pd_12m < after.pd_12m
        newest = ctx.session.scalars(select(BuyerGrade).where(BuyerGrade.company_id == ctx.company_id)
                                     .order_by(BuyerGrade.id.desc()).limit(1)).one()
        assert newest.inputs["prior_shift"]["portfolio_rate"] == 0.01


def _grade_rows(ctx) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    return ctx.session.scalar(select(func.count(BuyerGrade.id)).where(BuyerGrade.company_id == ctx.company_id))


def test_reading_a_buyers_risk_writes_nothing_and_regrade_on_request_does(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        ledger.upsert_customer(ctx, CustomerRecord("QUIET", "Quiet Ltd", "GB", sector="M70", terms_days=30))
    with ctx_factory() as ctx:
        before = _grade_rows(ctx)
        risk = service.buyer_risk(ctx, "QUIET", AS_OF)
        assert risk["grade"] is None and risk["stale"] and risk["history"] == []
        assert _grade_rows(ctx) == before  # a read never grades
        grade = service.regrade_buyer(ctx, "QUIET", AS_OF)
        risk = service.buyer_risk(ctx, "QUIET", AS_OF)
        assert risk["grade"] == grade.grade and not risk["stale"] and risk["history"][0]["trigger"] == "on_request"
        assert service.buyer_risk(ctx, "QUIET", AS_OF + timedelta(days=31))["stale"]


def test_batch_grading_audits_once_and_says_how_reasons_were_found(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    from arguard.platform.tables import AuditEntry

    with ctx_factory() as ctx:
        seed_ledger(ctx)
        import_accounts(ctx)
    with ctx_factory() as ctx:
        fast = service.grade_buyers(ctx, AS_OF, exact_reasons=False)
        exact = service.grade_buyers(ctx, AS_OF, ["ACME", "WOB"])  # a few buyers: exact TreeSHAP
        audits = ctx.session.scalars(select(AuditEntry).where(
            AuditEntry.company_id == ctx.company_id, AuditEntry.action == "risk.graded",
            AuditEntry.actor == "test")  # not the listener's re-gradings on the seeded facts
            .order_by(AuditEntry.seq)).all()
        assert len(audits) == 2
        first = audits[0].after
        assert first["graded"] == 3 and first["reasons"] == "per_leaf" and first["model_version"]
        assert first["with_accounts"] == 2 and sum(first["grades"].values()) == 3
        assert audits[1].after["reasons"] == "exact_treeshap"
        rows = ctx.session.scalars(select(BuyerGrade).where(BuyerGrade.company_id == ctx.company_id,
                                                            BuyerGrade.trigger != "new_fact")
                                   .order_by(BuyerGrade.id)).all()
        assert [r.inputs["financial_reasons"] for r in rows] == ["per_leaf", "per_leaf", None,
                                                                 "exact_treeshap", "exact_treeshap"]
        # the same PDs whichever way the reasons are found
        for code in ("ACME", "WOB"):
            assert fast[code].pd_12m == exact[code].pd_12m and fast[code].grade == exact[code].grade


def test_a_dispute_flag_regrades_the_buyer(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    registry.wire_subscriptions()  # what the API, the CLI and the worker do at start-up
    with ctx_factory() as ctx:
        seed_ledger(ctx)
    with ctx_factory() as ctx:
        service.grade_buyers(ctx, AS_OF)
        n = _grade_rows(ctx)
    with ctx_factory() as ctx:
        ledger.set_dispute(ctx, "WOB-9", True, "buyer disputes quality")
    with ctx_factory() as ctx:
        newest = ctx.session.scalars(select(BuyerGrade).where(BuyerGrade.company_id == ctx.company_id)
                                     .order_by(BuyerGrade.id.desc())).first()
        assert _grade_rows(ctx) == n + 1 and newest.trigger == "new_fact"
        assert newest.inputs["behaviour"]["disputed_share"] > 0


def test_behaviour_of_the_whole_book_equals_one_buyer_at_a_time(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        seed_ledger(ctx)
        ledger.set_dispute(ctx, "WOB-8", True, "quality")
    with ctx_factory() as ctx:
        ids = dict(ctx.session.execute(select(Customer.code, Customer.id).where(
            Customer.company_id == ctx.company_id)).all())
        for as_of in (AS_OF, AS_OF - timedelta(days=100), AS_OF + timedelta(days=200)):
            book = service.payment_behaviours(ctx, as_of)
            for code, cid in ids.items():
                assert service.payment_behaviours(ctx, as_of, [cid]) == {cid: book[cid]}, (code, as_of)
        wob = service.payment_behaviours(ctx, AS_OF)[ids["WOB"]]
        # 10 invoices, all paid in the window, each 40 days late
        assert wob.avg_days_beyond_terms == 40.0 and wob.invoices_paid == 10 and wob.max_days_past_due == 0


def test_reasons_carry_english_and_chinese_text(api, company) -> None:  # type: ignore[no-untyped-def]
    client, key_for = api
    key = key_for("admin")
    from arguard.db.session import get_engine, session_scope
    from arguard.platform.context import ServiceContext

    with session_scope(get_engine()) as s:
        ctx = ServiceContext(s, company[0], "test", "admin")
        seed_ledger(ctx)
        import_accounts(ctx)
        service.grade_buyers(ctx, AS_OF, ["NEW", "WOB"])
    for code in ("NEW", "WOB"):
        data = client.get(f"/api/v1/buyers/{code}/risk", params={"as_of": "2026-06-30"}, headers=auth(key)).json()
        assert data["reasons"]
        for r in data["reasons"]:
            assert r["code"] and r["text"]["en"] == r["label"] and r["text"]["zh-CN"]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in r["text"]["zh-CN"]), r
    texts = {r["code"]: r["text"]["zh-CN"] for r in client.get("/api/v1/buyers/NEW/risk",
             params={"as_of": "2026-06-30"}, headers=auth(key)).json()["reasons"]}
    assert texts["accounts.missing"] == "无财务报表：采用典型企业违约概率"
    assert texts["country.oecd_class"].startswith("国家风险")
