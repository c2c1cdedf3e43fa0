"""Materiality (ledger rules 12–14): leftovers stay in the books but do not decide grades, order checks,
terms or alerts, and are written off in bulk."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from arguard.core.money import Money
from arguard.ledger import service as ledger
from arguard.ledger import service_materiality as materiality
from arguard.ledger.materiality import Thresholds, is_material
from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord
from arguard.limits import service as limits
from arguard.monitor import service as monitor
from arguard.platform.tables import AuditEntry
from arguard.risk import service as risk
from tests.risk.test_cli import ITEMS

AS_OF = date(2026, 6, 30)
T = Thresholds(AS_OF, Decimal("0.05"), {"EUR": 5000, "USD": 5555})


def test_a_leftover_is_within_both_tolerances() -> None:
    assert not is_material(1592, 48000, "USD", T)          # USD 15.92 of 480.00: 3.3 %, under USD 55.55
    assert is_material(2062, 40000, "USD", T)              # 5.2 % of the invoice
    assert is_material(4000, 4000, "EUR", T)               # a small invoice left wholly unpaid
    assert is_material(6000, 10_000_000, "EUR", T)         # small share, but above EUR 50
    assert not is_material(-9000, -9000, "EUR", T)         # a credit is never overdue
    assert is_material(100, 1000, "JPY", T)                # no tolerance known for JPY: only the share


@given(st.integers(-10**9, 10**9), st.integers(1, 10**9), st.integers(0, 10**7))
def test_more_open_is_never_less_material(open_minor: int, amount: int, more: int) -> None:
    if is_material(open_minor, amount, "EUR", T):
        assert is_material(open_minor + more, amount, "EUR", T)
    if open_minor <= 0:
        assert not is_material(open_minor, amount, "EUR", T)


LATE_DAYS = (2, 10, 25, 40, 83, 5, 15, 30, 60, 8)
LEFTOVERS = (("1592", 1015), ("1654", 700), ("2062", 464))  # USD cents left, days past due


def seed(ctx, code: str, leftovers: bool) -> None:  # type: ignore[no-untyped-def]
    """A US buyer that pays 2–83 days late, owes USD 841.40 and (if `leftovers`) left three bank charges
    of USD 15.92, 16.54 and 20.62 open 464–1,015 days ago."""
    ledger.upsert_customer(ctx, CustomerRecord(code, f"{code} Inc.", "US", sector="C28", terms_days=30))
    for k, late in enumerate(LATE_DAYS):
        issued = AS_OF - timedelta(days=340 - 30 * k)
        number = f"{code}-{k}"
        ledger.add_invoice(ctx, InvoiceRecord(number, code, issued, issued + timedelta(days=30),
                                              Money.of("480.00", "USD")))
        paid_on = issued + timedelta(days=30 + late)
        assert paid_on <= AS_OF
        ledger.add_payment(ctx, PaymentRecord(f"P-{number}", code, paid_on, Money.of("480.00", "USD"), (number,)))
    for k, (left, days) in enumerate(LEFTOVERS):
        due = AS_OF - timedelta(days=days)
        number = f"{code}-OLD{k}"
        ledger.add_invoice(ctx, InvoiceRecord(number, code, due - timedelta(days=30), due, Money.of("480.00", "USD")))
        short = Money.from_minor(48000 - (int(left) if leftovers else 0), "USD")
        ledger.add_payment(ctx, PaymentRecord(f"P-{number}", code, due + timedelta(days=20), short, (number,)))
    owing = Money.of("841.40", "USD") - (Money.of("53.08", "USD") if leftovers else Money.zero("USD"))
    ledger.add_invoice(ctx, InvoiceRecord(f"{code}-NEW", code, AS_OF - timedelta(days=5), AS_OF + timedelta(days=25),
                                          owing))


def accounts(ctx, code: str) -> None:  # type: ignore[no-untyped-def]
    header, acme = ITEMS.strip().splitlines()[:2]
    text = f"customer_code,fiscal_year,fiscal_year_end,currency,{header.split(',', 1)[1]}\n" \
           f"{code},2025,2025-12-31,USD,{acme.split(',', 1)[1]}"
    stored, issues = risk.import_statements(ctx, text.encode(), "accounts.csv")
    assert stored == 1 and not issues


@pytest.mark.storage
def test_leftovers_do_not_decide_grade_check_or_alerts(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        ledger.add_fx_rate(ctx, "USD", "EUR", "0.9", date(2020, 1, 1))
        for code, left in (("LEFT", True), ("CLEAN", False)):
            seed(ctx, code, left)
            accounts(ctx, code)
    with ctx_factory() as ctx:
        owed = sum((i.open.amount for i in ledger.open_items(ctx, "LEFT")), Decimal(0))
        assert owed == Decimal("841.40")
        grades = risk.grade_buyers(ctx, AS_OF, ["LEFT", "CLEAN"])
        left, clean = grades["LEFT"], grades["CLEAN"]
        assert left.grade == clean.grade < 9
        assert abs(left.pd_12m - clean.pd_12m) <= 0.1 * clean.pd_12m
        assert "payment.overdue" not in {r.code for r in left.reasons}
        behaviour = risk.payment_behaviours(ctx, AS_OF)
        assert max(b.max_days_past_due for b in behaviour.values()) == 0
        answer = limits.check_order(ctx, limits.OrderCheck("SO-LEFT", "LEFT", Money.of("7364.33", "EUR"),
                                                           AS_OF + timedelta(days=3)), as_of=AS_OF)
        assert "overdue.oldest" not in [r["code"] for r in answer.reasons]
        assert answer.figures["oldest_overdue_days"] == 0
        assert limits.terms_advice(ctx, "LEFT", AS_OF).days == limits.terms_advice(ctx, "CLEAN", AS_OF).days
        alerts = monitor.evaluate_buyers(ctx, ["LEFT"], AS_OF, "test")
        assert not [a for a in alerts if a.rule_id.startswith("overdue")]
        # The leftovers are still owed: they stay in aging and the statement of account.
        aged = ledger.aging_report(ctx, AS_OF, "LEFT")
        assert sum(r.buckets[-1].amount for r in aged.rows) == Decimal("53.08")
    # Without a tolerance the same leftovers decide: the buyer is graded worse and its order waits.
    with ctx_factory(role="credit_manager") as ctx:
        materiality.set_materiality(ctx, Decimal(0), Decimal(0), "test: no tolerance")
    with ctx_factory() as ctx:
        strict = risk.grade_buyers(ctx, AS_OF, ["LEFT"])["LEFT"]
        assert strict.grade > clean.grade
        answer = limits.check_order(ctx, limits.OrderCheck("SO-LEFT2", "LEFT", Money.of("100", "EUR"),
                                                           AS_OF + timedelta(days=3)), as_of=AS_OF)
        assert "overdue.oldest" in [r["code"] for r in answer.reasons]


@pytest.mark.storage
def test_leftovers_written_off_in_bulk(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        ledger.add_fx_rate(ctx, "USD", "EUR", "0.9", date(2020, 1, 1))
        seed(ctx, "LEFT", True)
        found = materiality.leftovers(ctx, AS_OF)
        assert [(lo.number, str(lo.open.amount)) for lo in found] == [
            ("LEFT-OLD0", "15.92"), ("LEFT-OLD1", "16.54"), ("LEFT-OLD2", "20.62")]
    with ctx_factory(role="analyst") as ctx, pytest.raises(Exception, match="credit_manager|role"):
        materiality.write_off_leftovers(ctx, AS_OF, "tidy up")
    with ctx_factory(role="credit_manager") as ctx:
        with pytest.raises(Exception, match="reason"):
            materiality.write_off_leftovers(ctx, AS_OF, " ")
        done = materiality.write_off_leftovers(ctx, AS_OF, "bank charges, approved by CM")
        assert done.totals == {"USD": Money.of("53.08", "USD")} and len(done.items) == 3
    with ctx_factory() as ctx:
        assert materiality.leftovers(ctx, AS_OF) == []
        owed = sum((i.open.amount for i in ledger.open_items(ctx, "LEFT")), Decimal(0))
        assert owed == Decimal("788.32")
        assert ledger.verify_projections(ctx) == []
        audit = ctx.session.scalars(select(AuditEntry).where(AuditEntry.company_id == ctx.company_id,
                                                             AuditEntry.action == "ledger.leftovers_writeoff")).all()
        assert len(audit) == 1 and audit[0].reason == "bank charges, approved by CM"


@pytest.mark.storage
def test_api_materiality_and_leftovers(api, company) -> None:  # type: ignore[no-untyped-def]
    from arguard.db.session import get_engine, session_scope
    from arguard.platform.context import ServiceContext
    from tests.conftest import auth

    client, key_for = api
    with session_scope(get_engine()) as s:
        ctx = ServiceContext(s, company[0], "test", "admin")
        ledger.add_fx_rate(ctx, "USD", "EUR", "0.9", date(2020, 1, 1))
        seed(ctx, "LEFT", True)
    viewer, manager = auth(key_for("viewer")), auth(key_for("credit_manager"))
    assert client.get("/api/v1/ledger/materiality", headers=viewer).json() == {
        "amount": "50.00", "currency": "EUR", "share": "0.05"}
    listed = client.get("/api/v1/ledger/leftovers", params={"as_of": AS_OF.isoformat()}, headers=viewer).json()
    assert [x["open"] for x in listed] == ["15.92", "16.54", "20.62"]
    body = {"reason": "bank charges", "as_of": AS_OF.isoformat()}
    assert client.post("/api/v1/ledger/leftovers/write-off", json=body, headers=viewer).status_code == 403
    done = client.post("/api/v1/ledger/leftovers/write-off", json=body, headers=manager).json()
    assert done["totals"] == {"USD": "53.08"} and len(done["written_off"]) == 3
    put = client.put("/api/v1/ledger/materiality", json={"amount": "20", "share": "0.02", "reason": "stricter"},
                     headers=manager)
    assert put.status_code == 200 and put.json()["share"] == "0.0200"


@pytest.mark.storage
def test_a_few_currencies_get_the_tolerance_the_whole_book_gets(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    """The order check asks for its buyer's currencies only (their newest rate each, not the rate
    table): the same tolerance, by the same FX rule, as for the whole book — direct, inverse, missing."""
    with ctx_factory() as ctx:
        ledger.add_fx_rate(ctx, "USD", "EUR", "0.9", date(2020, 1, 1))      # inverse only
        ledger.add_fx_rate(ctx, "EUR", "GBP", "0.80", date(2026, 1, 1))     # direct
        ledger.add_fx_rate(ctx, "EUR", "GBP", "0.85", date(2026, 7, 1))     # after the date: not used
        ledger.add_fx_rate(ctx, "GBP", "EUR", "1.30", date(2026, 2, 1))     # newer inverse wins
        few = materiality.materiality_thresholds(ctx, AS_OF, ["USD", "GBP", "CHF", "EUR"])
    assert few.minor == {"EUR": 5000, "USD": 5555, "GBP": 3846} and few.missing == ("CHF",)
