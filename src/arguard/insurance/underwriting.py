"""Where an insurer's underwriter and the risk engine disagree (pure: no database, clock or files).

1. `approved_above_recommendation`: the insurer granted (approved, partly approved, conditional, reduced)
   more than the limits capability recommends for the buyer.
2. `requested_above_recommendation`: the seller asked the insurer for more than the recommendation.
3. `weak_grade_with_cover`: the buyer's newest grade is 8–10 (weak, very weak, in default) while cover is
   in force on the view's date.

Amounts in different currencies are not compared (no flag from them).
"""

from __future__ import annotations

from arguard.core.money import Money

WEAK_GRADE = 8
"""Grades from here on (8 weak … 10 insolvent or in default) should not carry cover without a second look."""
GRANTING = ("approved", "partly_approved", "conditional", "reduced")
"""Decisions that grant an amount (refused and cancelled grant none)."""


def _above(amount: Money | None, than: Money | None) -> bool:
    return (amount is not None and than is not None and amount.currency == than.currency
            and amount.amount > than.amount)


def disagreements(*, status: str, requested: Money | None, decided: Money | None, recommended: Money | None,
                  grade: int | None, cover_now: Money | None) -> tuple[str, ...]:
    """The flags of one request/decision, in the order of `model.UNDERWRITING_FLAGS`."""
    flags = []
    if status in GRANTING and _above(decided, recommended):
        flags.append("approved_above_recommendation")
    if _above(requested, recommended):
        flags.append("requested_above_recommendation")
    if grade is not None and grade >= WEAK_GRADE and cover_now is not None and cover_now.amount > 0:
        flags.append("weak_grade_with_cover")
    return tuple(flags)
