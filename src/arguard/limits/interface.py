"""The limits capability's front door: credit view, exposure, limits in force, order blocks.

Other capabilities import `arguard.limits.interface` and `arguard.limits.model` only.
"""

from arguard.limits.service import buyer_exposure
from arguard.limits.service_limits import limit_history, request_review, set_collections, set_order_block

__all__ = ["buyer_exposure", "limit_history", "request_review", "set_collections", "set_order_block"]
