"""Limits and the order credit check."""

from arguard.platform.registry import Capability, CliCommand, DemoStepRef, Nav, Panel

CAPABILITY = Capability(
    name="limits",
    # The order credit check first: a request walks the routes in this order until one matches, and
    # that route is the one called many times a second.
    api=("arguard.limits.api:check_router", "arguard.limits.api:router"),
    web=("arguard.limits.web:router",),
    cli="arguard.limits.cli:register",
    cli_commands=(
        CliCommand('check', "Check one sales order against the buyer's limit: release, hold, prepayment, guarantee or shorter terms."),
        CliCommand('limits', 'Credit limits, exposure, the order credit check and payment terms.'),
    ),
    tables="arguard.limits.tables",
    migrations="limits",
    nav=(Nav("/limits", "nav.limits", 40), Nav("/limits/holds", "nav.holds", 42)),
    panels=(Panel("limits/customer_panel.html", "arguard.limits.web:limit_panel", 50),),
    translations=("arguard.limits.messages:MESSAGES",),
    demo=(DemoStepRef("limits", "arguard.limits.demo:limits_demo", 40),),
)
