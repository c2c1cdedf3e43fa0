"""`arguard risk default show|set|lift CODE` (risk README rules 13–14)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from arguard.cli.common import CompanyOption, company_context, console, emit, handle_errors

default_app = typer.Typer(help="Insolvency / protracted default on record (grade 10 until lifted).",
                          no_args_is_help=True)


def _day(text: str | None) -> date:
    return date.fromisoformat(text) if text else date.today()


@default_app.command("show")
@handle_errors
def show(code: str, fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
         company: CompanyOption = None) -> None:
    """A buyer's default flags, newest first."""
    from arguard.risk import service_flags as service

    with company_context(company) as ctx:
        flags = service.default_flags(ctx, code)
    emit([{"kind": f.kind, "flagged_on": f.flagged_on.isoformat(), "cause": f.cause,
           "lifted_on": f.lifted_on.isoformat() if f.lifted_on else "", "lifted_by": f.lifted_by or "",
           "lift_reason": f.lift_reason or ""} for f in flags], fmt, title=f"Defaults on record: {code}")


@default_app.command("set")
@handle_errors
def set_default(code: str, kind: Annotated[str, typer.Option(help="insolvency or protracted_default")],
                cause: Annotated[str, typer.Option(help="Where the news comes from")],
                on: Annotated[str | None, typer.Option(help="Date (YYYY-MM-DD); default today")] = None,
                company: CompanyOption = None) -> None:
    """Put an insolvency or protracted default on record: grade 10 at once."""
    from arguard.risk import service_flags as service

    with company_context(company) as ctx:
        ctx.require("credit_manager")
        g = service.flag_default(ctx, code, kind, _day(on), cause)
    console.print(f"{code}: {kind} on record, grade {g.grade}")


@default_app.command("lift")
@handle_errors
def lift(code: str, reason: Annotated[str, typer.Option(help="Why the default is over")],
         on: Annotated[str | None, typer.Option(help="Date (YYYY-MM-DD); default today")] = None,
         company: CompanyOption = None) -> None:
    """Lift a buyer's default by a recorded decision (credit manager); it is graded again on its facts."""
    from arguard.risk import service_flags as service

    with company_context(company) as ctx:
        g = service.lift_default(ctx, code, reason, _day(on))
    console.print(f"{code}: default lifted, grade {g.grade} (PD {g.pd_12m:.2%})")
