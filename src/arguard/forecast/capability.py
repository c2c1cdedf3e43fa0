"""Cash-in forecast and bad-debt provisions: payment-date prediction, weekly receipts with bands,
backtests, the IFRS 9 provision matrix."""

from arguard.platform.registry import Capability

CAPABILITY = Capability(
    name="forecast",
    cli="arguard.forecast.cli:register",
    tables="arguard.forecast.tables",
    migrations="forecast",
)
