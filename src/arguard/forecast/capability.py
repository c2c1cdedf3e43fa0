"""Cash-in forecast and bad-debt provisions: payment-date prediction, weekly receipts with bands,
backtests, the IFRS 9 provision matrix."""

from arguard.platform.registry import Capability, Nav

CAPABILITY = Capability(
    name="forecast",
    api=("arguard.forecast.api:router",),
    web=("arguard.forecast.web:router",),
    cli="arguard.forecast.cli:register",
    tables="arguard.forecast.tables",
    migrations="forecast",
    nav=(Nav("/forecast", "forecast.nav", 75),),
    translations=("arguard.forecast.messages:MESSAGES",),
)
