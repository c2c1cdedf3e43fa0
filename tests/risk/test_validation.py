"""The overlay validation against a hidden truth: buyers in default are left out, each part is scored,
and the fitted multipliers recover weights that are too strong or too weak."""

from datetime import date

import numpy as np

from arguard.risk.combine import logit
from arguard.risk.demo import overlay_validation
from arguard.risk.model import CountryRisk, PaymentBehaviour, RiskInputs

SEED = 11


def test_overlay_validation_on_a_made_up_world() -> None:
    """Hidden log-odds = accounts + 2 × country effect: the fit must ask for twice the country weight and
    no payment weight (lateness here is noise)."""
    rng = np.random.default_rng(SEED)
    print(f"seed {SEED}")
    n = 400
    fin = rng.uniform(0.002, 0.2, n)
    classes = rng.integers(0, 8, n)
    late = rng.uniform(0, 40, n)
    hidden_logit = np.array([logit(p) for p in fin]) + 2 * 0.15 * classes
    hidden = 1 / (1 + np.exp(-hidden_logit))
    inputs = [RiskInputs(date(2026, 6, 30), float(f), (), 100, PaymentBehaviour(12, float(d)),
                         CountryRisk("XX", int(c), int(c), "test"), "C") for f, c, d in zip(fin, classes, late, strict=True)]
    stopped = PaymentBehaviour(12, 90, max_days_past_due=200, overdue_90_share=0.9, invoices_paid_90d=0)
    inputs.append(RiskInputs(date(2026, 6, 30), 0.01, (), 100, stopped))
    out = overlay_validation(inputs, np.r_[hidden, 0.5], np.r_[hidden > 0.2, True], typical_pd=0.01)
    assert out["buyers"] == n and out["left_out_in_default"] == 1
    assert abs(out["multipliers"]["country"] - 2) < 0.05 and abs(out["multipliers"]["anchor"] - 1) < 0.05
    assert abs(out["multipliers"]["payment"]) < 0.05
    v = out["variants"]
    assert v["anchor + country"]["spearman_hidden_pd"] > v["anchor only"]["spearman_hidden_pd"]
    assert v["anchor + payment"]["spearman_hidden_pd"] < v["anchor only"]["spearman_hidden_pd"]
