"""Dunning rules on tiny ledgers written inline (README rules 1–14)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arguard.collections import rules
from arguard.collections.model import DunningAction, Skipped
from arguard.collections.policy import parse_policy
from arguard.core.money import FxRate, FxTable
from tests.collections.helpers import STANDARD, buyers, policy

D = date(2026, 11, 30)
NO_FX = FxTable([])


def run(text: str, pol: str = STANDARD, as_of: date = D, fx: FxTable = NO_FX):  # type: ignore[no-untyped-def]
    return rules.run(policy(pol), buyers(text), as_of, fx, "EUR")


def test_the_issue_example_final_notice_with_interest_fee_and_compensation() -> None:
    # The issue's example answer shows final_notice at 60 days: with the standard ladder (agency from 60)
    # the rule puts that invoice at agency, so the example holds for a ladder whose agency step is later.
    later_agency = STANDARD.replace("days_overdue: 60,", "days_overdue: 61,")
    out = run("invoice K100 H-00001 100.00 EUR due 2026-10-01", later_agency)
    assert run("invoice K100 H-00001 100.00 EUR due 2026-10-01").actions[0].level == "agency"
    assert out.as_dict() == {"as_of": "2026-11-30", "policy": "standard", "actions": [{
        "customer_id": "K100", "level": "final_notice", "channel": "letter", "currency": "EUR",
        "invoices": [{"invoice_number": "H-00001", "due_date": "2026-10-01", "days_overdue": 60,
                      "open_amount": "100.00", "currency": "EUR", "level": "final_notice", "interest": "1.73"}],
        "overdue_total": "100.00", "interest_total": "1.73", "fee": "15.00", "compensation": "40.00",
        "total_due": "156.73"}]}


def test_days_overdue_and_level_thresholds() -> None:
    p = policy()
    assert rules.level_index(p, 0) is None            # on the due date: not overdue
    assert p.levels[rules.level_index(p, 1) or 0].name == "reminder"
    assert p.levels[rules.level_index(p, 14) or 0].name == "reminder"
    assert p.levels[rules.level_index(p, 15) or 0].name == "first_demand"
    assert p.levels[rules.level_index(p, 119) or 0].name == "agency"
    assert p.levels[rules.level_index(p, 400) or 0].name == "legal"


def test_customer_action_at_highest_level_lists_every_overdue_item_with_its_own_level() -> None:
    out = run("""
        invoice K1 A 100.00 EUR due 2026-11-20
        invoice K1 B 200.00 EUR due 2026-11-05
        invoice K1 C 300.00 EUR due 2026-12-20""")
    (a,) = out.actions
    assert a.level == "first_demand" and a.fee.amount == Decimal("5.00")
    assert [(i.number, i.level, i.days_overdue) for i in a.invoices] == [("B", "first_demand", 25),
                                                                          ("A", "reminder", 10)]
    assert a.overdue_total.amount == Decimal("300.00")      # C is not due: not listed, not counted
    assert a.compensation.amount == Decimal("80.00")        # two overdue invoices


def test_partial_payment_interest_on_changing_balance() -> None:
    # 1000 due 2026-10-01; 600 paid on 2026-10-31 (day 30): 30 days on 1000, 30 days on 400.
    out = run("invoice K1 A 1000.00 EUR due 2026-10-01\npaid A 600.00 on 2026-10-31")
    (a,) = out.actions
    expected = (Decimal("0.105") * (1000 * 29 + 400 * 31) / 365).quantize(Decimal("0.01"))
    assert a.invoices[0].open.amount == Decimal("400.00")
    assert a.interest_total.amount == expected == Decimal("11.91")


def test_payment_before_due_date_lowers_the_balance_interest_starts_from() -> None:
    out = run("invoice K1 A 1000.00 EUR due 2026-10-01\npaid A 900.00 on 2026-09-15")
    (a,) = out.actions
    assert a.interest_total.amount == (Decimal("0.105") * 100 * 60 / 365).quantize(Decimal("0.01"))


def test_interest_rounded_half_up_per_invoice() -> None:
    # 0.105 × 10 × 5 / 365 = 0.01438… → 0.01; choose an amount giving exactly half a cent:
    p = policy(STANDARD.replace('"10.50"', '"36.50"'))
    # 36.5 % × 5.00 × 1 day / 365 = 0.005 → half-up 0.01 (half-even would give 0.00)
    out = rules.run(p, buyers("invoice K1 A 5.00 EUR due 2026-11-29"), D, NO_FX, "EUR")
    assert out.skipped  # below the minimum, but the rounding is per invoice:
    item = buyers("invoice K1 A 5.00 EUR due 2026-11-29")[0].items[0]
    assert rules.interest(item, D, Decimal("36.50")).amount == Decimal("0.01")


def test_credit_note_is_listed_and_netted_off_what_is_asked() -> None:
    out = run("invoice K1 A 300.00 EUR due 2026-10-25\ncredit K1 CN-1 -100.00 EUR\ncash K1 20.00 EUR")
    (a,) = out.actions
    assert [(c.reference, c.kind, str(c.amount.amount)) for c in a.credits] == [
        ("CN-1", "credit_note", "100.00"), ("unapplied", "unapplied_cash", "20.00")]
    assert a.as_dict()["credits_total"] == "120.00"
    assert a.total_due.amount == Decimal("300.00") + a.interest_total.amount + 15 + 40 - 120


def test_customer_fully_covered_by_credit_gets_no_letter() -> None:
    out = run("invoice K1 A 300.00 EUR due 2026-10-01\ncredit K1 CN-1 -300.00 EUR")
    assert not out.actions and "covered by credit" in out.skipped[0].reason


def test_disputed_items_are_left_out_until_resolved() -> None:
    out = run("invoice K1 A 300.00 EUR due 2026-08-01\ninvoice K1 B 100.00 EUR due 2026-11-10\ndisputed A")
    (a,) = out.actions
    assert [i.number for i in a.invoices] == ["B"] and a.level == "first_demand"
    only = run("invoice K1 A 300.00 EUR due 2026-08-01\ndisputed A")
    assert not only.actions and only.skipped[0].reason == "every overdue item is disputed"


def test_minimum_overdue_amount_decides_the_customer_not_the_items() -> None:
    out = run("invoice K1 A 49.99 EUR due 2026-10-01\ninvoice K2 B 30.00 EUR due 2026-10-01\n"
              "invoice K2 C 20.00 EUR due 2026-11-01")
    assert [a.customer_code for a in out.actions] == ["K2"]
    assert "below the minimum" in out.skipped[0].reason


def test_minimum_converted_into_the_policy_currency_at_the_run_date() -> None:
    fx = FxTable([FxRate("USD", "EUR", Decimal("0.90"), date(2026, 1, 1))])
    text = "invoice K1 A 55.00 USD due 2026-11-20"  # 49.50 EUR: below 50
    assert not run(text, fx=fx).actions
    (a,) = run("invoice K1 A 56.00 USD due 2026-11-20", fx=fx).actions  # 50.40 EUR
    assert a.currency == "USD" and a.compensation.amount == Decimal("44.44")  # 40 EUR in USD


def test_fee_is_the_level_fee_once_per_action() -> None:
    (a,) = run("invoice K1 A 100.00 EUR due 2026-11-10\ninvoice K1 B 100.00 EUR due 2026-11-12").actions
    assert a.level == "first_demand" and a.fee.amount == Decimal("5.00")


def test_stricter_levels_for_weak_grades() -> None:
    pol = STANDARD + "stricter:\n  - {grades: [8, 10], steps: 1}\n"
    text = "invoice K1 A 100.00 EUR due 2026-11-25\ngrade K1 9\ninvoice K2 B 100.00 EUR due 2026-11-25\ngrade K2 3"
    out = run(text, pol)
    assert {a.customer_code: a.level for a in out.actions} == {"K1": "first_demand", "K2": "reminder"}


def test_pre_due_friendly_reminder_has_no_charges() -> None:
    pol = STANDARD.replace("levels:\n", "levels:\n  - {name: friendly, days_overdue: -5, channel: email}\n")
    (a,) = run("invoice K1 A 500.00 EUR due 2026-12-03", pol).actions
    assert a.level == "friendly" and a.invoices[0].days_overdue == -3
    assert a.interest_total.amount == a.fee.amount == a.compensation.amount == 0


def test_sequential_mode_one_step_per_run_and_minimum_gap() -> None:
    pol = STANDARD + "sequential: {min_gap_days: 7}\n"
    text = "invoice K1 A 100.00 EUR due 2026-08-01\nprevious K1 reminder 2026-11-01"
    (a,) = run(text, pol).actions
    assert a.level == "first_demand"                          # 121 days would say legal
    gap = run("invoice K1 A 100.00 EUR due 2026-08-01\nprevious K1 reminder 2026-11-27", pol)
    assert not gap.actions and gap.skipped[0].reason.startswith("sequential")


def test_clearing_order_costs_then_interest_then_principal() -> None:
    c = rules.clear(Decimal(100), costs=Decimal(55), interest_due=Decimal(20), principal=Decimal(1000))
    assert (c.costs, c.interest, c.principal, c.surplus) == (55, 20, 25, 0)
    p = rules.clear(Decimal(100), Decimal(55), Decimal(20), Decimal(1000), ("principal", "interest", "costs"))
    assert (p.costs, p.interest, p.principal) == (0, 0, 100)
    s = rules.clear(Decimal(2000), Decimal(55), Decimal(20), Decimal(1000))
    assert s.surplus == Decimal(925)


@settings(max_examples=60, deadline=None)
@given(amount=st.integers(1, 10**7), paid=st.lists(st.tuples(st.integers(-40, 90), st.integers(0, 10**6)),
                                                 max_size=5), days=st.integers(1, 400))
def test_interest_never_exceeds_interest_on_the_full_amount(amount: int, paid: list[tuple[int, int]],
                                                            days: int) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from tests.collections.helpers import buyers as parse

    item = parse(f"invoice K1 A {amount / 100:.2f} EUR due 2026-01-01")[0].items[0]
    total_paid = 0
    reductions = []
    for offset, cents in paid:
        cents = min(cents, amount - total_paid)
        total_paid += cents
        reductions.append((date(2026, 1, 1) + timedelta(offset), Decimal(cents) / 100))
    item = replace(item, reductions=tuple(reductions))
    as_of = date(2026, 1, 1) + timedelta(days)
    full = rules.interest(replace(item, reductions=()), as_of, Decimal("10.5"))
    part = rules.interest(item, as_of, Decimal("10.5"))
    assert Decimal(0) <= part.amount <= full.amount


@given(amount=st.integers(0, 10**6), costs=st.integers(0, 10**5), interest=st.integers(0, 10**5),
       principal=st.integers(0, 10**6))
def test_clearing_splits_exactly(amount: int, costs: int, interest: int, principal: int) -> None:
    c = rules.clear(Decimal(amount), Decimal(costs), Decimal(interest), Decimal(principal))
    assert c.costs + c.interest + c.principal + c.surplus == amount
    assert c.costs <= costs and c.interest <= interest and c.principal <= principal


def test_policy_validation_names_every_bad_key() -> None:
    text = """
