"""Ledger commands (the ledger helper completes these)."""

import typer


def register(app: typer.Typer) -> None:
    pass
