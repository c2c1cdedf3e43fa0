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
from arguard.cli.progress import QuietOption

app = typer.Typer(name="forecast", help="Cash-in forecast: payment dates, weekly receipts, backtests.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="forecast")
    root.command(name="provisions")(provisions)


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
    predict_weeks: Annotated[int | None, typer.Option(
        min=1, help="Predict only the invoices issued within this many weeks after the date (default: all).")] = None,
) -> None:
    """Fit on what was known on --train-until, predict the invoices issued after; print JSON scores."""
    from arguard.forecast.backtest import run_backtest
    from arguard.forecast.history import read_history

    result = run_backtest(read_history(history), _date(train_until, "--train-until"), predict_weeks=predict_weeks)
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
    quiet: QuietOption = False,
) -> None:
    """Expected receipts per week (13) and month (12) with P10/P50/P90 bands."""
    from arguard.cli.progress import progress_bar
    from arguard.forecast.service import ForecastRequest, forecast_run

    req = ForecastRequest(_date(as_of, "--as-of"), scenarios, seed, delay_days, default_buyer)
    with progress_bar(f"forecast as of {req.as_of}", quiet) as progress, \
            company_context(company, role="viewer") as ctx:
        answer = forecast_run(ctx, req, progress=progress)
    if format == "json":
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        return
    _print_forecast(answer)


def _print_forecast(answer: dict[str, Any]) -> None:
    from rich.table import Table

    from arguard.cli.common import console

    for key, title in (("weekly", "Receipts per week"), ("monthly", "Receipts per month")):
        table = Table(title=f"{title} ({answer['currency']}, whole units, as of {answer['as_of']}, "
                            f"seed {answer['seed']})")
        table.add_column("from")
        table.add_column("to")
        for col in ("expected", "p10", "p50", "p90"):
            table.add_column(col, justify="right")
        for row in answer[key]:
            table.add_row(row["from"], row["to"],
                          *(f"{Decimal(row[c]):,.0f}" for c in ("expected", "p10", "p50", "p90")))
        console.print(table)
    console.print(f"open {answer['open_invoices']:,} invoices, {Decimal(answer['open_total']):,.2f}; expected loss "
                  f"{Decimal(answer['expected_loss']):,.2f}; after the horizon {Decimal(answer['after_horizon']):,.2f}; "
                  f"model {answer['model']}")
    if answer.get("policy"):
        console.print(f"expected indemnities {Decimal(answer['expected_indemnity']):,.2f} under policy "
                      f"{answer['policy']}, paid {answer['waiting_period_days']} days after a buyer's default "
                      "(in the receipts above)")


