"""The collections capability's front door: what other capabilities may ask of it.

- `dunning_history(ctx, code, as_of)`: the dunning letters, e-mails, calls and hand-overs of recorded runs
  and the contacts logged with a buyer, oldest first (`model.DunningStep`) — the claim file of a credit
  insurance claim lists them;
- `promises(ctx, code, as_of)`: its promises to pay (`model.PromiseRecord`);
- `disputes(ctx, code, as_of)`: its disputes (`model.DisputeRecord`).

Other capabilities import `arguard.collections.interface` and `arguard.collections.model` only.
"""

from arguard.collections.model import DisputeRecord, DunningStep, PromiseRecord
from arguard.collections.reads import disputes, dunning_history, letter_reference, promises

__all__ = ["DisputeRecord", "DunningStep", "PromiseRecord", "disputes", "dunning_history", "letter_reference",
           "promises"]
