"""Credit insurance commands: `arguard insurance …` (policy, check, limits, notify, declare, claim)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from arguard.cli.common import CompanyOption, LazyModule, company_context, console, emit, handle_errors
from arguard.core.money import Money
from arguard.insurance.cli_claims import claim_app, declare_app, limit_app, underwriting
from arguard.insurance.policy import policy_terms

if TYPE_CHECKING:
    from arguard.insurance import service
else:  # imported when a command runs, not while `--help` is written
    service = LazyModule("arguard.insurance.service")

app = typer.Typer(help="Trade credit insurance: policy, insured limits, deadlines, declarations, claims.",
                  no_args_is_help=True)
policy_app = typer.Typer(help="Credit insurance policies (YAML/JSON files, docs/formats.md).", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(limit_app, name="limit")
app.add_typer(declare_app, name="declare")
app.add_typer(claim_app, name="claim")
app.command("underwriting")(underwriting)

AsOf = Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD); default today.")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="table or json.")]
PolicyNo = Annotated[str | None, typer.Option("--policy", "-p", help="Policy number (default: the one in force).")]


def _day(text: str | None) -> date:
    return date.fromisoformat(text) if text else datetime.now(UTC).date()


def _json(obj: Any) -> None:
    emit(obj, "json")  # type: ignore[arg-type]


# ---------------------------------------------------------------- policy

@policy_app.command("load")
@handle_errors
def policy_load(file: Annotated[Path, typer.Argument(help="Policy file (YAML or JSON).")],
                company: CompanyOption = None) -> None:
    """Store a policy for the company (the same policy number again replaces its terms)."""
    text = file.read_text(encoding="utf-8")
    with company_context(company) as ctx:
        policy, created = service.load_policy(ctx, text, file.name)
    console.print(f"policy [bold]{policy.policy_number}[/bold] ({policy.insurer}, {policy.start} – {policy.end}) "
                  + ("loaded" if created else "replaced"))


@policy_app.command("list")
@handle_errors
def policy_list(company: CompanyOption = None, fmt: Fmt = "table") -> None:
    """Policies of the company."""
    with company_context(company) as ctx:
        rows = [{"policy_number": p.policy_number, "insurer": p.insurer, "currency": p.currency,
                 "start": p.start.isoformat(), "end": p.end.isoformat(),
                 "indemnity_pct": str(p.indemnity_commercial_pct)} for p in service.list_policies(ctx)]
    emit(rows, fmt, title="policies")


@policy_app.command("show")
@handle_errors
def policy_show(policy: PolicyNo = None, company: CompanyOption = None) -> None:
    """Every term of a policy (JSON)."""
    with company_context(company) as ctx:
        p = service.get_policy(ctx, policy, datetime.now(UTC).date())
    _json(policy_terms(p))


# ---------------------------------------------------------------- obligations

@app.command("check")
@handle_errors
def check(policy: Annotated[Path, typer.Option("--policy", help="Policy file (YAML or JSON).")],
          as_of: Annotated[str, typer.Option("--as-of", help="Date (YYYY-MM-DD).")],
          company: CompanyOption = None, fmt: Fmt = "table") -> None:
    """Obligations and compliance of the stored ledger under a policy file: every overdue invoice delivered
    in the policy period with its MEP end, notification and claim deadlines, status and cover at stake."""
    p = service.parse_policy_file(policy.read_text(encoding="utf-8"), policy.name)
    with company_context(company, role="viewer") as ctx:
        out = service.check(ctx, p, _day(as_of))
    if fmt == "json":
        _json(out)
        return
    rows = [{"invoice": o["invoice_number"], "buyer": o["customer_id"], "due": o["due_date"],
             "notify_by": o["notification_deadline"], "claim_by": o["claim_deadline"], "status": o["status"],
             "at_stake": o["amount_at_stake"]} for o in out["obligations"]]
    emit(rows, "table", title=f"obligations under {out['policy_number']} as of {out['as_of']} ({out['currency']})")
    c = out["compliance"]
    console.print(f"missed: {c['missed']} ({c['missed_at_stake']} at stake) · due soon: {c['due_soon']} "
                  f"({c['due_soon_at_stake']} at stake) · stop supply: {len(out['stop_supply'])} buyer(s)")


@app.command("monitor")
@handle_errors
def monitor(as_of: AsOf = None, policy: PolicyNo = None, company: CompanyOption = None) -> None:
    """Hold the orders of buyers on stop supply (lift our holds when cleared) and post deadline alerts."""
    day = _day(as_of)
    with company_context(company) as ctx:
        p = service.get_policy(ctx, policy, day)
        report, _ = service.obligations_report(ctx, p, day)
        changes = service.sync_stop_supply(ctx, p, day, report)
        posted = service.post_deadline_alerts(ctx, p, day, report)
    console.print(f"stop supply: {len(changes['held'])} held, {len(changes['lifted'])} lifted; "
                  f"{posted} deadline alert(s) posted")


@app.command("exposure")
@handle_errors
def exposure(customer: str, as_of: AsOf = None, policy: PolicyNo = None, company: CompanyOption = None,
             fmt: Fmt = "table") -> None:
    """A buyer's exposure, net insured part and uninsured rest."""
    with company_context(company, role="viewer") as ctx:
        out = service.insured_exposure(ctx, customer, _day(as_of), policy)
    if fmt == "json":
        _json(out)
    else:
        emit([{k: v for k, v in out.items() if k != "excluded"}], "table")


@app.command("tag")
@handle_errors
def tag(customer: str, tag: Annotated[str, typer.Argument(help="affiliate, public or private_person")],
        remove: Annotated[bool, typer.Option("--remove", help="Remove the tag.")] = False,
        company: CompanyOption = None) -> None:
    """Mark a buyer as an affiliate, a public buyer or a private person (policy exclusions)."""
    with company_context(company) as ctx:
        service.tag_buyer(ctx, customer, tag, not remove)
    console.print(f"{customer}: {'removed' if remove else 'tagged'} {tag}")


@app.command("notify")
@handle_errors
def notify(customer: str, kind: Annotated[str, typer.Argument(help="overdue or adverse_event")],
           on: Annotated[str | None, typer.Option("--on", help="Day notified (default today).")] = None,
           event_on: Annotated[str | None, typer.Option("--event-on", help="Adverse event: day learned.")] = None,
           pending: Annotated[bool, typer.Option("--pending", help="Adverse event not yet notified.")] = False,
           amount: Annotated[str | None, typer.Option("--amount")] = None,
           reference: Annotated[str | None, typer.Option("--reference")] = None,
           policy: PolicyNo = None, company: CompanyOption = None) -> None:
    """Record a notification to the insurer (overdue, or an adverse event such as insolvency)."""
    with company_context(company) as ctx:
        p = service.get_policy(ctx, policy, _day(on))
        service.record_notification(ctx, p.policy_number, customer, kind, notified_on=None if pending else _day(on),
                                    event_on=date.fromisoformat(event_on) if event_on else None,
                                    amount=None if amount is None else Money.of(amount, p.currency),
                                    reference=reference)
    console.print(f"{customer}: {kind} notification recorded under {p.policy_number}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="insurance")
