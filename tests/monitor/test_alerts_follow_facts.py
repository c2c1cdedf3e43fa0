"""Alerts follow the facts (monitor rules 12–14): an alert whose cause is gone resolves itself with a
note; a file import is evaluated once when it has committed; a buyer left out for a missing rate is
itself an alert."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from arguard.core.money import Money
from arguard.ledger import service as ledger
from arguard.ledger.model import CustomerRecord, InvoiceRecord
from arguard.monitor import service as monitor
from arguard.monitor.tables import Alert
from arguard.platform import registry
from arguard.platform.tables import AuditEntry

pytestmark = pytest.mark.storage
TODAY = date.today()


def alerts(ctx, code: str) -> list[Alert]:  # type: ignore[no-untyped-def]
    return list(ctx.session.scalars(select(Alert).where(Alert.company_id == ctx.company_id,
                                                        Alert.customer_code == code).order_by(Alert.id)))


def test_invoices_then_payments_import_leaves_no_stale_alert(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    registry.wire_subscriptions()  # the imports' facts reach the monitor after each commit, as in the app
    due = (TODAY - timedelta(days=75)).isoformat()
    issued = (TODAY - timedelta(days=105)).isoformat()
    invoices = ("invoice_number,customer_id,issue_date,due_date,currency,amount\n"
                f"INV-1,STALE,{issued},{due},EUR,12345.50\n").encode()
    payments = ("payment_id,customer_id,date,currency,amount,invoice_number\n"
                f"PAY-1,STALE,{TODAY.isoformat()},EUR,12335.50,INV-1\n").encode()
    with ctx_factory() as ctx:
        ledger.upsert_customer(ctx, CustomerRecord("STALE", "Stale Ltd", "GB", terms_days=30))
    with ctx_factory() as ctx:
        ledger.import_bytes(ctx, "invoices", invoices, "invoices.csv")
    with ctx_factory() as ctx:
        raised = [a for a in alerts(ctx, "STALE") if a.rule_id == "overdue"]
        assert len(raised) == 1 and "12345.50 EUR" in raised[0].title and raised[0].status == "open"
    with ctx_factory() as ctx:
        ledger.import_bytes(ctx, "payments", payments, "payments.csv")
    with ctx_factory() as ctx:
        owed = sum((i.open.amount for i in ledger.open_items(ctx, "STALE")), Money.zero("EUR").amount)
        assert str(owed) == "10.00"
        now = alerts(ctx, "STALE")
        assert not [a for a in now if a.status != "resolved" and "12345.50" in a.title]
        gone = next(a for a in now if a.rule_id == "overdue")
        assert gone.status == "resolved" and gone.resolved_by == "system:monitor"
        assert "cause gone" in (gone.resolution_note or "") and "12345.50" in (gone.resolution_note or "")
        assert ctx.session.scalar(select(AuditEntry.id).where(AuditEntry.company_id == ctx.company_id,
                                                              AuditEntry.action == "alert.auto_resolve"))


def test_a_state_alert_with_new_figures_the_same_day_is_refreshed(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        ledger.upsert_customer(ctx, CustomerRecord("TWICE", "Twice Ltd", "GB", terms_days=30))
        ledger.add_invoice(ctx, InvoiceRecord("T-1", "TWICE", TODAY - timedelta(days=80), TODAY - timedelta(days=50),
                                              Money.of("800.00", "EUR")))
        monitor.evaluate_buyers(ctx, ["TWICE"], TODAY, "test")
        ledger.add_invoice(ctx, InvoiceRecord("T-2", "TWICE", TODAY - timedelta(days=80), TODAY - timedelta(days=45),
                                              Money.of("200.00", "EUR")))
        monitor.evaluate_buyers(ctx, ["TWICE"], TODAY, "test")
        (alert,) = [a for a in alerts(ctx, "TWICE") if a.rule_id == "overdue"]
        assert "1000.00 EUR" in alert.title and alert.occurrences == 1


def test_missing_rate_is_an_alert_until_the_rate_comes(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        ledger.upsert_customer(ctx, CustomerRecord("NORATE", "No Rate Inc.", "US", terms_days=30))
        ledger.add_invoice(ctx, InvoiceRecord("U-1", "NORATE", TODAY - timedelta(days=130), TODAY - timedelta(days=95),
                                              Money.of("3000.00", "USD")))
        monitor.evaluate_buyers(ctx, ["NORATE"], TODAY, "test")
        (missing,) = [a for a in alerts(ctx, "NORATE") if a.status == "open"]
        assert missing.rule_id == "missing_rate" and "3000.00 USD" in missing.title
        assert missing.evidence["rates_needed"] == ["USD/EUR"]
        ledger.add_fx_rate(ctx, "USD", "EUR", "0.9", TODAY - timedelta(days=200))
        monitor.evaluate_buyers(ctx, ["NORATE"], TODAY, "test")
        now = {a.rule_id: a.status for a in alerts(ctx, "NORATE")}
        assert now["missing_rate"] == "resolved" and now["overdue"] == "open"
