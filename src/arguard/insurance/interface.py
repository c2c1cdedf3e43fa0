"""The credit insurance capability's front door: what other capabilities may ask of it.

- `insured_exposure(ctx, code, as_of)`: a buyer's exposure, net insured part, uninsured rest and
  stop-supply date under the policy in force (the credit check's uninsured exposure);
- `stop_supply_of(ctx, code)`: the day a buyer has been on stop supply since (None: it is not) — its
  orders are then held through limits' order block (`sync_stop_supply`, run by `insurance monitor`);
- `obligations(ctx, as_of)`: the obligations answer of the policy in force (the `insurance check` JSON).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from arguard.insurance.service import check, get_policy, insured_exposure, stop_supply_of, sync_stop_supply
from arguard.platform.context import ServiceContext


def obligations(ctx: ServiceContext, as_of: date, policy_number: str | None = None) -> dict[str, Any]:
    return check(ctx, get_policy(ctx, policy_number, as_of), as_of)


__all__ = ["insured_exposure", "obligations", "stop_supply_of", "sync_stop_supply"]
