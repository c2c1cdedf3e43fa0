"""The limits capability's front door: credit view, exposure, limits in force, order blocks.

Other capabilities import `arguard.limits.interface` and `arguard.limits.model` only.
"""

from arguard.limits.service_base import buyer_exposure
from arguard.limits.service_limits import limit_history, request_review, set_collections, set_order_block

__all__ = ["buyer_exposure", "limit_history", "request_review", "set_collections", "set_order_block"]

# Credit insurance (issue 14): insurer cover as dated spans; insurer decisions recorded as limit decisions.
from arguard.limits.service_cover import cover_spans, decide_cover, request_cover

__all__ += ["cover_spans", "decide_cover", "request_cover"]

# Monitoring's reactions (issue 10: called here with their real signatures, not through importlib).
from arguard.limits.service_limits import open_reviews_by_buyer

__all__ += ["open_reviews_by_buyer"]

# Monitoring's snapshots (issue 10): many buyers' limit in force and order parts in one call.
from arguard.limits.model import CreditPosition
from arguard.limits.positions import credit_positions

__all__ += ["CreditPosition", "credit_positions"]

# Credit insurance (issue 14): an underwriter's view of insured-limit requests with the recommendation.
from arguard.limits.model import CoverRecord, Recommendation
from arguard.limits.service_cover import cover_records, recommended_limits

__all__ += ["CoverRecord", "Recommendation", "cover_records", "recommended_limits"]
