"""The platform: companies, users, API keys, roles, audit log."""

from arguard.platform.registry import Capability

CAPABILITY = Capability(
    name="platform",
    api=("arguard.platform.api:router",),
    cli="arguard.cli.platform_cli:register",
    tables="arguard.platform.tables",
)