@handle_errors
def provisions(
    as_of: Annotated[str, typer.Option(help="Provision date (YYYY-MM-DD).")],
    company: CompanyOption = None,
    multiplier: Annotated[str, typer.Option(help="Forward-looking adjustment of the historical loss rates "
                                                 "(1 = as history says, 1.1 = 10 % worse).")] = "1",
    lgd: Annotated[str, typer.Option(help="Loss given default for PD × LGD × EAD.")] = "0.45",
    months: Annotated[int, typer.Option(min=1, max=60, help="Look-back of the roll rates, in months.")] = 12,
    save: Annotated[bool, typer.Option(help="Store it (credit manager): the next provision's movement "
                                            "starts from it.")] = False,
    format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """IFRS 9 provision matrix (roll rates), PD × LGD × EAD per buyer, movement and journal proposal."""
    from arguard.core.errors import ValidationError
    from arguard.forecast.service_provisions import ProvisionRequest, save_provision
    from arguard.forecast.service_provisions import provisions as compute

    try:
        req = ProvisionRequest(_date(as_of, "--as-of"), Decimal(multiplier), Decimal(lgd), months)
    except ArithmeticError:
        raise ValidationError("--multiplier and --lgd are decimal numbers") from None
    if req.multiplier < 0 or not 0 <= req.lgd <= 1:
        raise ValidationError("--multiplier must be ≥ 0 and --lgd between 0 and 1")
    with company_context(company, role="credit_manager" if save else "viewer") as ctx:
        answer = save_provision(ctx, req) if save else compute(ctx, req)
    if format == "json":
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        return
    _print_provisions(answer)


def _print_provisions(answer: dict[str, Any]) -> None:
    from rich.table import Table

    from arguard.cli.common import console

    table = Table(title=f"Provision matrix ({answer['currency']}, as of {answer['as_of']}, "
                        f"multiplier {answer['settings']['multiplier']})")
    insured = bool(answer.get("policy"))  # net of insurance beside the gross figures
    for col in ("bucket", "balance", "hist. rate", "rate", "expected loss") + (("net",) if insured else ()):
        table.add_column(col, justify="left" if col == "bucket" else "right")
    for r in answer["matrix"]:
        net = (f"{Decimal(r['expected_loss_net']):,.2f}",) if insured else ()
        table.add_row(r["bucket"], f"{Decimal(r['balance']):,.2f}", f"{Decimal(r['historical_rate']):.2%}",
                      f"{Decimal(r['loss_rate']):.2%}", f"{Decimal(r['expected_loss']):,.2f}", *net)
    t = answer["total"]
    net = (f"{Decimal(t['expected_loss_net']):,.2f}",) if insured else ()
    table.add_row("total", f"{Decimal(t['balance']):,.2f}", "", "", f"{Decimal(t['expected_loss']):,.2f}", *net)
    console.print(table)
    prev = answer["previous"]
    buyers_net = (f" (net {Decimal(answer['buyers_total']['expected_loss_net']):,.2f})" if insured else "")
    console.print(f"PD × LGD × EAD over {len(answer['buyers'])} buyers: "
                  f"{Decimal(answer['buyers_total']['expected_loss']):,.2f}{buyers_net}; previous provision: "
                  f"{'none' if prev is None else prev['as_of'] + ' ' + format(Decimal(prev['expected_loss']), ',.2f')}; "
                  f"movement {Decimal(answer['movement']):,.2f}")
    if answer["journal"]:
        entry = Table(title="Journal proposal")
        entry.add_column("account")
        entry.add_column("debit", justify="right")
        entry.add_column("credit", justify="right")
        for j in answer["journal"]:
            entry.add_row(j["account"], f"{Decimal(j['debit']):,.2f}", f"{Decimal(j['credit']):,.2f}")
        console.print(entry)
    console.print(f"[dim]{answer['insurance']}[/dim]")


@app.command("history")
@handle_errors
def history_export(
    as_of: Annotated[str, typer.Option(help="History as of this date (YYYY-MM-DD).")],
    out: Annotated[Path, typer.Option(help="CSV file to write (canonical history format).")],
    company: CompanyOption = None,
) -> None:
    """Export the ledger's invoices with their settled dates, the input of `forecast backtest`."""
    import csv

    from arguard.cli.common import console
    from arguard.forecast.service import history_csv_rows

    with company_context(company, role="viewer") as ctx:
        rows = history_csv_rows(ctx, _date(as_of, "--as-of"))
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["invoice_number", "customer_id", "currency", "issue_date", "due_date",
                                               "amount", "amount_base", "settled_date", "disputed"])
        writer.writeheader()
        writer.writerows(rows)
    console.print(f"wrote {len(rows):,} invoices → {out}")


@app.command("store-page")
@handle_errors
def store_page(
    as_of: Annotated[str, typer.Option(help="Date of the dashboard's forecast page (YYYY-MM-DD).")],
    company: CompanyOption = None,
) -> None:
    """Compute the forecast page's answer for the date and store it (credit manager; a nightly job keeps
    the page from ever computing on load). README rule 13."""
    from arguard.cli.common import console
    from arguard.forecast.pages import recompute_page

    with company_context(company, role="credit_manager") as ctx:
        result = recompute_page(ctx, _date(as_of, "--as-of"))
    console.print(f"stored the forecast page for {as_of} (computed {result.computed_at:%Y-%m-%d %H:%M} UTC)")
