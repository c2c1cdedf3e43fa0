"""Records of an open item's history (pure): what collections needs to charge interest on a balance that
changed over time, seen as the ledger stood on a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from arguard.core.money import Money
from arguard.ledger.model import OpenItem


@dataclass(frozen=True, slots=True)
class ItemHistory:
    """An open document as of a date, whether the buyer disputes it (today's flag), and every dated change
    of its open amount on or before that date: payments applied, credit notes applied, write-offs and
    amounts settled before import (positive: less is owed; a reversal is negative).
    item.amount − Σ reductions = item.open."""

    item: OpenItem
    disputed: bool
    reductions: tuple[tuple[date, Money], ...] = ()
