"""The limits capability's service layer in one import for its shell (api, cli, web, demo) and tests.

The work is split by job, and each module imports `service_base`, never this façade, so that any of
them can be imported alone (`python -c "import arguard.limits.service_limits"`):

- `service_base`: settings (policy, appetite), dated rates, buyer locks, exposure, the order check's
  statements and their caches;
- `service_limits`: limit requests and decisions, buyer state, recommendation and terms;
- `service_orders`: the order credit check and the order lifecycle, the hold queue;
- `service_reports`: exposure report, buyer status, recent decisions.
"""

from arguard.limits.service_base import *
from arguard.limits.service_limits import (  # noqa: F401
    DecisionInput,
    buyer_profile,
    country_class,
    decide_limit,
    decision_inputs,
    import_decisions,
    import_expected_sales,
    limit_history,
    open_requests,
    recommend,
    request_limit,
    request_review,
    set_collections,
    set_expected_sales,
    set_order_block,
    terms_advice,
)
from arguard.limits.service_orders import (  # noqa: F401
    CheckAnswer,
    OrderCheck,
    cancel_order,
    check_order,
    hold_queue,
    import_orders,
    list_orders,
    reject_order,
    release_order,
    ship_order,
)
from arguard.limits.service_reports import (  # noqa: F401
    buyer_pd,
    buyer_status,
    customer_codes,
    exposure_report,
    recent_decisions,
    recommendation_json,
)
