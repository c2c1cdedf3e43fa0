"""Platform commands: company, user, apikey, audit, serve."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from arguard.cli.common import CompanyOption, LazyModule, company_context, console, handle_errors

if TYPE_CHECKING:
    from arguard.db import session as db
    from arguard.platform import service
else:  # imported when a command runs, not while `--help` is written
    db = LazyModule("arguard.db.session")
    service = LazyModule("arguard.platform.service")

company_app = typer.Typer(help="Companies (tenants).", no_args_is_help=True)
user_app = typer.Typer(help="Dashboard users.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@company_app.command("create")
@handle_errors
def company_create(code: str, name: str, currency: Annotated[str, typer.Option()] = "EUR") -> None:
    """Create a company (tenant)."""
    engine = db.get_engine()
    db.migrate(engine)
    with db.session_scope(engine) as session:
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


@user_app.command("disable")
@handle_errors
def user_disable(username: str, company: CompanyOption = None) -> None:
    """Disable a user: it cannot sign in and its open sessions stop at once."""
    with company_context(company) as ctx:
        service.set_user_active(ctx, username, False)
    console.print(f"user [bold]{username}[/bold] disabled")


@user_app.command("enable")
@handle_errors
def user_enable(username: str, company: CompanyOption = None) -> None:
    """Enable a disabled user again."""
    with company_context(company) as ctx:
        service.set_user_active(ctx, username, True)
    console.print(f"user [bold]{username}[/bold] enabled")


@user_app.command("role")
@handle_errors
def user_role(username: str, role: str, company: CompanyOption = None) -> None:
    """Change a user's role (viewer, analyst, credit_manager, admin); open sessions get it at once."""
    with company_context(company) as ctx:
        service.set_user_role(ctx, username, role)
    console.print(f"user [bold]{username}[/bold] is now {role}")


@user_app.command("password")
@handle_errors
def user_password(username: str, password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
                  company: CompanyOption = None) -> None:
    """Set a user's password; its open sessions end."""
    with company_context(company) as ctx:
        service.set_user_password(ctx, username, password)
    console.print(f"password of [bold]{username}[/bold] changed")


@apikey_app.command("revoke")
@handle_errors
def apikey_revoke(prefix: str, company: CompanyOption = None) -> None:
    """Revoke an API key by its prefix (the first 11 characters, `ag_` and 8 more); it stops at once."""
    with company_context(company) as ctx:
        row = service.revoke_api_key(ctx, prefix)
    console.print(f"API key [bold]{row.prefix}[/bold] revoked")


@apikey_app.command("list")
@handle_errors
def apikey_list(company: CompanyOption = None,
                fmt: Annotated[str, typer.Option("--format")] = "table") -> None:
    """API keys of the company (prefix, role, label, created, revoked); never the keys themselves."""
    from arguard.cli.common import emit

    with company_context(company) as ctx:
        rows = [{"prefix": k.prefix, "role": k.role, "label": k.label or "",
                 "created_at": k.created_at.isoformat(timespec="seconds"),
                 "revoked_at": k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else ""}
                for k in service.list_api_keys(ctx)]
    emit(rows, fmt, "API keys")


@apikey_app.command("create")
@handle_errors
def apikey_create(role: Annotated[str, typer.Option()], company: CompanyOption = None,
                  label: str | None = None) -> None:
    """Create an API key and print it (shown once; only its hash is stored)."""
    with company_context(company) as ctx:
        key = service.create_api_key(ctx, role, label)
    typer.echo(key)


@audit_app.command("head")
@handle_errors
def audit_head(company: CompanyOption = None) -> None:
    """Print the chain's newest entry (company, seq, hash) as JSON: keep it somewhere else (a ticket, an
    e-mail, a notary) so that `audit verify --head` later proves no newer entry was deleted."""
    import json

    with company_context(company) as ctx:
        head = service.audit_head(ctx)
    typer.echo(json.dumps(head, sort_keys=True))


