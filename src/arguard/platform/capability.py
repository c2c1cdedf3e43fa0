"""The platform: companies, users, API keys, roles, audit log — and the shared kernel every capability
uses (its `public` modules: the service context, events, roles, the registry, the audit chain)."""

from arguard.platform.registry import Capability, CliCommand

CAPABILITY = Capability(
    name="platform",
    api=("arguard.platform.api:router",),
    cli="arguard.platform.cli:register",
    cli_commands=(
        CliCommand('serve', 'Serve the API and the dashboard.'),
        CliCommand('backup', 'Write a consistent copy of the database while it runs (SQLite backup API; PostgreSQL pg_dump).'),
        CliCommand('restore', "Replace the database's contents with a backup (stop the servers first), then check every company's audit chain."),
        CliCommand('company', 'Companies (tenants).'),
        CliCommand('user', 'Dashboard users.'),
        CliCommand('apikey', 'API keys.'),
        CliCommand('audit', 'The hash-chained audit log.'),
    ),
    tables="arguard.platform.tables",
    public=("context", "audit", "events", "roles", "registry", "sealing", "keys", "throttle", "outbound", "backup", "caches"),
)
