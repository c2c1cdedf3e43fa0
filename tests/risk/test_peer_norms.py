"""Lateness is judged against the buyer's country (risk README rule 16): the usual days beyond terms of
the seller's buyers there are excused, up to 30 days; lateness beyond them counts as before."""

from __future__ import annotations

from arguard.risk.combine import PEER_ALLOWANCE_DAYS, country_norms, payment_reasons
from arguard.risk.model import PaymentBehaviour


def paying(dbt: float, paid: int = 12, peer: float | None = None) -> PaymentBehaviour:
    """A buyer whose lateness grows a little (10 days over 90): not a steady slow payer, so only its
    country's habit excuses lateness here (the steady payer's allowance, rule 17: test_slow_payers)."""
    return PaymentBehaviour(invoices_paid=paid, avg_days_beyond_terms=dbt, peer_days_beyond_terms=peer,
                            dbt_trend_days=10.0)


def impact(b: PaymentBehaviour) -> float:
    """The log-odds effect of the buyer's lateness (0 when it raises no reason)."""
    return next((r.impact for r in payment_reasons(b) if r.code in ("payment.days_beyond_terms", "payment.on_time")),
                0.0)


def test_country_norm_is_the_median_of_buyers_with_history() -> None:
    rows = [("IT", paying(d)) for d in (20, 25, 30, 35, 40)] + [("IT", paying(200, paid=2))]
    rows += [("DE", paying(d)) for d in (1, 2, 3)]  # too few German buyers for a norm
    assert country_norms(rows) == {"IT": 30.0}


def test_habitual_lateness_is_excused_lateness_beyond_it_is_not() -> None:
    assert impact(paying(30, peer=30)) == 0.0                         # as late as its country's buyers
    assert impact(paying(30)) > 1.0                                   # no norm known: as before
    assert impact(paying(60, peer=30)) == impact(paying(30))           # 30 days beyond the habit
    capped = paying(120, peer=90)                                      # a habit never excuses more than 30
    assert impact(capped) == impact(paying(120 - PEER_ALLOWANCE_DAYS))
    label = next(r.label for r in payment_reasons(paying(60, peer=30)) if r.code == "payment.days_beyond_terms")
    assert "30 usual in its country" in label
    assert impact(paying(1, peer=30)) < 0                              # on time is still on time
