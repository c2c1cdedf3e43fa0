"""Collections: dunning policy and runs, worklist, promises, disputes, cases, write-off, statements sent."""

from arguard.platform.registry import Capability, CliCommand, DemoStepRef, Nav, Panel

CAPABILITY = Capability(
    name="collections",
    api=("arguard.collections.api:router",),
    web=("arguard.collections.web:router",),
    cli="arguard.collections.cli:register",
    cli_commands=(
        CliCommand('collections', 'Dunning, worklist, promises, disputes, cases, write-offs, statements.'),
    ),
    tables="arguard.collections.tables",
    migrations="collections",
    nav=(Nav("/collections", "collections.nav", 70),),
    panels=(Panel("collections/customer_panel.html", "arguard.collections.web:customer_panel", 70),),
    translations=("arguard.collections.messages:MESSAGES",),
    demo=(DemoStepRef("collections", "arguard.collections.demo:build", 60),),
)
