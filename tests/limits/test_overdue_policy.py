"""The overdue hold is the company's policy (limits rule 25, `CheckPolicy.overdue_hold_days`, default 30):
a seller whose buyers pay 40 days late by habit can let such orders go with shorter terms instead."""

from __future__ import annotations

from datetime import date

from arguard.core.money import Money
from arguard.limits.check import check_order
from arguard.limits.model import BuyerSituation, CheckPolicy, CreditLine, Exposure

D = date(2026, 3, 1)


def outcome(days_overdue: int, policy: CheckPolicy) -> str:
    eur = Money.of("0", "EUR")
    s = BuyerSituation("B", D, Exposure(Money.of("1000", "EUR"), eur, eur),
                       CreditLine(Money.of("100000", "EUR"), "internal"), oldest_overdue_days=days_overdue, grade=4)
    return check_order(Money.of("500", "EUR"), s, policy).outcome


def test_the_default_holds_an_order_of_a_buyer_with_an_item_more_than_30_days_overdue() -> None:
    assert CheckPolicy().overdue_hold_days == 30
    assert outcome(30, CheckPolicy()) == "shorten_terms"
    assert outcome(31, CheckPolicy()) == "hold"
    assert outcome(91, CheckPolicy()) == "require_prepayment"


def test_a_company_that_allows_45_days_lets_a_40_day_item_go_with_shorter_terms() -> None:
    lenient = CheckPolicy(overdue_hold_days=45)
    assert outcome(40, lenient) == "shorten_terms"
    assert outcome(46, lenient) == "hold"
