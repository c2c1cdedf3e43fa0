"""`arguard` command: the root Typer app; each capability's CLI group comes from the registry."""

from __future__ import annotations

import typer

from arguard.platform import registry

app = typer.Typer(name="arguard", help="Accounts-receivable protection (应收账款保护).", no_args_is_help=True,
                  pretty_exceptions_enable=False)

registry.register_cli(app)
registry.wire_subscriptions()

if __name__ == "__main__":
    app()
