"""A member's limit against its group's (limits rules 43–44). Pure.

43. A group member's own limit should not exceed the limit of its group (the group parent's limit in
    force): the group limit caps what the whole group may owe, so a member above it can never use its
    own limit in full without breaching the group's. Such a member is flagged — in the recommendation
    (a note, and the group limit is a bound), in every order check (a reason that does not stop the
    order by itself: the group's own exposure check does that) and on the customer page's limits panel.
44. A member without a limit of its own, or a group without a limit, is not flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

from arguard.core.money import Money
from arguard.limits.model import Bound, Reason


@dataclass(frozen=True, slots=True)
class GroupLimitFlag:
    """The member `customer_code` has a limit of `member_limit`, above `group_limit` of its group
    (parent `parent_code`); `excess` is the difference (same currency: the limit currency)."""

    customer_code: str
    parent_code: str
    member_limit: Money
    group_limit: Money

    @property
    def excess(self) -> Money:
        return self.member_limit - self.group_limit

    def message(self) -> str:
        return (f"limit {self.member_limit} above its group {self.parent_code}'s limit {self.group_limit} "
                f"(by {self.excess})")


def group_limit_flag(customer_code: str, parent_code: str | None, member_limit: Money | None,
                     group_limit: Money | None) -> GroupLimitFlag | None:
    """The flag of rule 43, or None (rule 44; a buyer that is its own parent is no member)."""
    if not parent_code or parent_code == customer_code or member_limit is None or group_limit is None:
        return None
    if member_limit.currency != group_limit.currency or member_limit.amount <= group_limit.amount:
        return None
    return GroupLimitFlag(customer_code, parent_code, member_limit, group_limit)


def group_reason(flag: GroupLimitFlag) -> Reason:
    """The order check's note for a flagged member (outcome 'release': it alone does not stop an order)."""
    return Reason("group.member_limit_above_group", "release", flag.message(),
                  {"parent": flag.parent_code, "limit": str(flag.member_limit.amount),
                   "group_limit": str(flag.group_limit.amount), "excess": str(flag.excess.amount)})


def group_bound(parent_code: str, group_limit: Money) -> Bound:
    """The recommendation's bound: a member is recommended at most its group's limit."""
    return Bound("group", group_limit, f"group {parent_code} limit {group_limit}")
