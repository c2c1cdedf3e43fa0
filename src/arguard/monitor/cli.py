"""Monitoring commands: `arguard monitor …`, `arguard events …`, `arguard alerts …`.

Commands that queue messages send them before they exit (one try each; the server's worker retries)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from arguard.cli.common import (
    CompanyOption,
    LazyModule,
    company_context,
    console,
    emit,
    handle_errors,
)
from arguard.cli.progress import QuietOption
from arguard.core.errors import ValidationError
from arguard.monitor import files

if TYPE_CHECKING:
    from arguard.db import session as db
    from arguard.monitor import delivery, service
    from arguard.monitor.tables import Alert
else:  # imported when a command runs, not while `--help` is written
    db = LazyModule("arguard.db.session")
    delivery = LazyModule("arguard.monitor.delivery")
    service = LazyModule("arguard.monitor.service")

monitor_app = typer.Typer(help="Monitoring: daily run, rules, webhooks, subscriptions, digests.",
                          no_args_is_help=True)
events_app = typer.Typer(help="Events about buyers (insolvency, insurer decisions, promises …).",
                         no_args_is_help=True)
alerts_app = typer.Typer(help="Alerts: list, show, acknowledge, resolve, snooze.", no_args_is_help=True)

AsOf = Annotated[str, typer.Option("--as-of", help="Date (YYYY-MM-DD) or 'today'.")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="table, csv or json")]


def _date(text: str) -> date:
    if text == "today":
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"not a date: {text!r} (YYYY-MM-DD)", code="invalid_date") from None


def _send() -> None:
    delivery.deliver_due(db.get_engine())


def _row(a: Alert) -> dict[str, object]:
    return {"id": a.id, "severity": a.severity, "status": a.status, "customer": a.customer_code or "",
            "rule": a.rule_id, "title": a.title, "as_of": a.last_as_of,
            "snoozed_until": a.snoozed_until or ""}


@monitor_app.command("run")
@handle_errors
def run(as_of: AsOf = "today", company: CompanyOption = None, quiet: QuietOption = False) -> None:
    """Evaluate every rule for the date; running the same date again raises nothing new."""
    from arguard.cli.progress import progress_bar

    with progress_bar(f"daily run as of {_date(as_of)}: every buyer, every rule", quiet) as progress, \
            company_context(company) as ctx:
        r = service.run(ctx, _date(as_of), trigger="cli", progress=progress)
    _send()
    console.print(f"as of {r.as_of}: {r.buyers} buyers, {r.raised} new alert(s), {r.merged} merged, "
                  f"{r.seconds:.1f} s")
    for issue in r.issues:
        console.print(f"[yellow]note[/yellow] {issue}")


@monitor_app.command("rules")
@handle_errors
def rules(set_file: Annotated[Path | None, typer.Option("--set", help="Store this rule file.")] = None,
          check: Annotated[Path | None, typer.Option("--check", help="Only check a rule file.")] = None,
          company: CompanyOption = None) -> None:
    """Show the rule file in force, check one, or store a new one."""
    if check is not None:
        _, issues = service.engine.parse_rules(check.read_text(encoding="utf-8"), check.name)
        for i in issues:
            console.print(f"[red]{i}[/red]")
        raise typer.Exit(2 if issues else 0)
    with company_context(company) as ctx:
        if set_file is not None:
            _, version = service.set_rules(ctx, set_file.read_text(encoding="utf-8"))
            console.print(f"rule file version {version} in force")
            return
        text, version = service.rules_text(ctx)
    typer.echo(f"# version {version}\n{text}")


@monitor_app.command("digest")
@handle_errors
def digest(as_of: AsOf = "today", company: CompanyOption = None) -> None:
    """Queue and send today's digest to every user subscribed to one."""
    with company_context(company) as ctx:
        n = delivery.queue_digests(ctx, _date(as_of))
    _send()
    console.print(f"{n} digest(s)")


@monitor_app.command("deliver")
@handle_errors
def deliver() -> None:
    """Send every due webhook and e-mail now (the server's worker does this continuously)."""
    console.print(f"{delivery.deliver_due(db.get_engine())} message(s) tried")


@monitor_app.command("webhook")
@handle_errors
def webhook(url: str, secret: Annotated[str, typer.Option(prompt=True, hide_input=True)],
            events: Annotated[str, typer.Option(help="Comma-separated: alert.raised,alert.resolved or *")]
            = "alert.raised", min_severity: str = "info", company: CompanyOption = None) -> None:
    """Register a webhook receiver (signed with HMAC-SHA256)."""
    with company_context(company) as ctx:
        row = delivery.add_webhook(ctx, url, secret, [e.strip() for e in events.split(",") if e.strip()],
                                   min_severity)
    console.print(f"webhook {row.id} → {url}")


