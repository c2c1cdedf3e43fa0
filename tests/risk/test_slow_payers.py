"""A slow payer is not a likely defaulter (risk README rule 17): steady lateness, paid in full, is a terms
matter; a country with few of the seller's buyers is less information, not more risk. Growing lateness and
instalments still downgrade."""

from __future__ import annotations

from datetime import date

from arguard.risk.combine import book_norm, combine, country_norms
from arguard.risk.model import PaymentBehaviour, RiskInputs

AS_OF = date(2026, 11, 30)
SOUND_ACCOUNTS_PD = 0.009  # grade 4, "good"


def buyer(behaviour: PaymentBehaviour, financial_pd: float = SOUND_ACCOUNTS_PD) -> int:
    return combine(RiskInputs(AS_OF, financial_pd, (), 200, behaviour, None, None)).grade


def pd_of(behaviour: PaymentBehaviour) -> float:
    return combine(RiskInputs(AS_OF, SOUND_ACCOUNTS_PD, (), 200, behaviour, None, None)).pd_12m


def slow(days: float, *, trend: float = 0.0, partial: float = 0.0, max_dpd: int = 45,
         peer: float | None = None) -> PaymentBehaviour:
    return PaymentBehaviour(invoices_paid=24, avg_days_beyond_terms=days, dbt_trend_days=trend,
                            partial_payment_share=partial, max_days_past_due=max_dpd,
                            peer_days_beyond_terms=peer)


def test_a_steady_slow_payer_with_sound_accounts_stays_grade_6_or_better() -> None:
    for days in (20, 30, 40):
        assert buyer(slow(days)) <= 6, days


def test_a_buyer_whose_lateness_grows_and_partial_payments_rise_is_downgraded() -> None:
    steady, worsening = slow(40), slow(40, trend=30, partial=0.4)
    assert buyer(worsening) > buyer(steady)
    assert pd_of(worsening) >= 3 * pd_of(steady)
    assert buyer(slow(60, trend=40, partial=0.5)) >= 8


def test_steady_lateness_far_beyond_terms_still_counts() -> None:
    assert buyer(slow(100, max_dpd=50)) > buyer(slow(40))
    assert buyer(slow(40, max_dpd=75)) > buyer(slow(40))  # items 60+ days past due: not a steady payer


def test_a_buyer_alone_in_its_country_is_not_downgraded_for_being_alone() -> None:
    book = [("FR", slow(d)) for d in (20, 22, 25, 28, 30)] + [("DE", slow(d)) for d in (18, 24, 26, 27, 32)]
    alone = ("GR", slow(35, trend=20))
    rows = [*book, alone]
    norms, fallback = country_norms(rows), book_norm(rows)
    assert "GR" not in norms and fallback is not None
    greek = buyer(slow(35, trend=20, peer=norms.get("GR", fallback)))
    french_twin = buyer(slow(35, trend=20, peer=norms["FR"]))
    assert greek <= french_twin  # judged like a buyer among peers of the book's habit, not among punctual ones
    assert greek < buyer(slow(35, trend=20, peer=None))


def test_the_book_norm_needs_enough_buyers_with_history() -> None:
    few = [("FR", slow(d)) for d in (20, 30, 40)] + [("DE", PaymentBehaviour(invoices_paid=2, avg_days_beyond_terms=90))]
    assert book_norm(few) is None
    assert book_norm([("FR", slow(d)) for d in (10, 20, 30, 40, 50)]) == 30.0


def test_the_reason_says_what_the_lateness_was_judged_against() -> None:
    def label(b: PaymentBehaviour) -> str:
        grade = combine(RiskInputs(AS_OF, SOUND_ACCOUNTS_PD, (), 200, b, None, None))
        return next(r.label for r in grade.reasons if r.code == "payment.days_beyond_terms")

    lone = PaymentBehaviour(invoices_paid=24, avg_days_beyond_terms=60, dbt_trend_days=20,
                            peer_days_beyond_terms=22, peer_basis="book")
    assert "22 usual in the seller's book" in label(lone)
    assert "steady payer, 20 more excused" in label(slow(60, peer=25))
    assert "steady payer" not in label(slow(60, trend=20, peer=25))
