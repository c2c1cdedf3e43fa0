"""The demo company builder."""

from arguard.platform.registry import Capability, CliCommand

CAPABILITY = Capability(
    name="demo",
    cli="arguard.demo.cli:register",
    cli_commands=(
        CliCommand('demo', "Build a realistic seeded demo company (buyers, three years of invoices and payments, every capability's demo data) and print the URL, users, passwords and an API key."),
    ),
    tables="arguard.demo.tables",
    migrations="demo",
)
