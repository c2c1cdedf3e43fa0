"""The limits capability's front door: credit view, exposure, limits in force, order blocks.

Other capabilities import `arguard.limits.interface` and `arguard.limits.model` only.
"""

from datetime import date

from arguard.limits import service_limits as _limits
from arguard.limits.model import BuyerCredit, LimitDecision, LimitReview
from arguard.limits.service_base import buyer_exposure, decision_record
from arguard.limits.tables import BuyerCreditState as _BuyerCreditState
from arguard.platform.context import ServiceContext

__all__ = ["BuyerCredit", "LimitDecision", "LimitReview", "buyer_exposure", "limit_history", "request_review",
           "set_collections", "set_order_block"]

# Answers are frozen records (model.py), never the ORM rows (issue 10; tests/test_architecture.py).


def limit_history(ctx: ServiceContext, code: str) -> list[LimitDecision]:
    """Every limit decision of the buyer, in the order recorded."""
    return [decision_record(r) for r in _limits.limit_history(ctx, code)]


def request_review(ctx: ServiceContext, customer_code: str, reason: str, cause: str | None = None,
                   on: date | None = None) -> LimitReview:
    """Monitoring reaction: open a limit review for the buyer (one open review per cause)."""
    r = _limits.request_review(ctx, customer_code, reason, cause, on)
    return LimitReview(r.id, customer_code, r.kind, r.requested_on, r.reason, r.cause)


def _credit(customer_code: str, s: _BuyerCreditState) -> BuyerCredit:
    return BuyerCredit(customer_code, bool(s.order_block), s.block_reason, bool(s.in_collections),
                       s.collections_reason)


def set_order_block(ctx: ServiceContext, customer_code: str, blocked: bool, reason: str,
                    cause: str | None = None) -> BuyerCredit:
    """Monitoring reaction (or a credit manager): hold every new order of the buyer, or lift the hold."""
    return _credit(customer_code, _limits.set_order_block(ctx, customer_code, blocked, reason, cause))


def set_collections(ctx: ServiceContext, customer_code: str, in_collections: bool, reason: str) -> BuyerCredit:
    """Mark the buyer as in collections (until a collections capability reports it itself)."""
    return _credit(customer_code, _limits.set_collections(ctx, customer_code, in_collections, reason))

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
