"""Imports every capability's table module so that metadata (and Alembic) sees them all.

Each capability adds one line here for its own `tables` module.
"""

import arguard.platform.tables  # noqa: F401
import arguard.ledger.tables  # noqa: F401
import arguard.limits.tables  # noqa: F401
import arguard.demo.tables  # noqa: F401
import arguard.monitor.tables  # noqa: F401
import arguard.risk.tables  # noqa: F401
import arguard.recon.tables  # noqa: F401