@audit_app.command("rekey")
@handle_errors
def audit_rekey(company: CompanyOption = None) -> None:
    """Once, after upgrading: move a chain written before the audit key (unkeyed SHA-256) onto the key;
    only a chain that verifies under the old algorithm is moved. Export the head afterwards."""
    with company_context(company) as ctx:
        moved = service.rekey_audit(ctx)
    console.print(f"{moved} audit entries moved onto the key" if moved else "the audit chain is already keyed")


@audit_app.command("verify")
@handle_errors
def audit_verify(company: CompanyOption = None, head: Annotated[str | None, typer.Option(
        help="A head exported earlier by `arguard audit head` (file, or the JSON itself): the chain must "
             "still hold that entry unchanged.")] = None) -> None:
    """Recompute the audit hash chain; exit 1 if any entry was altered, removed or inserted."""
    exported = _read_head(head) if head else None
    with company_context(company) as ctx:
        breaks = service.verify_audit(ctx, exported)
    if breaks:
        for b in breaks:
            console.print(f"[red]broken[/red] at seq {b.seq}: {b.reason}")
        raise typer.Exit(1)
    console.print("[green]audit log intact[/green]")


def backup_command(out: Annotated[Path, typer.Option("--out", help="The backup file to write.")]) -> None:
    """Write a consistent copy of the database while it runs (SQLite backup API; PostgreSQL pg_dump)."""
    from arguard.platform import backup

    written = backup.backup(db.get_engine(), out)
    console.print(f"backup written to [bold]{written}[/bold]; keep the installation key with it "
                  "(see docs/security.md)")


def restore_command(backup_file: Annotated[Path, typer.Argument(help="A file written by `arguard backup`.")],
                    yes: Annotated[bool, typer.Option("--yes", help="Replace the database without asking.")] = False,
                    ) -> None:
    """Replace the database's contents with a backup (stop the servers first), then check every
    company's audit chain."""
    from arguard.platform import backup

    engine = db.get_engine()
    if not yes:
        typer.confirm(f"Replace the contents of {engine.url.render_as_string()} with {backup_file}?", abort=True)
    backup.restore(engine, backup_file)
    db.migrate(engine)
    broken = 0
    with db.session_scope(engine) as session:
        companies = service.list_companies(session)
    for company in companies:
        with company_context(company.code) as ctx:
            breaks = service.verify_audit(ctx)
        broken += bool(breaks)
        console.print(f"{company.code}: audit log {'[red]broken[/red]' if breaks else '[green]intact[/green]'}")
    if broken:
        raise typer.Exit(1)
    console.print("restored")


def _read_head(text: str) -> dict:  # type: ignore[type-arg]
    import json
    from pathlib import Path

    from arguard.core.errors import ValidationError

    raw = Path(text).read_text() if not text.lstrip().startswith("{") else text
    try:
        head = json.loads(raw)
        int(head["seq"]), str(head["entry_hash"])
    except (ValueError, KeyError, TypeError):
        raise ValidationError("--head is the JSON printed by `arguard audit head`", code="invalid_head") from None
    return dict(head)


def serve(host: Annotated[str | None, typer.Option()] = None, port: Annotated[int | None, typer.Option()] = None,
          ) -> None:
    """Serve the API and the dashboard."""
    import uvicorn

    from arguard.platform.keys import ensure_installation_key
    from arguard.settings import get_settings

    settings = get_settings()
    db.migrate(db.get_engine())
    ensure_installation_key()  # a random secret on first start, kept with the installation
    # On SIGTERM/SIGINT uvicorn stops accepting, lets requests in flight finish (up to 30 s), then runs
    # the lifespan's shutdown (sealer, delivery worker, scheduler).
    uvicorn.run("arguard.api.app:create_app", factory=True, host=host or settings.host,
                port=port or settings.port, timeout_graceful_shutdown=30)


def register(app: typer.Typer) -> None:
    app.add_typer(company_app, name="company")
    app.add_typer(user_app, name="user")
    app.add_typer(apikey_app, name="apikey")
    app.add_typer(audit_app, name="audit")
    app.command("serve")(serve)
    app.command("backup")(handle_errors(backup_command))
    app.command("restore")(handle_errors(restore_command))
