"""Platform commands: company, user, apikey, audit, serve."""

from __future__ import annotations

from typing import Annotated

import typer

from arguard.cli.common import CompanyOption, company_context, console, handle_errors
from arguard.db.session import get_engine, migrate, session_scope
from arguard.platform import service

company_app = typer.Typer(help="Companies (tenants).", no_args_is_help=True)
user_app = typer.Typer(help="Dashboard users.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@company_app.command("create")
@handle_errors
def company_create(code: str, name: str, currency: Annotated[str, typer.Option()] = "EUR") -> None:
    """Create a company (tenant)."""
    engine = get_engine()
    migrate(engine)
    with session_scope(engine) as session:
        service.create_company(session, code, name, currency)
    console.print(f"company [bold]{code}[/bold] created")


@user_app.command("create")
@handle_errors
def user_create(username: str, role: Annotated[str, typer.Option()], password: Annotated[str, typer.Option(
        prompt=True, hide_input=True)], company: CompanyOption = None, email: str | None = None) -> None:
    """Create a dashboard user with a role (viewer, analyst, credit_manager, admin)."""
    with company_context(company) as ctx:
        service.create_user(ctx, username, role, password, email)
    console.print(f"user [bold]{username}[/bold] created")


@apikey_app.command("create")
@handle_errors
def apikey_create(role: Annotated[str, typer.Option()], company: CompanyOption = None,
                  label: str | None = None) -> None:
    """Create an API key and print it (shown once; only its hash is stored)."""
    with company_context(company) as ctx:
        key = service.create_api_key(ctx, role, label)
    typer.echo(key)


@audit_app.command("verify")
@handle_errors
def audit_verify(company: CompanyOption = None) -> None:
    """Recompute the audit hash chain; exit 1 if any entry was altered, removed or inserted."""
    with company_context(company) as ctx:
        breaks = service.verify_audit(ctx)
    if breaks:
        for b in breaks:
            console.print(f"[red]broken[/red] at seq {b.seq}: {b.reason}")
        raise typer.Exit(1)
    console.print("[green]audit log intact[/green]")


def serve(host: Annotated[str | None, typer.Option()] = None, port: Annotated[int | None, typer.Option()] = None,
          ) -> None:
    """Serve the API and the dashboard."""
    import uvicorn

    from arguard.settings import get_settings

    settings = get_settings()
    migrate(get_engine())
    uvicorn.run("arguard.api.app:create_app", factory=True, host=host or settings.host,
                port=port or settings.port)


def register(app: typer.Typer) -> None:
    app.add_typer(company_app, name="company")
    app.add_typer(user_app, name="user")
    app.add_typer(apikey_app, name="apikey")
    app.add_typer(audit_app, name="audit")
    app.command("serve")(serve)
