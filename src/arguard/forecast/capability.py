"""Cash-in forecast and bad-debt provisions: payment-date prediction, weekly receipts with bands,
backtests, the IFRS 9 provision matrix."""

from arguard.platform.registry import Capability, CliCommand, DemoStepRef, Nav

CAPABILITY = Capability(
    name="forecast",
    api=("arguard.forecast.api:router",),
    web=("arguard.forecast.web:router",),
    cli="arguard.forecast.cli:register",
    cli_commands=(
        CliCommand('provisions', 'IFRS 9 provision matrix (roll rates), PD × LGD × EAD per buyer, movement and journal proposal.'),
        CliCommand('forecast', 'Cash-in forecast: payment dates, weekly receipts, backtests.'),
    ),
    tables="arguard.forecast.tables",
    migrations="forecast",
    nav=(Nav("/forecast", "forecast.nav", 75),),
    translations=("arguard.forecast.messages:MESSAGES",),
    demo=(DemoStepRef("forecast", "arguard.forecast.demo:save_last_month_provision", 90),),
)