@monitor_app.command("subscribe")
@handle_errors
def subscribe(username: str, channel: Annotated[str, typer.Option(help="email or digest")] = "email",
              min_severity: str = "high", company: CompanyOption = None) -> None:
    """Send a user alerts by e-mail (at once) or a daily digest."""
    with company_context(company) as ctx:
        delivery.subscribe(ctx, username, channel, min_severity)
    console.print(f"{username}: {channel} for {min_severity} and above")


@events_app.command("import")
@handle_errors
def events_import(file: Path, company: CompanyOption = None,
                  as_of: AsOf = "today") -> None:
    """Import events from CSV / JSON / JSON lines; bad rows are listed, good rows kept."""
    records, issues = files.parse(file.read_bytes(), file.name)
    with company_context(company) as ctx:
        result = service.import_events(ctx, records, _date(as_of), file.name, issues)
    _send()
    for issue in result.issues:
        console.print(f"[red]{issue}[/red]")
    console.print(f"{result.read} read, {result.inserted} new, {result.duplicates} already known, "
                  f"{result.rejected} rejected, {len(result.alerts)} alert(s) raised")


@events_app.command("list")
@handle_errors
def events_list(customer: str | None = None, limit: int = 50, fmt: Fmt = "table",
                company: CompanyOption = None) -> None:
    with company_context(company) as ctx:
        rows, _ = service.list_events(ctx, customer, limit=limit)
        out = [{"id": e.id, "type": e.kind, "customer": e.customer_code or "", "occurred_on": e.occurred_on,
                "source": e.source} for e in rows]
    emit(out, fmt, "Events")


@alerts_app.command("list")
@handle_errors
def alerts_list(status: str | None = "open", min_severity: str | None = None, customer: str | None = None,
                limit: int = 50, fmt: Fmt = "table", company: CompanyOption = None) -> None:
    """The alert inbox (open alerts by default; --status all for every one)."""
    with company_context(company) as ctx:
        rows, total = service.list_alerts(ctx, status=None if status == "all" else status,
                                          min_severity=min_severity, customer_code=customer, limit=limit)
        out = [_row(a) for a in rows]
    emit(out, fmt, f"Alerts ({total})")


@alerts_app.command("show")
@handle_errors
def alerts_show(alert_id: int, company: CompanyOption = None) -> None:
    import json

    with company_context(company) as ctx:
        a = service.get_alert(ctx, alert_id)
        reactions = [f"{r.kind} → {r.handler} {r.status} {r.reference or ''}"
                     for r in service.alert_reactions(ctx, alert_id)]
        console.print(f"[bold]{a.title}[/bold]\n{a.severity} · {a.status} · rule {a.rule_id} · "
                      f"{a.first_as_of} … {a.last_as_of} ({a.occurrences}×)")
        console.print(json.dumps(a.evidence, ensure_ascii=False, indent=2))
    for r in reactions:
        console.print(f"reaction: {r}")


@alerts_app.command("ack")
@handle_errors
def alerts_ack(alert_id: int, note: str | None = None, company: CompanyOption = None) -> None:
    with company_context(company) as ctx:
        service.acknowledge(ctx, alert_id, note)
    _send()
    console.print(f"alert {alert_id} acknowledged")


@alerts_app.command("resolve")
@handle_errors
def alerts_resolve(alert_id: int, note: Annotated[str, typer.Option(help="What was done.")],
                   company: CompanyOption = None) -> None:
    with company_context(company) as ctx:
        service.resolve(ctx, alert_id, note)
    _send()
    console.print(f"alert {alert_id} resolved")


@alerts_app.command("snooze")
@handle_errors
def alerts_snooze(alert_id: int, until: Annotated[str, typer.Option(help="YYYY-MM-DD")],
                  reason: str | None = None, company: CompanyOption = None) -> None:
    with company_context(company) as ctx:
        service.snooze(ctx, alert_id, _date(until), reason)
    console.print(f"alert {alert_id} snoozed until {until}")


def register(app: typer.Typer) -> None:
    app.add_typer(monitor_app, name="monitor")
    app.add_typer(events_app, name="events")
    app.add_typer(alerts_app, name="alerts")
