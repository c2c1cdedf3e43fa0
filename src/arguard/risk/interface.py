"""The risk capability's front door: what other capabilities may ask of it (newest grades, PDs).

Other capabilities import `arguard.risk.interface` and `arguard.risk.model` only.
"""

from arguard.risk.service import buyer_risk, grade_buyers, portfolio, regrade_buyer

__all__ = ["buyer_risk", "grade_buyers", "portfolio", "regrade_buyer"]
