"""Events decide at once (risk rules 13–14, monitor rule 11): an insolvency filing posted through the API
makes the buyer grade 10 and blocks its orders in the same request's transaction; only a recorded
decision lifts it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from arguard.core.money import Money
from arguard.db.session import get_engine, session_scope
from arguard.ledger import service as ledger
from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord
from arguard.limits import service as limits
from arguard.monitor import service as monitor
from arguard.platform.context import ServiceContext
from arguard.platform.tables import AuditEntry
from arguard.risk import service as risk
from arguard.risk.tables import BuyerGrade, DefaultFlag
from tests.conftest import auth

pytestmark = pytest.mark.storage
TODAY = date.today()


def seed(company_id: int) -> None:
    """A buyer that pays on time: grade well below 10."""
    with session_scope(get_engine()) as s:
        ctx = ServiceContext(s, company_id, "test", "admin")
        ledger.upsert_customer(ctx, CustomerRecord("BUST", "Bust GmbH", "DE", sector="C28", terms_days=30))
        for k in range(8):
            issued = TODAY - timedelta(days=300 - 30 * k)
            ledger.add_invoice(ctx, InvoiceRecord(f"B-{k}", "BUST", issued, issued + timedelta(days=30),
                                                  Money.of("1000.00", "EUR")))
            ledger.add_payment(ctx, PaymentRecord(f"P-{k}", "BUST", issued + timedelta(days=30),
                                                  Money.of("1000.00", "EUR"), (f"B-{k}",)))
        risk.grade_buyers(ctx, TODAY, ["BUST"])


def newest(company_id: int) -> BuyerGrade | None:
    with session_scope(get_engine()) as s:
        row = s.scalar(select(BuyerGrade).where(BuyerGrade.company_id == company_id)
                       .order_by(BuyerGrade.as_of.desc(), BuyerGrade.id.desc()).limit(1))
        if row is not None:
            s.expunge(row)
        return row


EVENT = {"type": "insolvency.filing", "customer_id": "BUST", "occurred_on": TODAY.isoformat(),
         "details": {"court": "AG Köln", "case_number": "73 IN 12/26"}}


def test_insolvency_event_sets_grade_10_in_the_same_request(api, company, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client, key_for = api
    seed(company[0])
    before = newest(company[0])
    assert before is not None and before.grade < 9
    analyst = auth(key_for("analyst"))

    # The same unit of work: if the evaluation after the flag fails, neither event nor grade 10 is kept.
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("evaluation failed")

    monkeypatch.setattr(monitor, "evaluate_buyers", broken)
    with pytest.raises(RuntimeError):
        client.post("/api/v1/events", json=EVENT, headers=analyst)
    assert newest(company[0]).grade == before.grade  # type: ignore[union-attr]
    monkeypatch.undo()

    answer = client.post("/api/v1/events", json=EVENT, headers=analyst)
    assert answer.status_code == 201, answer.text
    g = newest(company[0])
    assert g is not None and g.grade == 10 and g.pd_12m == 1.0 and g.trigger == "default:insolvency"
    assert g.reasons[0]["code"] == "default.event"
    assert any(a["rule_id"] == "insolvency" for a in answer.json()["alerts"])
    with session_scope(get_engine()) as s:
        ctx = ServiceContext(s, company[0], "test", "analyst")
        check = limits.check_order(ctx, limits.OrderCheck("SO-BUST", "BUST", Money.of("500", "EUR"),
                                                          TODAY + timedelta(days=2)), as_of=TODAY)
        codes = {r["code"] for r in check.reasons}
        assert check.outcome != "release" and {"buyer.blocked", "grade.high"} <= codes
        # Later facts re-grade the buyer: it stays grade 10 while the default is on record.
        assert risk.grade_buyers(ctx, TODAY, ["BUST"])["BUST"].grade == 10

    # Lifting is a recorded decision of a credit manager, with a reason.
    lift = {"reason": "filing withdrawn by the court on appeal"}
    assert client.post("/api/v1/buyers/BUST/default/lift", json=lift, headers=analyst).status_code == 403
    lifted = client.post("/api/v1/buyers/BUST/default/lift", json=lift, headers=auth(key_for("credit_manager")))
    assert lifted.status_code == 200 and lifted.json()["grade"] < 10
    flags = client.get("/api/v1/buyers/BUST/default", headers=analyst).json()
    assert flags[0]["kind"] == "insolvency" and flags[0]["lift_reason"] == lift["reason"]
    with session_scope(get_engine()) as s:
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.company_id == company[0])))
        assert {"risk.default_flag", "risk.default_lift"} <= actions
        assert s.scalar(select(DefaultFlag.lifted_by).where(DefaultFlag.company_id == company[0])) is not None
