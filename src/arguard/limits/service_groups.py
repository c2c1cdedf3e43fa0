"""A buyer's group limits as of a date, for the recommendation and the limits panel (rules 43–44)."""

from __future__ import annotations

from datetime import date
from typing import Any

from arguard.core.errors import NotFound
from arguard.core.money import Money
from arguard.limits.groups import GroupLimitFlag, group_limit_flag
from arguard.platform.context import ServiceContext


def group_limits(ctx: ServiceContext, customer: Any, on: date) -> tuple[str, Money | None, Money | None] | None:
    """(parent code, the member's own limit in force, its group's limit in force) on `on`; None when the
    buyer belongs to no group (no parent, or it is the parent)."""
    from arguard.limits.service_base import customer_by_code, line_of

    parent_code = getattr(customer, "parent_code", None)
    if not parent_code or parent_code == customer.code:
        return None
    try:
        parent = customer_by_code(ctx, parent_code)
    except NotFound:  # the parent is not a customer (yet): no group limit
        return parent_code, line_of(ctx, customer.id, on).amount, None
    return parent_code, line_of(ctx, customer.id, on).amount, line_of(ctx, parent.id, on).amount


def group_flag(ctx: ServiceContext, customer: Any, on: date) -> GroupLimitFlag | None:
    found = group_limits(ctx, customer, on)
    return None if found is None else group_limit_flag(customer.code, found[0], found[1], found[2])
