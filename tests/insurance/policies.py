"""Policies and tiny ledgers written as text, for the insurance tests."""

from __future__ import annotations

from datetime import date

from arguard.insurance.model import InsuredBuyer, InsuredItem, Policy
from arguard.insurance.policy_io import load_policy_text

POLICY_YAML = """
policy_number: P-1
insurer: Example Credit Insurance AG
currency: EUR
period: {start: 2026-01-01, end: 2026-12-31}
indemnity_pct: {commercial: 90, political: 95}
max_credit_period_days: 120
max_extension_days: 60
overdue_notification_days: 30
adverse_event_notification_days: 10
claim_filing_days: 60
waiting_period_days: 150
insolvency_payout_days: 30
deductible_per_claim: 500
aggregate_first_loss: 5000
non_qualifying_loss: 1000
max_liability: {multiple_of_premium: 30}
premium: {rate_pct: 0.25, minimum: 2000, declaration: quarterly, buyer_fee: "15.00"}
discretionary_limit: {max_amount: 20000, conditions: [credit report under 12 months, no overdue > 60 days]}
exclusions: {countries: [RU], affiliates: true, public_buyers: true, private_persons: true, buyers: [SISTER]}
political_countries: [AR]
"""


def policy(text: str = POLICY_YAML, **replace: str) -> Policy:
    for key, value in replace.items():
        lines = [ln for ln in text.splitlines() if not ln.startswith(f"{key}:")]
        text = "\n".join(lines) + f"\n{key}: {value}\n"
    p, issues = load_policy_text(text, "test.yaml")
    assert p is not None, issues
    return p


def cents(amount: str) -> int:
    whole, _, frac = amount.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2]) * (1 if not whole.startswith("-") else -1)


def items(text: str) -> list[InsuredItem]:
    """One line per open invoice: `number buyer delivered due open [disputed]`."""
    out = []
    for raw in text.strip().splitlines():
        w = raw.split()
        out.append(InsuredItem(w[0], w[1], date.fromisoformat(w[2]), date.fromisoformat(w[3]), cents(w[4]),
                               "disputed" in w[5:]))
    return out


def buyer(code: str, country: str = "DE", limit: str | None = None, since: str = "2026-01-01", **kw: object,
          ) -> InsuredBuyer:
    cover = () if limit is None else ((date.fromisoformat(since), None, cents(limit)),)
    return InsuredBuyer(code=code, country=country, cover=cover, **kw)  # type: ignore[arg-type]
