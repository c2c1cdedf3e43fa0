"""Ledger commands: import, report aging/dso, statement, fx, ledger (customers, open items, verify)."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from arguard.cli.common import (
    CompanyOption,
    LazyModule,
    company_context,
    console,
    emit,
    err_console,
    handle_errors,
)
from arguard.core.errors import ValidationError
from arguard.core.money import Money

if TYPE_CHECKING:
    from arguard.ledger import render, service
    from arguard.ledger.model import ImportResult
else:  # imported when a command runs, not while `--help` is written
    render = LazyModule("arguard.ledger.render")
    service = LazyModule("arguard.ledger.service")

import_app = typer.Typer(help="Import customers, invoices or payments from CSV/XLSX.", no_args_is_help=True)
report_app = typer.Typer(help="Receivables reports: aging, DSO.", no_args_is_help=True)
fx_app = typer.Typer(help="Dated exchange rates.", no_args_is_help=True)
ledger_app = typer.Typer(help="Ledger views: customers, open items, projections check.", no_args_is_help=True)

DryRun = Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")]
IssuesOut = Annotated[Path | None, typer.Option("--issues", help="Also write every issue to this CSV file.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD); default today.")]
On = Annotated[str | None, typer.Option("--on", help="Date of the fact (YYYY-MM-DD); default today "
                                         "(a reversal: the original's date).")]
Format = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]


def as_of_date(text: str | None) -> date:
    """The shell reads the clock; rules get an explicit date."""
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"--as-of {text!r} is not a date (YYYY-MM-DD)", code="bad_date") from None


def _run_import(kind: str, file: Path, dry_run: bool, issues_out: Path | None, company: str | None) -> None:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(f"reading {file.name}", total=None)

        def progress(phase: str, done: int, total: int | None) -> None:
            bar.update(task, description=f"{phase} {file.name}", completed=done, total=total)

        with company_context(company) as ctx:
            result = service.import_file(ctx, kind, str(file), dry_run=dry_run, progress=progress)
    _report(result, issues_out)
    if result.issues:
        raise typer.Exit(2)


def _report(r: ImportResult, issues_out: Path | None) -> None:
    verb = "would import" if r.dry_run else "imported"
    console.print(f"{r.source}: {r.rows_read} rows read; {verb} [bold]{r.inserted}[/bold] new, {r.updated} updated, "
                  f"{r.unchanged} unchanged, [red]{r.rejected}[/red] rejected")
    for title, found in (("Rejected rows", r.issues), ("Warnings", r.warnings)):
        if not found:
            continue
        table = Table(title=title)
        for col in ("file", "line", "column", "reason"):
            table.add_column(col)
        for i in found[:200]:
            table.add_row(i.source, str(i.line or ""), i.field or "", i.reason)
        console.print(table)
        if len(found) > 200:
            console.print(f"… and {len(found) - 200} more (use --issues FILE for all)")
    if issues_out:
        with issues_out.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["kind", "file", "line", "column", "reason"])
            w.writerows([["rejected", i.source, i.line, i.field, i.reason] for i in r.issues]
                        + [["warning", i.source, i.line, i.field, i.reason] for i in r.warnings])


def _import_command(kind: str):  # type: ignore[no-untyped-def]
    @handle_errors
    def command(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
                dry_run: DryRun = False, issues: IssuesOut = None, company: CompanyOption = None) -> None:
        _run_import(kind, file, dry_run, issues, company)

    command.__doc__ = (f"Import {kind} from a CSV (UTF-8) or XLSX file; every bad row is reported; "
                       "exit code 2 when rows were rejected.")
    return command


for _kind in ("customers", "invoices", "payments"):
    import_app.command(_kind)(_import_command(_kind))


@report_app.command("aging")
@handle_errors
def report_aging(as_of: AsOf = None, customer: Annotated[str | None, typer.Option()] = None,
                 totals_only: Annotated[bool, typer.Option("--totals")] = False, fmt: Format = "table",
                 company: CompanyOption = None) -> None:
    """Aging buckets (current, 1-30 … >365 days past due) per customer and currency, with totals."""
    with company_context(company) as ctx:
        report = service.aging_report(ctx, as_of_date(as_of), customer)
    rows = [] if totals_only else [r.as_dict() for r in report.rows]
    rows += [{**t.as_dict(), "customer": "TOTAL"} for t in report.totals]
    if report.converted is not None:
        rows.append({**report.converted.as_dict(), "customer": f"TOTAL in {report.base_currency}"})
    emit(rows, fmt, title=f"Aging as of {report.as_of}",
         drop_first=("items", "unapplied", "181-365", "91-180", "61-90", "31-60", "1-30", "current"))
    if report.missing_rates and fmt == "table":
        err_console.print(f"no total in {report.base_currency}: no rate for {', '.join(report.missing_rates)} "
                          f"on or before {report.as_of} (arguard fx add)")


@report_app.command("dso")
@handle_errors
def report_dso(as_of: AsOf = None, period_days: Annotated[int, typer.Option()] = 90,
               customer: Annotated[str | None, typer.Option()] = None, fmt: Format = "table",
               company: CompanyOption = None) -> None:
    """DSO (simple and count-back), best possible DSO, average days delinquent and CEI per currency."""
    with company_context(company) as ctx:
        figures = service.dso_report(ctx, as_of_date(as_of), period_days, customer)
    emit([f.as_dict() for f in figures], fmt, title=f"Collection figures, {period_days} days to {as_of_date(as_of)}",
         drop_first=("as_of", "period_days", "closing_current_ar", "opening_ar", "dso_count_back"))


def statement(customer: Annotated[str, typer.Argument(help="Customer id.")], as_of: AsOf = None,
              since: Annotated[str | None, typer.Option(help="First date of the lines (opening balance before).")]
              = None, currency: Annotated[str | None, typer.Option()] = None,
              fmt: Annotated[str, typer.Option("--format", "-f", help="csv, xlsx, pdf or json.")] = "pdf",
              out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (default: stdout)")] = None,
              company: CompanyOption = None) -> None:
    """Statement of account of one customer as of a date, in the customer's language (zh-CN or en)."""
    if fmt not in render.FORMATS:
        raise ValidationError(f"--format is one of {', '.join(render.FORMATS)}", code="bad_format")
    with company_context(company) as ctx:
        statements = service.statement_of_account(ctx, customer, as_of_date(as_of),
                                                  as_of_date(since) if since else None, currency)
        from arguard.platform.interface import company_name

        name = company_name(ctx)
    data = render.render(statements, fmt, name)
    if out:
        out.write_bytes(data)
        err_console.print(f"statement written to {out}")
    elif fmt in ("pdf", "xlsx") and sys.stdout.isatty():
        raise ValidationError(f"give --out FILE for {fmt}", code="out_required")
    else:
        sys.stdout.buffer.write(data)


