"""How the parts of a grade combine: accounts, payment behaviour, country, sector."""

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arguard.core.errors import ValidationError
from arguard.risk.combine import TYPICAL_PD, PriorShift, combine
from arguard.risk.model import CountryRisk, PaymentBehaviour, Reason, RiskInputs

AS_OF = date(2026, 6, 30)
GOOD_PAYER = PaymentBehaviour(invoices_paid=24, avg_days_beyond_terms=1.0)
LATE_PAYER = PaymentBehaviour(invoices_paid=24, avg_days_beyond_terms=35.0, dbt_trend_days=12.0,
                              partial_payment_share=0.4, max_days_past_due=45, overdue_share=0.3)
GERMANY = CountryRisk("DE", None, 0, "not classified by the OECD: treated as class 0")
ARGENTINA = CountryRisk("AR", 7, 7, "OECD class 7")
WEAK_EQUITY = Reason("Attr10", "equity to total assets", "raises", 0.8, -0.05)


def test_accounts_and_history_give_high_confidence() -> None:
    g = combine(RiskInputs(AS_OF, 0.02, (WEAK_EQUITY,), 200, GOOD_PAYER, GERMANY, "C28"))
    assert g.confidence == "high" and g.pd_12m < 0.02 and g.grade == 5
    assert g.reasons[0].code == "Attr10"


def test_buyer_without_accounts_is_graded_with_low_confidence() -> None:
    g = combine(RiskInputs(AS_OF, country=GERMANY, sector="C"))
    assert g.confidence == "low" and g.pd_12m == round(TYPICAL_PD, 6)
    assert g.reasons[0].code == "accounts.missing"
    assert combine(RiskInputs(AS_OF, behaviour=GOOD_PAYER, country=GERMANY)).confidence == "medium"


def test_late_paying_buyer_in_a_risky_country_grades_worse() -> None:
    base = combine(RiskInputs(AS_OF, 0.02, (), 200, GOOD_PAYER, GERMANY, "C"))
    worse = combine(RiskInputs(AS_OF, 0.02, (), 200, LATE_PAYER, ARGENTINA, "F41"))
    assert worse.pd_12m > 4 * base.pd_12m and worse.grade >= base.grade + 2
    codes = {r.code for r in worse.reasons}
    assert {"payment.days_beyond_terms", "country.oecd_class"} <= codes
    assert all(r.direction == "raises" for r in worse.reasons)


def test_a_buyer_that_stopped_paying_is_in_default_grade_ten() -> None:
    defaulted = PaymentBehaviour(invoices_paid=10, avg_days_beyond_terms=60, max_days_past_due=120,
                                 overdue_share=0.8, overdue_90_share=0.7, invoices_paid_90d=0)
    still_paying = PaymentBehaviour(invoices_paid=10, avg_days_beyond_terms=60, max_days_past_due=120,
                                    overdue_share=0.8, overdue_90_share=0.7, invoices_paid_90d=3)
    assert combine(RiskInputs(AS_OF, 0.005, (), 100, still_paying)).grade < 10
    g = combine(RiskInputs(AS_OF, 0.005, (), 100, defaulted))
    assert g.grade == 10 and g.pd_12m == 1.0 and g.reasons[0].code == "default.event"
    assert combine(RiskInputs(AS_OF, 0.005, insolvent=True)).grade == 10


def test_stale_accounts_lower_confidence() -> None:
    g = combine(RiskInputs(AS_OF, 0.02, (), 900, None))
    assert g.confidence == "low" and any(r.code == "accounts.stale" for r in g.reasons)


@given(st.floats(0, 0.5), st.floats(0, 80), st.floats(0, 40), st.integers(0, 7))
def test_paying_later_never_lowers_the_pd(fin: float, dbt: float, extra: float, cls: int) -> None:
    country = CountryRisk("XX", cls, cls, "test")
    early = combine(RiskInputs(AS_OF, fin, (), 100, PaymentBehaviour(12, dbt), country))
    late = combine(RiskInputs(AS_OF, fin, (), 100, PaymentBehaviour(12, dbt + extra), country))
    assert late.pd_12m >= early.pd_12m
    assert 0 <= early.pd_12m <= 1


def test_disputes_and_credit_notes_raise_the_pd() -> None:
    calm = PaymentBehaviour(invoices_paid=20, avg_days_beyond_terms=5.0)
    quarrelsome = PaymentBehaviour(invoices_paid=20, avg_days_beyond_terms=5.0, disputed_share=0.3,
                                   credit_note_share=0.2)
    a = combine(RiskInputs(AS_OF, 0.02, (), 100, calm))
    b = combine(RiskInputs(AS_OF, 0.02, (), 100, quarrelsome))
    assert b.pd_12m > a.pd_12m
    assert {"payment.disputes", "payment.credit_notes"} <= {r.code for r in b.reasons}


def test_prior_shift_rebases_to_the_portfolio_rate() -> None:
    """Sample 7 %, portfolio 1 %: odds × (0.01/0.99)/(0.07/0.93) ≈ 0.134; the base rate itself maps onto 1 %."""
    prior = PriorShift(0.07, 0.01)
    assert math.isclose(prior.apply(0.07), 0.01, rel_tol=1e-9)
    assert math.isclose(prior.shift, math.log((0.01 / 0.99) / (0.07 / 0.93)))
    sample = combine(RiskInputs(AS_OF, 0.05, (), 100, GOOD_PAYER, GERMANY))
    rebased = combine(RiskInputs(AS_OF, 0.05, (), 100, GOOD_PAYER, GERMANY), prior=prior)
    assert rebased.pd_12m < sample.pd_12m and rebased.grade < sample.grade
    assert rebased.financial_pd == 0.05  # the model's own PD is kept
    with pytest.raises(ValidationError):
        PriorShift(0.07, 0.0)


@given(st.floats(0.001, 0.999), st.floats(0.001, 0.5), st.floats(0.001, 0.5), st.floats(0.001, 0.999))
def test_prior_shift_keeps_the_order_and_undoes_itself(p: float, pi: float, pi2: float, q: float) -> None:
    there = PriorShift(pi, pi2)
    back = PriorShift(pi2, pi)
    assert math.isclose(back.apply(there.apply(p)), p, rel_tol=1e-6, abs_tol=1e-9)
    if p < q:
        assert there.apply(p) <= there.apply(q)
