"""Pure rules: invariants by hypothesis (seeds printed by hypothesis on failure), recommendation, terms."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arguard.core.money import Money
from arguard.limits.check import check_order
from arguard.limits.exposure import credit_line, limit_on
from arguard.limits.model import (
    OUTCOMES,
    Appetite,
    BuyerProfile,
    BuyerSituation,
    CheckPolicy,
    CreditLine,
    Exposure,
    LimitDecision,
    severity,
)
from arguard.limits.recommend import recommend_limit
from arguard.limits.terms import discount_economics, recommend_terms

D = date(2026, 3, 1)


def eur(x: str | int) -> Money:
    return Money.of(x, "EUR")


amounts = st.integers(min_value=1, max_value=10**9).map(lambda c: Money.from_minor(c, "EUR"))


@settings(max_examples=300, derandomize=True, print_blob=True)
@given(limit=st.one_of(st.none(), amounts), rec=amounts, orders=amounts, amount=amounts,
       overdue=st.integers(0, 400), grade=st.one_of(st.none(), st.integers(1, 10)),
       collections=st.booleans(), stopped=st.booleans())
def test_a_released_order_always_fits_under_the_limit(limit, rec, orders, amount, overdue, grade, collections,
                                                      stopped):
    s = BuyerSituation("B", D, Exposure(rec, eur(0), orders), CreditLine(limit, "internal", cover_stopped=stopped),
                       oldest_overdue_days=overdue, grade=grade, in_collections=collections)
    r = check_order(amount, s, CheckPolicy())
    assert r.outcome == max((x.outcome for x in r.reasons), key=severity, default="release")
    if r.reserves:
        assert limit is not None and (rec + orders + amount).amount <= limit.amount
        assert not collections and not stopped and (grade is None or grade < 8) and overdue <= 30
    assert r.outcome in OUTCOMES


decisions = st.lists(st.builds(
    lambda kind, status, minor, start, length, seq: LimitDecision(
        kind, status, Money.from_minor(0 if status in ("refused", "cancelled") else minor, "EUR"),
        D + timedelta(start), D + timedelta(start), D + timedelta(start + length) if length else None, seq=seq),
    st.sampled_from(["internal", "insured", "discretionary"]),
    st.sampled_from(["approved", "partly_approved", "refused", "conditional", "reduced", "cancelled"]),
    st.integers(0, 10**8), st.integers(-100, 100), st.integers(0, 200), st.integers(0, 10**6)), max_size=8)


@settings(max_examples=300, derandomize=True)
@given(ds=decisions, offset=st.integers(-120, 320), cap=st.one_of(st.none(), amounts))
def test_limit_in_force_is_the_latest_recorded_decision_that_took_effect(ds, offset, cap):
    on = D + timedelta(offset)
    line = credit_line(ds, on, cap)
    internal = limit_on(ds, "internal", on)
    if internal is not None:
        assert line.amount == internal and line.source == "internal"
    if line.source == "discretionary" and cap is not None:
        assert line.amount is not None and line.amount <= cap
    if any(d.kind == "insured" and d.decided_on <= on for d in ds):
        assert line.source != "discretionary"


def test_recommendation_names_the_binding_rule():
    appetite = Appetite("EUR", {("buyer", "*"): eur(500000), ("country", "BR"): eur(300000)})
    p = BuyerProfile("ACME", "BR", grade=4, equity=eur(4000000), sales=eur(20000000),
                     working_capital=eur(1500000), expected_monthly_sales=eur(100000), terms_days=60,
                     country_class=3)
    r = recommend_limit(p, appetite, {("country", "BR"): eur(100000)})
    by_rule = {b.rule: b.amount for b in r.bounds}
    assert by_rule["need"] == eur(300000)                             # 100k × (60 + 30) / 30
    assert by_rule["capacity.equity"] == eur(225000)                  # 7.5 % × 4m × 0.75 (OECD class 3)
    assert by_rule["appetite.country"] == eur(200000)                 # 300k cap − 100k used by others
    assert r.binding is not None and r.binding.rule == "appetite.country" and r.amount == eur(200000)


def test_grade_9_gets_no_open_credit_and_nothing_known_recommends_zero():
    r = recommend_limit(BuyerProfile("X", "DE", grade=9, equity=eur(10**7)), Appetite("EUR"))
    assert r.amount == eur(0) and r.binding is not None and r.binding.rule == "grade"
    nothing = recommend_limit(BuyerProfile("Y", "DE"), Appetite("EUR"))
    assert nothing.amount == eur(0) and nothing.binding is None and "nothing supports" in nothing.notes[-1]


def test_negative_working_capital_halves_the_equity_share_and_rounds_down():
    r = recommend_limit(BuyerProfile("X", "DE", grade=2, equity=eur(1234567), working_capital=eur(-5)),
                        Appetite("EUR"))
    assert r.amount == eur(61000)                                     # 5 % × 1,234,567 = 61,728 → 61,000


def test_terms_by_grade_behaviour_and_country():
    assert recommend_terms(2).label == "net 90"
    assert recommend_terms(5, oldest_overdue_days=70).label == "net 45"
    assert recommend_terms(5, oldest_overdue_days=95).label == "prepayment"
    eight = recommend_terms(8)
    assert eight.label == "net 30" and eight.security == "guarantee or letter of credit"
    assert recommend_terms(9).label == "prepayment" and recommend_terms(None).label == "net 30"
    assert recommend_terms(3, country_class=7).security == "letter of credit"
    assert recommend_terms(1, requested_days=45).label == "net 45"


def test_two_ten_net_thirty_costs_about_37_percent_a_year():
    e = discount_economics(Decimal("0.02"), 10, 30, cost_of_capital=Decimal("0.08"))
    assert e.annual_cost == Decimal("0.3724") and e.annual_cost_compound == Decimal("0.4459")
    assert not e.worth_offering
    risky = discount_economics(Decimal("0.02"), 10, 30, cost_of_capital=Decimal("0.08"), pd_12m=Decimal("0.6"))
    assert risky.loss_saving > risky.financing_saving and risky.breakeven_rate < e.breakeven_rate