@fx_app.command("add")
@handle_errors
def fx_add(base: str, quote: str, rate: str, on: Annotated[str, typer.Option("--on", help="Valid from (YYYY-MM-DD)")],
           company: CompanyOption = None) -> None:
    """Record a rate: RATE units of QUOTE per 1 BASE, valid from --on until the next rate."""
    with company_context(company) as ctx:
        r = service.add_fx_rate(ctx, base, quote, rate, as_of_date(on))
    console.print(f"{r.base}/{r.quote} = {r.rate} from {r.valid_on}")


@fx_app.command("list")
@handle_errors
def fx_list(base: str | None = None, quote: str | None = None, fmt: Format = "table",
            company: CompanyOption = None) -> None:
    """List the recorded rates."""
    with company_context(company) as ctx:
        rates = service.list_fx_rates(ctx, base, quote)
    emit([{"base": r.base, "quote": r.quote, "rate": str(r.rate), "valid_on": r.valid_on.isoformat()} for r in rates],
         fmt, title="FX rates")


@ledger_app.command("customers")
@handle_errors
def ledger_customers(search: str | None = None, country: str | None = None, limit: int = 50, offset: int = 0,
                     fmt: Format = "table", company: CompanyOption = None) -> None:
    """List customers."""
    with company_context(company) as ctx:
        rows, total = service.list_customers(ctx, search=search, country=country, limit=limit, offset=offset)
        out = [{"customer_id": c.code, "name": c.name, "country": c.country, "currency": c.currency or "",
                "terms_days": c.terms_days if c.terms_days is not None else "", "language": c.language} for c in rows]
    emit(out, fmt, title=f"Customers ({total})")


