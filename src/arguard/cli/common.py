"""Shared CLI pieces: company option, the unit of work, error → exit code mapping, output formats."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from arguard.core.errors import ArguardError, NotFound
from arguard.db.session import get_engine, migrate, session_scope
from arguard.platform.context import ServiceContext
from arguard.platform.service import get_company, list_companies

console = Console()
err_console = Console(stderr=True)

CompanyOption = Annotated[
    str | None,
    typer.Option("--company", "-c", envvar="ARGUARD_COMPANY", help="Company code (default: the only one)."),
]

P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Print an ArguardError in one line and exit with its exit code."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ArguardError as exc:
            err_console.print(f"[red]error[/red] ({exc.code}): {exc.message}")
            raise typer.Exit(exc.exit_code) from None

    return wrapper


@contextmanager
def company_context(company: str | None, actor: str = "cli", role: str = "admin") -> Iterator[ServiceContext]:
    """Open one unit of work for the company; the CLI runs with the operator's full rights."""
    engine = get_engine()
    migrate(engine)
    with session_scope(engine) as session:
        if company is None:
            companies = list_companies(session)
            if len(companies) != 1:
                raise NotFound("name the company with --company (or ARGUARD_COMPANY)", code="company_required")
            found = companies[0]
        else:
            found = get_company(session, company)
        ctx = ServiceContext(session, found.id, actor, role)
        yield ctx
    ctx.run_after_commit()


def emit(rows: Sequence[dict[str, Any]], fmt: str, title: str | None = None) -> None:
    """Print rows as a Rich table, CSV or JSON."""
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        buf = io.StringIO()
        if rows:
            writer = csv.DictWriter(buf, fieldnames=list(rows[0].keys()))
            writer.writeheader()
            writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
    else:
        table = Table(title=title)
        for key in rows[0].keys() if rows else []:
            table.add_column(key, justify="right" if key.endswith(("amount", "total", "_days")) else "left")
        for row in rows:
            table.add_row(*[str(v) for v in row.values()])
        console.print(table)
