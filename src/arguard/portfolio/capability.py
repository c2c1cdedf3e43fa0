"""Portfolio: the receivables book's correlated-default loss distribution, with and without insurance."""

from arguard.platform.registry import Capability, CliCommand, DemoStepRef, Nav

CAPABILITY = Capability(
    name="portfolio",
    api=("arguard.portfolio.api:router",),
    web=("arguard.portfolio.web:router",),
    cli="arguard.portfolio.cli:register",
    cli_commands=(
        CliCommand('portfolio', 'Portfolio credit loss: distribution, VaR/ES, value of insurance.'),
    ),
    tables="arguard.portfolio.tables",
    migrations="portfolio",
    nav=(Nav("/portfolio", "portfolio.nav", 90),),
    translations=("arguard.portfolio.messages:MESSAGES",),
    demo=(DemoStepRef("portfolio", "arguard.portfolio.demo:build", 90),),
)
