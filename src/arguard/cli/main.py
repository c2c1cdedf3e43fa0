"""`arguard` command: the root Typer app; each capability's CLI comes from the registry.

A capability that declares its top-level commands (`cli_commands=` in its capability.py) is loaded only
when one of them runs: `arguard --help` lists them from the declarations and imports no service, no
database driver, no pandas or LightGBM (docs/benchmarks.md: CLI start-up)."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from arguard.platform import registry


class LazyGroup(TyperGroup):
    """The root group: declared capability commands are imported when resolved, described from their
    declaration while the root's help is written."""

    _for_help = False

    def list_commands(self, ctx: Any) -> list[str]:
        names = list(super().list_commands(ctx))
        return names + [n for n in registry.lazy_commands() if n not in names]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        declared = registry.lazy_commands().get(cmd_name)
        if declared is None:
            return None
        ref, short = declared
        if self._for_help:
            return TyperCommand(name=cmd_name, help=short, short_help=short)
        return self._load(cmd_name, ref)

    def _load(self, name: str, ref: str) -> Any:
        """Register the capability's commands on a scratch app, keep them all (one import per module)."""
        scratch = typer.Typer()
        registry.resolve(ref)(scratch)
        built: Any = typer.main.get_command(scratch)
        commands = built.commands if hasattr(built, "commands") else {name: built}
        for n, cmd in commands.items():
            self.commands.setdefault(n, cmd)
        return self.commands.get(name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._for_help = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._for_help = False


app = typer.Typer(name="arguard", help="Accounts-receivable protection (应收账款保护).", no_args_is_help=True,
                  pretty_exceptions_enable=False, cls=LazyGroup)


@app.callback()
def _start() -> None:
    """Before any command runs: wire the declared event subscriptions, so that a fact recorded through
    the CLI reaches the same subscribers (re-grading, monitoring) as one recorded through the API."""
    registry.wire_subscriptions()


registry.register_cli(app, lazy=True)

if __name__ == "__main__":
    app()
