"""Indemnity with every term, recoveries and premium, to the cent (README rules 11–13)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from arguard.core.money import Money
from arguard.insurance.terms import declaration_periods, indemnity, premium_due, share_recovery
from tests.insurance.policies import policy


def eur(x: str) -> Money:
    return Money.of(x, "EUR")


ZERO = eur("0")


def claim(covered: str, *, excluded: str = "0", limit: str | None = None, afl_used: str = "0", paid: str = "0",
          premium: str = "0", cause: str = "protracted_default"):  # type: ignore[no-untyped-def]
    return indemnity(policy(), cause=cause, covered=eur(covered), excluded=eur(excluded),
                     limit=None if limit is None else eur(limit), first_loss_used_before=eur(afl_used),
                     paid_before=eur(paid), year_premium=eur(premium))


def test_first_claim_of_the_year_every_term_shown():
    # 12,345.67 covered, 1,000 disputed, limit 10,000 → 10,000 − 500 deductible − 5,000 first loss = 4,500 × 90 %
    i = claim("12345.67", excluded="1000", limit="10000")
    terms = {t.name: t.amount for t in i.terms}
    assert terms["gross_loss"] == eur("13345.67") and terms["excluded"] == eur("-1000")
    assert terms["eligible_loss"] == eur("10000") and terms["deductible_per_claim"] == eur("-500")
    assert terms["aggregate_first_loss"] == eur("-5000") and terms["insured_loss"] == eur("4500")
    assert terms["remaining_max_liability"] == eur("60000")      # 30 × the 2,000 minimum premium
    assert i.amount == eur("4050.00") and i.first_loss_used == eur("5000") and i.qualifies


def test_the_aggregate_first_loss_is_shared_across_the_claims_of_the_year():
    first = claim("12345.67", limit="10000")
    second = claim("3210.99", afl_used=str(first.first_loss_used.amount), paid=str(first.amount.amount))
    assert second.first_loss_used == ZERO
    assert second.amount == eur("2439.89")                       # (3,210.99 − 500) × 90 % = 2,439.891
    partly = claim("3210.99", afl_used="4200")                    # 800 of the first loss left
    assert partly.first_loss_used == eur("800") and partly.amount == eur("1719.89")   # 1,910.99 × 90 %


def test_a_loss_below_the_non_qualifying_threshold_pays_nothing():
    i = claim("800", afl_used="5000")
    assert i.amount == ZERO and not i.qualifies
    assert [t.name for t in i.terms][-1] == "non_qualifying_loss"


def test_the_maximum_liability_caps_the_indemnity():
    i = claim("20000", afl_used="5000", paid="58000")            # 19,500 × 90 % = 17,550, only 2,000 left
    assert i.amount == eur("2000") and i.terms[-1].explanation == "payable (capped)"
    fixed = policy(max_liability='{amount: "10000"}')
    j = indemnity(fixed, cause="insolvency", covered=eur("20000"), excluded=ZERO, limit=None,
                  first_loss_used_before=eur("5000"), paid_before=eur("9000.01"), year_premium=ZERO)
    assert j.amount == eur("999.99")
    # a declared premium above the minimum raises a multiple-of-premium cap: 30 × 2,100 = 63,000
    assert claim("20000", afl_used="5000", paid="58000", premium="2100").amount == eur("5000")


def test_political_losses_use_the_political_percentage():
    assert claim("10500", afl_used="5000", cause="political").amount == eur("9500")   # 10,000 × 95 %


def test_recoveries_are_shared_pro_rata_and_the_surplus_goes_to_the_seller():
    first = share_recovery(eur("2000"), ZERO, loss=eur("10000"), indemnity_paid=eur("4050"))
    assert (first.insurer, first.seller) == (eur("810"), eur("1190"))        # 40.5 % of 2,000
    second = share_recovery(eur("9000"), eur("2000"), loss=eur("10000"), indemnity_paid=eur("4050"))
    assert (second.insurer, second.seller) == (eur("3240"), eur("5760"))     # insurer made whole at 4,050


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 10**8), min_size=1, max_size=6), st.integers(1, 10**9), st.integers(0, 10**9))
def test_recovery_shares_add_up_and_never_repay_the_insurer_more_than_it_paid(parts, loss, paid):
    loss_m, paid_m = Money.from_minor(loss, "EUR"), Money.from_minor(min(paid, loss), "EUR")
    before, insurer_total = ZERO, ZERO
    for p in parts:
        s = share_recovery(Money.from_minor(p, "EUR"), before, loss_m, paid_m)
        assert s.insurer + s.seller == s.received and s.insurer >= ZERO
        before, insurer_total = before + s.received, insurer_total + s.insurer
    assert insurer_total <= paid_m


def test_premium_of_a_period_and_the_minimum_premium_top_up():
    p = policy()
    q = premium_due(p, (date(2026, 1, 1), date(2026, 3, 31)), eur("1234567.89"), buyers=12)
    assert (q.premium, q.buyer_fees, q.total) == (eur("3086.42"), eur("180"), eur("3266.42"))
    last = premium_due(p, (date(2026, 10, 1), date(2026, 12, 31)), eur("40000"), buyers=0,
                       earlier=[eur("100"), eur("200")], last=True)
    assert last.premium == eur("100") and last.total == eur("1700")        # the year reaches the 2,000 minimum


def test_declaration_periods_follow_the_frequency_within_the_policy_period():
    assert len(declaration_periods(policy())) == 4
    monthly = declaration_periods(policy(premium="{rate_pct: 0.2, minimum: 10, declaration: monthly}",
                                         period="{start: 2026-02-15, end: 2026-05-10}"))
    assert monthly == [(date(2026, 2, 15), date(2026, 2, 28)), (date(2026, 3, 1), date(2026, 3, 31)),
                       (date(2026, 4, 1), date(2026, 4, 30)), (date(2026, 5, 1), date(2026, 5, 10))]
