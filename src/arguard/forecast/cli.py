"""`arguard forecast …` and `arguard provisions`: backtest a history file (no database), forecast the
stored ledger's cash-in, propose the bad-debt provision."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from arguard.cli.common import handle_errors

app = typer.Typer(name="forecast", help="Cash-in forecast: payment dates, weekly receipts, backtests.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="forecast")


def _date(text: str, option: str) -> date:
    from arguard.core.errors import ValidationError

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{option}: not a date (YYYY-MM-DD): {text!r}") from None


@app.command()
@handle_errors
def backtest(
    history: Annotated[Path, typer.Option(help="Invoice history: canonical CSV with settled_date, or the "
                                               "IBM sample format (docs/formats.md).")],
    train_until: Annotated[str, typer.Option(help="Learn only from what was known on this date (YYYY-MM-DD).")],
) -> None:
    """Fit on what was known on --train-until, predict the invoices issued after; print JSON scores."""
    from arguard.forecast.backtest import run_backtest
    from arguard.forecast.history import read_history

    result = run_backtest(read_history(history), _date(train_until, "--train-until"))
    sys.stdout.write(json.dumps(result.as_dict()) + "\n")
