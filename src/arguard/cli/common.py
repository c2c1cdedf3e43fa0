"""Shared CLI pieces: company option, the unit of work, error → exit code mapping, output formats.

Imported by every capability's CLI module while `arguard <group> --help` is written, so it stays light:
the database (SQLAlchemy, the drivers) is imported by `company_context` when a command runs."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import wraps
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from arguard.core.errors import ArguardError, NotFound
from arguard.core.exports import spreadsheet_cell

if TYPE_CHECKING:
    from arguard.platform.context import ServiceContext


class LazyModule:
    """A module imported on its first attribute access. A capability's CLI module names the services
    its commands call at the top (for mypy, the real import under `TYPE_CHECKING`)::

        if TYPE_CHECKING:
            from arguard.ledger import service
        else:
            service = LazyModule("arguard.ledger.service")

    so that writing `arguard <group> --help` imports no service, no SQLAlchemy, pandas or LightGBM
    (tests/test_registry.py walks every command's help and checks it). The seam check
    (tests/test_architecture.py) reads a `LazyModule("…")` as an import of that module."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        from arguard.platform.registry import resolve  # the one place that imports by name

        return getattr(resolve(self._name), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"

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
    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.platform.context import ServiceContext
    from arguard.platform.interface import get_company, list_companies

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


def emit(rows: Sequence[dict[str, Any]], fmt: str, title: str | None = None,
         drop_first: Sequence[str] = ()) -> None:
    """Print rows as a Rich table, CSV or JSON (CSV and JSON: every column, values as given).

    The table is written for people, in a terminal or piped (80 columns then): numbers right-aligned
    with thousands separators, nothing printed as "None", no cell cut to "51…" (a cell too wide wraps).
    When the columns cannot fit the width, whole columns are left out — first those named in
    `drop_first`, then from the right — and a line on stderr names them."""
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        buf = io.StringIO()
        if rows:
            writer = csv.DictWriter(buf, fieldnames=list(rows[0].keys()))
            writer.writeheader()
            # a cell a spreadsheet would run as a formula is defused (core/exports.py)
            writer.writerows({k: spreadsheet_cell(v) for k, v in row.items()} for row in rows)
        sys.stdout.write(buf.getvalue())
    else:
        console.print(table_of(rows, title, console.width, drop_first))


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def cell_text(value: Any) -> str:
    """How a table shows one value: '' for nothing, numbers with thousands separators, else str()."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal) or (isinstance(value, str) and _NUMBER.match(value)):
        text = str(value)
        whole, dot, frac = text.partition(".")
        sign = "-" if whole.startswith("-") else ""
        return f"{sign}{int(whole.lstrip('-')):,}{dot}{frac}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def _numeric(values: list[Any]) -> bool:
    present = [v for v in values if v is not None and v != ""]
    return bool(present) and all(
        not isinstance(v, bool) and (isinstance(v, int | float | Decimal) or (isinstance(v, str) and bool(_NUMBER.match(v))))
        for v in present)


def table_of(rows: Sequence[dict[str, Any]], title: str | None, width: int, drop_first: Sequence[str] = ()) -> Table:
    """The Rich table of `emit` for a console `width` characters wide."""
    keys = [k for k in (rows[0].keys() if rows else []) if any(r.get(k) not in (None, "") for r in rows)]
    cells = {k: [cell_text(r.get(k)) for r in rows] for k in keys}
    need = {k: max([len(k), *(len(c) for c in cells[k])]) + 3 for k in keys}
    order = [k for k in drop_first if k in keys] + [k for k in reversed(keys[2:]) if k not in drop_first]
    left_out: list[str] = []
    while sum(need[k] for k in keys) + 1 > width and order:
        k = order.pop(0)
        keys.remove(k)
        left_out.append(k)
    table = Table(title=title, caption=f"left out to fit {width} columns: {', '.join(left_out)} "
                  "(--format csv or json shows every column)" if left_out else None)
    for k in keys:
        numeric = _numeric([r.get(k) for r in rows])
        table.add_column(k, justify="right" if numeric else "left", overflow="fold", no_wrap=numeric)
    for i in range(len(rows)):
        table.add_row(*[cells[k][i] for k in keys])
    return table
