"""Policies stored per company, the obligations of the stored ledger, notifications, stop supply, exposure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from arguard.core.errors import ImportRejected, NotFound
from arguard.core.money import Money
from arguard.insurance import service
from arguard.ledger import service as ledger
from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord
from arguard.limits import interface as limits
from arguard.limits import service as limits_service  # the test looks at the order block itself
from tests.insurance.policies import POLICY_YAML

D = date.fromisoformat


def book(ctx, text: str) -> None:  # type: ignore[no-untyped-def]
    """`customer CODE COUNTRY` · `invoice CODE NUMBER AMOUNT issued ISSUE due DUE` · `paid NUMBER AMOUNT ON`
    · `cover CODE AMOUNT from DATE` (an insurer's approval)."""
    for raw in text.strip().splitlines():
        w = raw.split()
        if w[0] == "customer":
            ledger.upsert_customer(ctx, CustomerRecord(code=w[1], name=f"{w[1]} Ltd", country=w[2]))
        elif w[0] == "invoice":
            ledger.add_invoice(ctx, InvoiceRecord(number=w[2], customer_code=w[1], issue_date=D(w[5]),
                                                  due_date=D(w[7]), amount=Money.of(w[3], "EUR")))
        elif w[0] == "paid":
            inv = ledger.find_invoice(ctx, w[1])
            assert inv is not None
            ledger.add_payment(ctx, PaymentRecord(external_id=f"P-{w[1]}", customer_code=w[4],
                                                  received_on=D(w[3]), amount=Money.of(w[2], "EUR"),
                                                  invoice_numbers=(w[1],)))
        elif w[0] == "cover":
            limits.decide_cover(ctx, w[1], kind="insured", status="approved", amount=Money.of(w[2], "EUR"),
                                reason="insurer approved", on=D(w[4]), effective_from=D(w[4]))
        else:
            raise ValueError(raw)


LEDGER = """
    customer K100 DE
    customer K200 FR
    customer K300 RU
    cover K100 10000 from 2026-01-01
    cover K200 5000 from 2026-01-01
    invoice K100 H-00001 1234.50 issued 2026-05-02 due 2026-06-01
    invoice K100 H-00002 800.00 issued 2026-09-20 due 2026-10-20
    invoice K200 H-00003 3000.00 issued 2026-08-01 due 2026-09-15
    invoice K300 H-00004 500.00 issued 2026-08-01 due 2026-09-01
    invoice K200 H-00005 999.00 issued 2026-10-01 due 2026-11-30
"""


def test_policies_are_stored_per_company_several_per_company_and_bad_files_are_refused(ctx_factory):
    with ctx_factory() as ctx:
        service.load_policy(ctx, POLICY_YAML, "p1.yaml")
        service.load_policy(ctx, POLICY_YAML.replace("P-1", "P-2").replace("2026-", "2027-"), "p2.yaml")
        _, created = service.load_policy(ctx, POLICY_YAML.replace("insurer: Example", "insurer: Other"), "p1.yaml")
        assert not created
        assert [p.policy_number for p in service.list_policies(ctx)] == ["P-1", "P-2"]
        assert service.get_policy(ctx, as_of=D("2027-03-01")).policy_number == "P-2"
        assert service.get_policy(ctx, "P-1").insurer.startswith("Other")
        with pytest.raises(ImportRejected, match="max_extension_days"):
            service.load_policy(ctx, POLICY_YAML.replace("max_extension_days: 60", "max_extension_days: -1"), "x")
        with pytest.raises(NotFound):
            service.get_policy(ctx, "P-9")
    with ctx_factory(role="analyst") as ctx, pytest.raises(Exception, match="credit_manager"):
        service.load_policy(ctx, POLICY_YAML, "p1.yaml")


def test_check_lists_every_overdue_invoice_delivered_in_the_period(ctx_factory):
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
        policy = service.parse_policy_file(POLICY_YAML, "p.yaml")
        out = service.check(ctx, policy, D("2026-10-30"))
    by = {o["invoice_number"]: o for o in out["obligations"]}
    assert set(by) == {"H-00001", "H-00002", "H-00003", "H-00004"}        # H-00005 is not yet due
    h1 = by["H-00001"]
    assert (h1["mep_end"], h1["notification_deadline"], h1["claim_deadline"]) == (
        "2026-07-31", "2026-08-30", "2026-10-29")
    assert (h1["status"], h1["covered"], h1["amount_at_stake"]) == ("missed", True, "1111.05")
    # H-00002 was delivered after K100's MEP expired (stop supply from 2026-08-01): not covered
    assert by["H-00002"]["reasons"] == ["after_stop_supply"] and by["H-00002"]["amount_at_stake"] == "0.00"
    assert by["H-00003"]["status"] == "ok" and by["H-00003"]["amount_at_stake"] == "2700.00"
    assert by["H-00004"]["reasons"] == ["excluded_country", "no_limit"]
    assert out["compliance"]["missed"] == 1 and out["compliance"]["missed_at_stake"] == "1111.05"
    assert out["stop_supply"] == {"K100": "2026-08-01"}


def test_a_payment_after_the_date_does_not_change_the_past(ctx_factory):
    with ctx_factory() as ctx:
        book(ctx, LEDGER + "paid H-00003 3000.00 2026-11-05 K200")
        policy = service.parse_policy_file(POLICY_YAML, "p.yaml")
        before = {o["invoice_number"] for o in service.check(ctx, policy, D("2026-10-30"))["obligations"]}
        after = {o["invoice_number"] for o in service.check(ctx, policy, D("2026-11-10"))["obligations"]}
    assert "H-00003" in before and "H-00003" not in after


def test_a_notification_on_time_makes_the_invoice_notified(ctx_factory):
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
        service.load_policy(ctx, POLICY_YAML, "p.yaml")
        service.record_notification(ctx, "P-1", "K100", "overdue", notified_on=D("2026-08-15"))
        out = service.check(ctx, service.get_policy(ctx, "P-1"), D("2026-09-01"))
    h1 = next(o for o in out["obligations"] if o["invoice_number"] == "H-00001")
    assert (h1["status"], h1["notified_on"], h1["claim_deadline"]) == ("notified", "2026-08-15", "2026-10-14")


def test_stop_supply_holds_the_buyers_orders_and_lifts_when_cleared(ctx_factory):
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
        service.load_policy(ctx, POLICY_YAML, "p.yaml")
        policy = service.get_policy(ctx, "P-1")
        assert service.sync_stop_supply(ctx, policy, D("2026-10-30")) == {"held": ["K100"], "lifted": []}
        state = limits_service.buyer_state(ctx, limits_service.customer_by_code(ctx, "K100"))
        assert state.order_block and "stop supply since 2026-08-01" in (state.block_reason or "")
        assert service.stop_supply_of(ctx, "K100") == D("2026-08-01")
        assert service.sync_stop_supply(ctx, policy, D("2026-10-30")) == {"held": [], "lifted": []}
        book(ctx, "paid H-00001 1234.50 2026-11-01 K100")
        assert service.sync_stop_supply(ctx, policy, D("2026-11-02")) == {"held": [], "lifted": ["K100"]}
        assert service.stop_supply_of(ctx, "K100") is None
        assert not limits_service.buyer_state(ctx, limits_service.customer_by_code(ctx, "K100")).order_block


def test_a_reduced_insured_limit_keeps_earlier_deliveries_covered(ctx_factory):
    with ctx_factory() as ctx:
        book(ctx, """
            customer K1 DE
            cover K1 10000 from 2026-01-01
            invoice K1 R-1 8000.00 issued 2026-06-01 due 2026-07-01
            invoice K1 R-2 1000.00 issued 2026-08-01 due 2026-08-31
        """)
    with ctx_factory(role="credit_manager") as ctx:
        # reduced to 2,000 on 2026-07-01: in force after the 30-day notice, from 2026-07-31
        limits.decide_cover(ctx, "K1", kind="insured", status="reduced", amount=Money.of("2000", "EUR"),
                            reason="insurer reduction", on=D("2026-07-01"))
        out = service.check(ctx, service.parse_policy_file(POLICY_YAML, "p.yaml"), D("2026-09-10"))
    by = {o["invoice_number"]: o for o in out["obligations"]}
    assert by["R-1"]["covered_amount"] == "8000.00"          # delivered under the 10,000 limit
    assert by["R-2"]["reasons"] == ["over_limit"]            # the 2,000 limit is used by R-1 already


def test_insured_and_uninsured_exposure_of_a_buyer(ctx_factory):
    with ctx_factory() as ctx:
        book(ctx, """
            customer K1 DE
            cover K1 10000 from 2026-01-01
            invoice K1 E-1 6000.00 issued 2026-03-01 due 2026-04-30
            invoice K1 E-2 6000.00 issued 2026-03-15 due 2026-05-14
        """)
        service.load_policy(ctx, POLICY_YAML, "p.yaml")
        out = service.insured_exposure(ctx, "K1", D("2026-04-15"))
    assert (out["exposure"], out["insured_limit"], out["net_insured"], out["uninsured"]) == (
        "12000.00", "10000.00", "9000.00", "3000.00")


def test_deadline_alerts_reach_monitoring_once(ctx_factory):
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
        service.load_policy(ctx, POLICY_YAML, "p.yaml")
        policy = service.get_policy(ctx, "P-1")
        assert service.post_deadline_alerts(ctx, policy, D("2026-10-30")) == 1     # K100 missed
        assert service.post_deadline_alerts(ctx, policy, D("2026-10-30")) == 0
        later = D("2026-10-30") + timedelta(days=1)
        assert service.post_deadline_alerts(ctx, policy, later) == 0               # same deadline, same event


def test_other_currencies_are_converted_at_the_dated_rate_or_reported(ctx_factory):
    from decimal import Decimal

    with ctx_factory() as ctx:
        book(ctx, "customer K7 US\ncover K7 10000 from 2026-01-01")
        for number, cur in (("U-1", "USD"), ("J-1", "JPY")):
            ledger.add_invoice(ctx, InvoiceRecord(number=number, customer_code="K7", issue_date=D("2026-05-01"),
                                                  due_date=D("2026-06-01"), amount=Money.of("1000.05" if cur == "USD"
                                                                                            else "1000", cur)))
        ledger.add_fx_rate(ctx, "USD", "EUR", Decimal("0.9"), D("2026-01-01"))
        out = service.check(ctx, service.parse_policy_file(POLICY_YAML, "p.yaml"), D("2026-07-01"))
    (u,) = out["obligations"]
    assert u["open_amount"] == "900.04"            # 1,000.05 USD × 0.9 = 900.045 → half to even
    assert u["amount_at_stake"] == "810.04"        # × 90 % = 810.036
    assert out["unconverted"] == {"JPY": 1}
