"""Reconciliation: bank statements, matching, cash application."""

from arguard.platform.registry import Capability, CliCommand, DemoStepRef, Nav

CAPABILITY = Capability(
    name="recon",
    api=("arguard.recon.api:router",),
    web=("arguard.recon.web:router",),
    cli="arguard.recon.cli:register",
    cli_commands=(
        CliCommand('recon', 'Reconciliation: bank statements and cash application (电子化对账).'),
    ),
    tables="arguard.recon.tables",
    migrations="recon",
    nav=(Nav("/recon/review", "recon.nav", 50),),
    translations=("arguard.recon.messages:MESSAGES",),
    demo=(DemoStepRef("recon", "arguard.recon.demo:recon_demo", 50),),
)
