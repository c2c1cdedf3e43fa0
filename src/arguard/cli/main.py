"""`arguard` command: the root Typer app; each capability adds its sub-app here (one line each)."""

from __future__ import annotations

import typer

from arguard.cli import platform_cli
from arguard.demo import cli as demo_cli
from arguard.ledger import cli as ledger_cli
from arguard.limits import cli as limits_cli
from arguard.monitor import cli as monitor_cli
from arguard.risk import cli as risk_cli
from arguard.recon import cli as recon_cli

app = typer.Typer(name="arguard", help="Accounts-receivable protection (应收账款保护).", no_args_is_help=True,
                  pretty_exceptions_enable=False)

platform_cli.register(app)
demo_cli.register(app)
ledger_cli.register(app)
limits_cli.register(app)
monitor_cli.register(app)
risk_cli.register(app)
recon_cli.register(app)

if __name__ == "__main__":
    app()
