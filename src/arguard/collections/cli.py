"""Collections commands: `arguard collections …` (policy, run, worklist, promises, disputes, cases,
write-offs, statements, KPIs). Every command calls `collections.service*`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from arguard.cli.common import CompanyOption, company_context, console, emit, err_console, handle_errors
from arguard.cli.progress import QuietOption

app = typer.Typer(help="Dunning, worklist, promises, disputes, cases, write-offs, statements.", no_args_is_help=True)
policy_app = typer.Typer(help="The dunning policy (YAML, docs/formats.md).", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
AsOf = Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD); default today.")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="table or json.")]


def as_of_date(text: str | None) -> date:
    return date.fromisoformat(text) if text else datetime.now(UTC).date()


def _json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


@policy_app.command("load")
@handle_errors
def policy_load(file: Annotated[Path, typer.Argument(help="The policy YAML file.")],
                company: CompanyOption = None) -> None:
    """Validate the policy and store it for the company (every error is named with its key)."""
    from arguard.collections import service

    text = file.read_text(encoding="utf-8")
    with company_context(company) as ctx:
        policy = service.load_policy(ctx, text, file.name)
    console.print(f"dunning policy [bold]{policy.name}[/bold] loaded: {len(policy.levels)} levels "
                  f"({', '.join(lv.name for lv in policy.levels)})")


@policy_app.command("show")
@handle_errors
def policy_show(company: CompanyOption = None) -> None:
    """Print the stored policy as loaded."""
    from arguard.collections import service

    with company_context(company) as ctx:
        sys.stdout.write(service.policy_source(ctx))


@app.command("run")
@handle_errors
def run(as_of: AsOf = None, dry_run: Annotated[bool, typer.Option("--dry-run", help="Decide, record nothing.")] = False,
        fmt: Fmt = "table", company: CompanyOption = None, quiet: QuietOption = False) -> None:
    """The dunning run of a date: one action per buyer (idempotent per date)."""
    from arguard.cli.progress import progress_bar
    from arguard.collections import service

    with progress_bar(f"dunning run as of {as_of_date(as_of)}", quiet) as progress, company_context(company) as ctx:
        answer, replayed, skipped = service.run_dunning_explained(ctx, as_of_date(as_of), dry_run=dry_run,
                                                                  progress=progress)
    if fmt == "json":
        _json(answer)
        return
    from rich.table import Table

    table = Table(title=f"dunning run {answer['as_of']} ({answer['policy']})"
                        + (" — dry run" if dry_run else " — already recorded" if replayed else ""))
    for col, right in (("customer", False), ("level", False), ("channel", False), ("items", True),
                       ("overdue", True), ("interest", True), ("fees", True), ("total due", True)):
        table.add_column(col, justify="right" if right else "left")
    for a in answer["actions"]:
        fees = str(Decimal(a["fee"]) + Decimal(a["compensation"]))
        table.add_row(a["customer_id"], a["level"], a["channel"], str(len(a["invoices"])), a["overdue_total"],
                      a["interest_total"], fees, f"{a['total_due']} {a.get('currency', '')}")
    console.print(table)
    if not answer["actions"]:
        err_console.print("no buyer is due an action on this date")
    for x in skipped:
        err_console.print(f"no action for {x['customer_id']}: {x['reason']}", markup=False)


@app.command("send")
@handle_errors
def send(company: CompanyOption = None) -> None:
    """Send the e-mails of recorded runs still waiting (letter attached); failures are kept with the reason."""
    from arguard.collections import service
    from arguard.db.session import get_engine

    with company_context(company) as ctx:
        company_id = ctx.company_id
    sent, failed = service.send_pending(get_engine(), company_id)
    console.print(f"{sent} e-mails sent, {failed} failed (see `arguard collections run` actions)")


@app.command("letter")
@handle_errors
def letter(action_id: int, out: Annotated[Path, typer.Option("--out", help="PDF file to write.")],
           company: CompanyOption = None) -> None:
    """Write the letter of a recorded action (PDF)."""
    from arguard.collections import service

    with company_context(company) as ctx:
        data = service.get_letter(ctx, action_id)
    out.write_bytes(data)
    console.print(f"{out} ({len(data):,} bytes)")


def register(root: typer.Typer) -> None:
    from arguard.collections import cli_work

    cli_work.add_commands(app, emit)
    root.add_typer(app, name="collections")
