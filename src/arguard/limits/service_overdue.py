"""How long a buyer has been overdue, for the order check, the terms advice and the exposure view
(limits rule 42): the oldest **material** overdue item — the ledger's materiality rule decides which
leftovers do not count (`ledger.interface.material_overdue`, ledger rule 12)."""

from __future__ import annotations

from datetime import date

from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext


def oldest_material_overdue_days(ctx: ServiceContext, customer_id: int, as_of: date, *,
                                 anything_overdue: bool = True) -> int:
    """Days past due of the buyer's oldest material overdue item (0: none). `anything_overdue`: False when
    the caller already knows that no open item is past due (the ledger is then not asked)."""
    if not anything_overdue:
        return 0
    found = ledger.material_overdue(ctx, as_of, [customer_id]).get(customer_id)
    return found.oldest_days(as_of) if found is not None else 0
