"""`arguard forecast …` and `arguard provisions`: backtest a history file (no database), forecast the
stored ledger's cash-in, propose the bad-debt provision."""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from arguard.cli.common import CompanyOption, company_context, handle_errors

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


@app.command()
@handle_errors
def run(
    as_of: Annotated[str, typer.Option(help="Forecast date (YYYY-MM-DD): open items and history as of it.")],
    company: CompanyOption = None,
    scenarios: Annotated[int, typer.Option(min=20, max=5000, help="Scenarios drawn.")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the scenario draws and the model.")] = 20240601,
    delay_days: Annotated[int, typer.Option(help="Scenario: every buyer pays this many days later.")] = 0,
    default_buyer: Annotated[str | None, typer.Option(help="Scenario: this buyer defaults on the date.")] = None,
    format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Expected receipts per week (13) and month (12) with P10/P50/P90 bands."""
    from arguard.forecast.service import ForecastRequest, forecast_run

    req = ForecastRequest(_date(as_of, "--as-of"), scenarios, seed, delay_days, default_buyer)
    with company_context(company, role="viewer") as ctx:
        answer = forecast_run(ctx, req)
    if format == "json":
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        return
    _print_forecast(answer)


def _print_forecast(answer: dict[str, Any]) -> None:
    from rich.table import Table

    from arguard.cli.common import console

    for key, title in (("weekly", "Receipts per week"), ("monthly", "Receipts per month")):
        table = Table(title=f"{title} ({answer['currency']}, as of {answer['as_of']}, seed {answer['seed']})")
        table.add_column("from")
        table.add_column("to")
        for col in ("expected", "p10", "p50", "p90"):
            table.add_column(col, justify="right")
        for row in answer[key]:
            table.add_row(row["from"], row["to"], *(f"{Decimal(row[c]):,.2f}" for c in ("expected", "p10", "p50", "p90")))
        console.print(table)
    console.print(f"open {answer['open_invoices']} invoices, {Decimal(answer['open_total']):,.2f}; expected loss "
                  f"{Decimal(answer['expected_loss']):,.2f}; after the horizon {Decimal(answer['after_horizon']):,.2f}; "
                  f"model {answer['model']}")
