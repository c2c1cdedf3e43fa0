"""Aging, DSO, open items and statements as of any date, on tiny ledgers booked through the service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arguard.core.errors import Conflict
from arguard.core.money import Money
from arguard.ledger import service
from tests.ledger.ledgerbook import book

LEDGER = """
customer C1 DE EUR
customer C2 CN CNY zh-CN
invoice I1 C1 2026-01-01 due 2026-01-31 100.00 EUR
invoice I2 C1 2026-03-01 due 2026-03-31 200.00 EUR
credit CN1 C1 2026-03-05 due 2026-03-05 -20.00 EUR
invoice I3 C2 2026-02-01 due 2026-04-01 1000.00 CNY
payment P1 C1 2026-02-10 60.00 EUR -> I1
payment P2 C1 2026-04-20 230.00 EUR -> I2 I1
writeoff I1 5.00 EUR on 2026-05-01
payment P3 C1 2026-05-10 15.00 EUR
"""


@pytest.fixture
def ledger(ctx_factory):
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    return ctx_factory


def buckets(row):
    return [str(b.amount) for b in row.buckets]


def test_aging_today_and_in_the_past(ledger):
    with ledger() as ctx:
        now = service.aging_report(ctx, date(2026, 6, 30))
        march = service.aging_report(ctx, date(2026, 3, 15))
        jan = service.aging_report(ctx, date(2026, 1, 15))
    c1 = next(r for r in now.rows if r.customer_code == "C1")
    # I1: 100 − 60 − 30 − 5 written off = 5 open; I2 settled by P2; CN1 −20 open; P3 15 unapplied.
    assert c1.total == Money.of("-15.00", "EUR") and c1.unapplied == Money.of("15.00", "EUR")
    # A credit is never past due (rule 15): CN1 sits in current, I1's 5.00 stays 91-180 days overdue.
    assert buckets(c1) == ["-20.00", "0.00", "0.00", "0.00", "5.00", "0.00", "0.00"]
    c1m = next(r for r in march.rows if r.customer_code == "C1")
    # As of 15 March: I1 40 open (43 days past due), I2 200 current, CN1 -20 (a credit: current).
    assert buckets(c1m) == ["180.00", "0.00", "40.00", "0.00", "0.00", "0.00", "0.00"]
    assert c1m.unapplied.is_zero() and c1m.items == 3
    c1j = next(r for r in jan.rows if r.customer_code == "C1")
    assert buckets(c1j) == ["100.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"]
    assert {t.currency for t in now.totals} == {"EUR", "CNY"}
    assert now.converted is None and set(now.missing_rates) == {"CNY"}


def test_total_converted_at_dated_rate(ledger):
    with ledger() as ctx:
        book(ctx, "rate CNY EUR 0.125 on 2026-01-01\nrate EUR CNY 8.0 on 2026-07-01")
        report = service.aging_report(ctx, date(2026, 6, 30))
    assert report.converted is not None and report.converted.currency == "EUR"
    # EUR −15 + CNY 1000 × 0.125 = 110 EUR.
    assert report.converted.total == Money.of("110.00", "EUR")


def test_buckets_sum_to_open_items(ledger):
    with ledger() as ctx:
        for as_of in (date(2026, 1, 31), date(2026, 3, 15), date(2026, 4, 30), date(2026, 12, 31)):
            report = service.aging_report(ctx, as_of)
            items = service.open_items(ctx, as_of=as_of)
            for t in report.totals:
                assert sum(b.minor for b in t.buckets) == t.total.minor
                assert t.total.minor == sum(i.open.minor for i in items if i.open.currency == t.currency)


def test_dso_report(ledger):
    with ledger() as ctx:
        (eur,) = [f for f in service.dso_report(ctx, date(2026, 3, 31), 90) if f.currency == "EUR"]
    # As of 31 March: sales in (31 Dec, 31 Mar] = 100 + 200 - 20 = 280; AR = 40 + 200 - 20 = 220.
    assert eur.credit_sales == Money.of("280", "EUR") and eur.closing_ar == Money.of("220", "EUR")
    assert eur.dso == Decimal("70.7")  # 220 / 280 × 90
    # Current AR: I2 200 and the credit note −20 (a credit is current, rule 15) = 180.
    assert eur.closing_current_ar == Money.of("180", "EUR")
    assert eur.bpdso == Decimal("57.9") and eur.add == Decimal("12.8")
    # CEI: opening 0 → (0 + 280 − 220) / (0 + 280 − 180) = 60 %.
    assert eur.cei == Decimal("60.00")
    # Count-back: March sales 180 (31 days) < 220, February 0 (28 days), January 100: 31 + 28 + 31 × 40/100.
    assert eur.dso_count_back == Decimal("71.4")


def test_statement_of_account(ledger):
    with ledger() as ctx:
        (st,) = service.statement_of_account(ctx, "C1", date(2026, 6, 30))
        (march,) = service.statement_of_account(ctx, "C1", date(2026, 6, 30), since=date(2026, 3, 1))
        (zh,) = service.statement_of_account(ctx, "C2", date(2026, 6, 30))
    assert [(ln.kind, ln.reference) for ln in st.lines] == [
        ("invoice", "I1"), ("payment", "P1"), ("invoice", "I2"), ("credit_note", "CN1"), ("payment", "P2"),
        ("writeoff", "I1"), ("payment", "P3")]
    # Closing balance = open items − unapplied cash = −15 − 15.
    assert st.closing_balance == Money.of("-30.00", "EUR")
    assert march.opening_balance == Money.of("40.00", "EUR") and march.closing_balance == st.closing_balance
    assert zh.customer.language == "zh-CN" and zh.closing_balance == Money.of("1000", "CNY")


def test_payment_history_and_detail(ledger):
    with ledger() as ctx:
        hist = service.payment_history(ctx, "C1", date(2026, 6, 30))
        detail = service.customer_detail(ctx, "C1", date(2026, 3, 15))
    assert [h.external_id for h in hist] == ["P3", "P2", "P1"]
    p2 = hist[1]
    assert [(s.number, str(s.amount.amount), s.days_late) for s in p2.settled] == [
        ("I1", "30.00", 79), ("I2", "200.00", 20)]
    assert p2.unapplied.is_zero() and hist[0].unapplied == Money.of("15.00", "EUR")
    assert detail.open_items == 3 and detail.last_payment_on == date(2026, 2, 10)


def test_projections_match_facts_and_reversal(ledger):
    with ledger() as ctx:
        allocs = service.list_allocations(ctx, invoice_number="I2")
        service.reverse_allocation(ctx, allocs[0]["id"], "wrong invoice")
        with pytest.raises(Conflict):
            service.reverse_allocation(ctx, allocs[0]["id"], "twice")
        assert service.verify_projections(ctx) == []
        assert service.get_invoice(ctx, "I2").open_minor == 20000


def test_dispute_flag_is_audited(ledger):
    with ledger() as ctx:
        service.set_dispute(ctx, "I2", True, "goods damaged")
        rows, total = service.list_invoices(ctx, disputed=True)
    assert total == 1 and rows[0][0].number == "I2"
