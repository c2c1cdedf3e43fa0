"""The platform: companies, users, API keys, roles, audit log — and the shared kernel every capability
uses (its `public` modules: the service context, events, roles, the registry, the audit chain)."""

from arguard.platform.registry import Capability

CAPABILITY = Capability(
    name="platform",
    api=("arguard.platform.api:router",),
    cli="arguard.cli.platform_cli:register",
    tables="arguard.platform.tables",
    public=("context", "audit", "events", "roles", "registry", "sealing", "keys", "throttle", "outbound", "backup"),
)