@ledger_app.command("open-items")
@handle_errors
def ledger_open_items(customer: str | None = None, as_of: AsOf = None, limit: int = 200, fmt: Format = "table",
                      company: CompanyOption = None) -> None:
    """Open invoices and credit notes as of a date, oldest due first."""
    day = as_of_date(as_of)
    with company_context(company) as ctx:
        items = service.open_items(ctx, customer, day, limit)
    emit([{"number": i.number, "customer": i.customer_code, "type": i.document_type, "due_date": i.due_date.isoformat(),
           "days_past_due": i.days_past_due(day), "currency": i.open.currency, "open_amount": str(i.open.amount)}
          for i in items], fmt, title=f"Open items as of {day}")


@ledger_app.command("write-off")
@handle_errors
def ledger_write_off(invoice: str, amount: str, currency: str, reason: Annotated[str, typer.Option()],
                     on: AsOf = None, company: CompanyOption = None) -> None:
    """Write off part or all of an invoice's open amount (audited with the reason)."""
    with company_context(company) as ctx:
        service.write_off(ctx, invoice, Money.of(amount, currency), as_of_date(on), reason)
    console.print(f"written off {amount} {currency.upper()} of {invoice}")


@ledger_app.command("apply-credit")
@handle_errors
def ledger_apply_credit(credit_note: str, invoices: list[str], on: On = None,
                        amount: Annotated[list[str] | None, typer.Option(
                            "--amount", help="Amount per invoice, in order (default: as much as allowed)")] = None,
                        reason: str | None = None, company: CompanyOption = None) -> None:
    """Apply a credit note to invoices of the same customer and currency, in the order named."""
    with company_context(company) as ctx:
        cn = service.get_invoice(ctx, credit_note, "credit_note")
        amounts = [Money.of(a, cn.currency) for a in amount] if amount else None
        apps = service.apply_credit_note(ctx, credit_note, invoices, as_of_date(on), amounts=amounts, reason=reason)
    for a in apps:
        console.print(f"applied {a.amount} of {a.credit_note_number} to {a.invoice_number} (application {a.id})")
    if not apps:
        console.print("nothing applied: no credit left or nothing owed")


@ledger_app.command("unapply-credit")
@handle_errors
def ledger_unapply_credit(credit_note: str, invoice: str, reason: Annotated[str, typer.Option()],
                          on: On = None, company: CompanyOption = None) -> None:
    """Reverse a credit note's applications to an invoice (reversing facts, audited)."""
    with company_context(company) as ctx:
        revs = service.unapply_credit_note(ctx, credit_note, invoice, reason, as_of_date(on) if on else None)
    for r in revs:
        console.print(f"reversed application {r.reverses_id}: {-r.amount} back on {r.credit_note_number}")


@ledger_app.command("verify")
@handle_errors
def ledger_verify(company: CompanyOption = None) -> None:
    """Recompute open and unapplied amounts from the facts; exit 1 on any difference."""
    with company_context(company) as ctx:
        bad = service.verify_projections(ctx)
    for line in bad[:100]:
        console.print(f"[red]{line}[/red]")
    if bad:
        raise typer.Exit(1)
    console.print("[green]projections match the facts[/green]")


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.add_typer(report_app, name="report")
    app.add_typer(fx_app, name="fx")
    from arguard.ledger import cli_materiality

    if not any(c.name == "leftovers" for c in ledger_app.registered_commands):
        ledger_app.command("materiality")(cli_materiality.materiality)
        ledger_app.command("leftovers")(cli_materiality.leftovers)
    app.add_typer(ledger_app, name="ledger")
    app.command("statement")(handle_errors(statement))
