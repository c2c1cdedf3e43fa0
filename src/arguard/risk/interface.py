"""The risk capability's front door: what other capabilities may ask of it (newest grades, PDs).

Other capabilities import `arguard.risk.interface` and `arguard.risk.model` only.
"""

from collections.abc import Sequence

from sqlalchemy import func, select

from arguard.ledger.interface import customer_codes
from arguard.platform.context import ServiceContext
from arguard.risk.service import buyer_risk, grade_buyers, portfolio, regrade_buyer
from arguard.risk.tables import BuyerGrade


def newest_grades(ctx: ServiceContext, customer_ids: Sequence[int] | None = None) -> dict[str, tuple[int, float]]:
    """Every graded buyer's newest grade and 12-month PD, {customer code: (grade, pd_12m)}, in one query
    (for work lists and dunning runs over every buyer); of the customers `customer_ids` only when given
    (a page of a work list)."""
    grouped = select(BuyerGrade.customer_id, func.max(BuyerGrade.id).label("id")).where(
        BuyerGrade.company_id == ctx.company_id)
    if customer_ids is not None:
        grouped = grouped.where(BuyerGrade.customer_id.in_(list(customer_ids)))
    newest = grouped.group_by(BuyerGrade.customer_id).subquery()
    q = select(BuyerGrade.customer_id, BuyerGrade.grade, BuyerGrade.pd_12m).join(newest, BuyerGrade.id == newest.c.id)
    rows = ctx.session.execute(q).all()
    codes = customer_codes(ctx, [cid for cid, _, _ in rows])
    return {codes[cid]: (int(grade), float(pd)) for cid, grade, pd in rows if cid in codes}


__all__ = ["buyer_risk", "grade_buyers", "newest_grades", "portfolio", "regrade_buyer"]

# Issue 12: a default reported by an event decides the grade at once (risk README rules 13–14).
from arguard.risk.service_flags import DEFAULT_EVENTS, default_flags, flag_default, lift_default

__all__ += ["DEFAULT_EVENTS", "default_flags", "flag_default", "lift_default"]

# What limits reads of risk (issue 10: the newest grade, accounts and country class, no risk tables).
from arguard.risk.reads import (
    NewestAccounts,
    NewestGrade,
    country_class,
    newest_accounts,
    newest_grade,
    newest_grade_select,
)

__all__ += ["NewestAccounts", "NewestGrade", "country_class", "newest_accounts", "newest_grade",
            "newest_grade_select"]

# Issue 16: batch scoring split across Dask workers, same answer as in-process (small addition).
from arguard.risk.scaleout import score_frame_on_dask

__all__ += ["score_frame_on_dask"]

# Issue 14: an insurer's underwriter sees the newest grading (grade, PD, top reasons) of the buyers asked for.
from arguard.risk.reads import newest_gradings

__all__ += ["newest_gradings"]

# Issue 14: the recommended limits of many buyers at once read their newest grades and accounts in bulk.
from arguard.risk.reads import newest_accounts_of_buyers, newest_grade_of_buyers

__all__ += ["newest_accounts_of_buyers", "newest_grade_of_buyers"]
