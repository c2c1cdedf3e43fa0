"""The credit insurance capability's front door: what other capabilities may ask of it.

- `insured_exposure(ctx, code, as_of)`: a buyer's exposure, net insured part, uninsured rest and
  stop-supply date under the policy in force (the credit check's uninsured exposure);
- `stop_supply_of(ctx, code)`: the day a buyer has been on stop supply since (None: it is not) — its
  orders are then held through limits' order block (`sync_stop_supply`, run by `insurance monitor`);
- `obligations(ctx, as_of)`: the obligations answer of the policy in force (the `insurance check` JSON);
- `insured_book(ctx, as_of)`: every buyer's net insured exposure at once (forecast and provisions), or
  None without a policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from arguard.insurance.service import check, get_policy, insured_exposure, stop_supply_of, sync_stop_supply
from arguard.platform.context import ServiceContext


@dataclass(frozen=True, slots=True)
class InsuredBook:
    """Net insured exposure per buyer (covered open amounts × indemnity %, minor units of `currency`) under
    the policy in force, and the policy's waiting period before a protracted-default claim is paid."""

    policy_number: str
    currency: str
    waiting_period_days: int
    net_insured_minor: dict[str, int]


def insured_book(ctx: ServiceContext, as_of: date) -> InsuredBook | None:
    """`insured_exposure` for every buyer with open invoices, from one read of the items; None when no
    policy is loaded."""
    from arguard.core.errors import NotFound
    from arguard.insurance import rules
    from arguard.insurance.service import insured_buyers, insured_items

    try:
        policy = get_policy(ctx, None, as_of)
    except NotFound:
        return None
    items, countries, _ = insured_items(ctx, policy, as_of)
    net = rules.net_insured_book(policy, insured_buyers(ctx, policy, as_of, countries), items, as_of)
    return InsuredBook(policy.policy_number, policy.currency, policy.waiting_period_days, net)


def policy_in_force(ctx: ServiceContext, as_of: date, policy_number: str | None = None) -> Any:
    """The stored policy (`arguard.insurance.model.Policy`) by number, else the one in force on `as_of`;
    None when no policy is loaded (the portfolio's insurance value reads its terms)."""
    from arguard.core.errors import NotFound

    try:
        return get_policy(ctx, policy_number, as_of)
    except NotFound:
        if policy_number is not None:
            raise
        return None


def obligations(ctx: ServiceContext, as_of: date, policy_number: str | None = None) -> dict[str, Any]:
    return check(ctx, get_policy(ctx, policy_number, as_of), as_of)


__all__ = ["InsuredBook", "insured_book", "insured_exposure", "obligations", "policy_in_force", "stop_supply_of",
           "sync_stop_supply"]