name: bad
currency: euro
min_overdue_amount: 50.5
levels:
  - {name: reminder, days_overdue: 10, channel: fax, fee: "x"}
  - {name: reminder, days_overdue: 5, channel: email, fee: "5", colour: red}
interest: {rate_pct: "150", basis: act/366}
stricter: [{grades: [9, 3]}]
clearing_order: [interest, costs]
surprise: 1
"""
    p, issues = parse_policy(text, "bad.yaml")
    assert p is None
    fields = {i.field for i in issues}
    assert {"currency", "min_overdue_amount", "levels[0].channel", "levels[0].fee", "levels[1].colour",
            "levels", "levels[1].days_overdue", "interest.rate_pct", "interest.basis", "stricter[0].grades",
            "clearing_order", "surprise"} <= fields, fields
    assert all(i.source == "bad.yaml" for i in issues)


def test_not_yaml_is_one_issue_with_a_line() -> None:
    p, issues = parse_policy("name: [unclosed\n")
    assert p is None and issues[0].line is not None


def test_skipped_and_actions_are_typed() -> None:
    out = run("invoice K1 A 10.00 EUR due 2026-10-01")
    assert isinstance(out.skipped[0], Skipped) and not any(isinstance(a, Skipped) for a in out.actions)
    assert all(isinstance(a, DunningAction) for a in run("invoice K1 A 100.00 EUR due 2026-10-01").actions)


def test_a_missing_rate_skips_that_buyer_with_the_reason_not_the_run() -> None:
    out = run("invoice K1 A 500.00 USD due 2026-10-01\ninvoice K2 B 500.00 EUR due 2026-10-01")
    assert [a.customer_code for a in out.actions] == ["K2"]
    assert out.skipped[0].customer_code == "K1" and "EUR/USD rate" in out.skipped[0].reason


def test_call_value_and_its_explanation() -> None:
    from arguard.collections.model import WorkItem
    from arguard.core.money import Money

    value = rules.call_value(rules.DEFAULT_PD, Money.of("1500.00", "EUR"), 60)
    assert value.amount == Decimal("12.33")       # 0.05 × 1500 × 60 / 365
    w = WorkItem("K1", "K1 Ltd", None, Money.of("1500.00", "EUR"), 60, rules.DEFAULT_PD, False, None, "call", value)
    assert w.explanation() == "PD 5.0 % (not graded: default) × overdue 1,500.00 EUR × 60 days / 365 = 12.33"


def test_an_action_reads_back_from_its_json() -> None:
    from arguard.collections.model import action_from_dict

    text = "invoice K1 A 300.00 EUR due 2026-10-25\ncredit K1 CN-1 -100.00 EUR\ninvoice K1 B 20.00 EUR due 2026-11-02"
    (a,) = run(text).actions
    assert action_from_dict(a.as_dict()) == a
