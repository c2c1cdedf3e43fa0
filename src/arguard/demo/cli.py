"""`arguard demo`: build the seeded demo company and print how to log in."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from arguard.cli.common import LazyModule, console, handle_errors
from arguard.cli.progress import QuietOption, progress_bar
from arguard.demo.model import SIZES
from arguard.demo.steps import DemoStep, discover_steps
from arguard.settings import get_settings

if TYPE_CHECKING:
    from arguard.db import session as db
    from arguard.demo import service
    from arguard.demo.service import DemoResult
else:  # imported when the command runs, not while `--help` is written
    db = LazyModule("arguard.db.session")
    service = LazyModule("arguard.demo.service")


@handle_errors
def demo(
    size: Annotated[str, typer.Option(help="small (600 buyers) or large (20,000 buyers, 1M invoices).")] = "small",
    seed: Annotated[int, typer.Option(help="Seed of every random draw; same seed, same company.")] = 42,
    company: Annotated[str, typer.Option("--company", "-c", help="Company code.")] = "DEMO",
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL (default: ARGUARD_DATABASE_URL, "
                                                          "else var/arguard.db).")] = None,
    as_of: Annotated[str | None, typer.Option(help="Last day of the history, YYYY-MM-DD (default: today).")]
    = None,
    reset: Annotated[bool, typer.Option(help="Delete this company first and build it again.")] = False,
    steps: Annotated[str | None, typer.Option(help="Capability steps to run, comma-separated (e.g. "
                                                   "'limits,monitor'); 'none' for the ledger only. "
                                                   "Default: every registered step.")] = None,
    quiet: QuietOption = False,
) -> None:
    """Build a realistic seeded demo company (buyers, three years of invoices and payments, every
    capability's demo data) and print the URL, users, passwords and an API key."""
    if size not in SIZES:
        raise typer.BadParameter(f"size is one of {', '.join(SIZES)}")
    engine = db.get_engine(database_url)
    db.migrate(engine)
    url = _url()
    if service.demo_exists(engine, company) and not reset:
        console.print(f"The demo company [bold]{company}[/bold] already exists in {engine.url.database}.")
        console.print(f"Sign in at {url}/login as [bold]admin[/bold] with the password printed when it was "
                      f"built, or run [bold]arguard demo --reset[/bold] to rebuild it with new passwords.")
        return
    day = date.fromisoformat(as_of) if as_of else date.today()
    console.print(f"building the {size} demo company {company} (seed {seed}, history ending {day}) …")
    with progress_bar(f"demo {company}", quiet) as progress:
        result = service.build_demo(engine, size=size, seed=seed, as_of=day, company_code=company, reset=reset,
                                    progress=progress, steps=_chosen_steps(steps))
    _print_result(result, url, database_url)


def _chosen_steps(names: str | None) -> list[DemoStep] | None:
    if names is None:
        return None
    wanted = {n.strip() for n in names.split(",") if n.strip() and n.strip() != "none"}
    available = discover_steps()
    unknown = wanted - {s.name for s in available}
    if unknown:
        raise typer.BadParameter(f"unknown demo steps {sorted(unknown)}; have "
                                 f"{', '.join(s.name for s in available)}")
    return [s for s in available if s.name in wanted]


def _url() -> str:
    s = get_settings()
    return f"http://{s.host}:{s.port}"


def _print_result(r: DemoResult, url: str, database_url: str | None) -> None:
    c = r.counts
    console.print(f"[green]built[/green] {c['customers']:,} buyers in {c['countries']} countries and "
                  f"{c['sectors']} sectors · {c['invoices']:,} invoices · {c['credit_notes']:,} credit notes · "
                  f"{c['payments']:,} payments · {c['currencies']} currencies · {c['defaults']} defaults "
                  f"(seed {r.seed}, {sum(r.seconds.values()):.0f} s)")
    for name, ok, message in r.steps:
        mark = "[green]ok[/green]" if ok else "[red]failed[/red]"
        console.print(f"  demo step {name}: {mark} {message}")
    console.print()
    console.print(f"Dashboard and API: [bold]{url}[/bold]   (company [bold]{r.company_code}[/bold])")
    console.print("Users (passwords are shown this once):")
    for user, password in r.passwords.items():
        console.print(f"  {user:<8} {password}")
    console.print(f"API key (admin, shown once): [bold]{r.api_key}[/bold]")
    console.print("Try:")
    console.print(f"  curl -H 'Authorization: Bearer {r.api_key}' {url}/api/v1/me", soft_wrap=True)
    console.print(f"  curl -H 'Authorization: Bearer {r.api_key}' '{url}/api/v1/customers?limit=5'",
                  soft_wrap=True)
    if database_url:
        console.print(f"Serve it with: ARGUARD_DATABASE_URL='{database_url}' arguard serve", soft_wrap=True)
    else:
        console.print("Serve it with: arguard serve")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
