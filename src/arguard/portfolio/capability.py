"""Portfolio: the receivables book's correlated-default loss distribution, with and without insurance."""

from arguard.platform.registry import Capability

CAPABILITY = Capability(
    name="portfolio",
    cli="arguard.portfolio.cli:register",
)
