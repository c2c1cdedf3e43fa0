"""The risk capability's front door: what other capabilities may ask of it (newest grades, PDs).

Other capabilities import `arguard.risk.interface` and `arguard.risk.model` only.
"""

from sqlalchemy import func, select

from arguard.ledger.tables import Customer
from arguard.platform.context import ServiceContext
from arguard.risk.service import buyer_risk, grade_buyers, portfolio, regrade_buyer
from arguard.risk.tables import BuyerGrade


def newest_grades(ctx: ServiceContext) -> dict[str, tuple[int, float]]:
    """Every graded buyer's newest grade and 12-month PD, {customer code: (grade, pd_12m)}, in one query
    (for work lists and dunning runs over every buyer)."""
    newest = (select(BuyerGrade.customer_id, func.max(BuyerGrade.id).label("id"))
              .where(BuyerGrade.company_id == ctx.company_id).group_by(BuyerGrade.customer_id).subquery())
    q = (select(Customer.code, BuyerGrade.grade, BuyerGrade.pd_12m).join(newest, BuyerGrade.id == newest.c.id)
         .join(Customer, Customer.id == BuyerGrade.customer_id))
    return {code: (int(grade), float(pd)) for code, grade, pd in ctx.session.execute(q)}


__all__ = ["buyer_risk", "grade_buyers", "newest_grades", "portfolio", "regrade_buyer"]

# Issue 12: a default reported by an event decides the grade at once (risk README rules 12–13).
from arguard.risk.service_flags import DEFAULT_EVENTS, default_flags, flag_default, lift_default  # noqa: E402

__all__ += ["DEFAULT_EVENTS", "default_flags", "flag_default", "lift_default"]
