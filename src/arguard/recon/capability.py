"""Reconciliation: bank statements, matching, cash application."""

from arguard.platform.registry import Capability

CAPABILITY = Capability(
    name="recon",
    api=("arguard.recon.api:router",),
    web=("arguard.recon.web:router",),
    cli="arguard.recon.cli:register",
    tables="arguard.recon.tables",
    migrations="recon",
)
