"""`arguard recon …`: import statements into the company's books (`import`), review and decide
suggestions (`review`, `confirm`, `reject`), and match a statement without a database (`match`)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from arguard.cli.common import (
    CompanyOption,
    LazyModule,
    company_context,
    console,
    emit,
    err_console,
    handle_errors,
)
from arguard.cli.progress import QuietOption
from arguard.core.money import FxTable

if TYPE_CHECKING:
    from arguard.recon import service
    from arguard.recon import service_manual as manual
else:  # imported when a command runs, not while `--help` is written
    service = LazyModule("arguard.recon.service")
    manual = LazyModule("arguard.recon.service_manual")

app = typer.Typer(name="recon", help="Reconciliation: bank statements and cash application (电子化对账).",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="recon")


@app.command("match")
@handle_errors
def match(
    invoices: Annotated[Path, typer.Option(help="Open invoices, canonical import columns (CSV).")],
    statement: Annotated[Path, typer.Option(help="MT940/MT942, camt.052/053/054, zip, or CSV/XLSX with --mapping.")],
    out: Annotated[Path, typer.Option(help="Where to write matches.csv.")],
    customers: Annotated[Path | None, typer.Option(help="Customers CSV (iban may hold several, ';').")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Column mapping (JSON) for CSV/XLSX statements.")] = None,
    rates: Annotated[Path | None, typer.Option(help="Dated FX rates CSV: base,quote,rate,valid_on.")] = None,
    proposals: Annotated[Path | None, typer.Option(help="Also write every proposal with reasons (JSON).")] = None,
) -> None:
    """Match every incoming payment of a statement to invoices; no database needed."""
    from arguard.recon.inputs import load_customers, load_open_items, load_rates, write_matches
    from arguard.recon.matching import Matcher
    from arguard.recon.readers import ColumnMapping, read_statement
    from arguard.recon.statements import check_balance

    items, issues = load_open_items(invoices.read_bytes(), invoices.name)
    people = load_customers(customers.read_bytes(), customers.name) if customers else []
    col_map = ColumnMapping.from_dict(json.loads(mapping.read_text())) if mapping else None
    result = read_statement(statement.read_bytes(), statement.name, col_map)
    issues += list(result.issues)
    fx = FxTable(load_rates(rates.read_bytes(), rates.name)) if rates else None
    matcher = Matcher(items, people, fx=fx)
    found = []
    for stmt in result.statements:
        problem = check_balance(stmt, statement.name)
        if problem:
            issues.append(problem)
        found.extend(matcher.match(stmt))
    out.write_text(write_matches(found), encoding="utf-8")
    if proposals:
        proposals.write_text(json.dumps([_as_json(p) for p in found], indent=1, ensure_ascii=False), encoding="utf-8")
    for issue in issues:
        err_console.print(f"[yellow]warning[/yellow] {issue}")
    counts = {s: sum(1 for p in found if p.status == s) for s in ("auto", "suggested", "unmatched")}
    console.print(f"{len(found)} payments: {counts['auto']} auto, {counts['suggested']} suggested, "
                  f"{counts['unmatched']} unmatched → {out}")


def _as_json(p: object) -> dict:
    from dataclasses import asdict

    return json.loads(json.dumps(asdict(p), default=str))  # type: ignore[call-overload]


@app.command("import")
@handle_errors
def import_(
    file: Annotated[Path, typer.Argument(help="MT940/MT942, camt.052/053/054, zip, or CSV/XLSX with --mapping.")],
    company: CompanyOption = None,
    mapping: Annotated[str | None, typer.Option(help="Name of a saved column mapping (CSV/XLSX).")] = None,
    quiet: QuietOption = False,
) -> None:
    """Import a bank statement: apply sure matches to the ledger, queue the rest for review."""
    from arguard.cli.progress import progress_bar

    with progress_bar(f"reading, matching and posting {file.name}", quiet) as progress, \
            company_context(company, actor="cli", role="admin") as ctx:
        summary = service.import_statement(ctx, file.name, file.read_bytes(), mapping, progress=progress)
    for issue in summary.balance_warnings + summary.issues:
        err_console.print(f"[yellow]warning[/yellow] {issue}")
    if summary.changed_nothing:
        console.print(f"{file.name}: already imported ({summary.entries_duplicate} entries), nothing changed")
        return
    console.print(f"{file.name}: {summary.statements_new} statement(s), {summary.entries_new} new entries "
                  f"({summary.entries_duplicate} already known): {summary.auto} applied automatically, "
                  f"{summary.suggested} suggested, {summary.unmatched} unmatched")


@app.command("review")
@handle_errors
def review(
    company: CompanyOption = None,
    queue: Annotated[str, typer.Option(help="suggestions, unmatched or both")] = "both",
    limit: Annotated[int, typer.Option(help="Rows per queue.")] = 50,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json")] = "table",
) -> None:
    """List suggestions (confirm or reject them) and unmatched payments."""
    queues = ["suggestions", "unmatched"] if queue == "both" else [queue]
    with company_context(company) as ctx:
        for name in queues:
            views, total = service.review_queue(ctx, name, limit)
            rows = [_review_row(v) for v in views]
            emit(rows, fmt, title=f"{name} ({total})")


def _review_row(v: service.ProposalView) -> dict[str, object]:
    p = v.proposal
    return {"id": p.id, "status": p.status, "confidence": f"{p.confidence:.2f}", "booked_on": p.booked_on or "",
            "amount": f"{service.to_decimal(p.amount_minor, p.currency)} {p.currency}",
            "payer": p.payer_name or "", "invoices": ", ".join(ln.invoice_number for ln in v.lines),
            "reasons": "; ".join(p.reasons or [])}


@app.command("confirm")
@handle_errors
def confirm(proposal_id: Annotated[int, typer.Argument(help="Proposal id (see `arguard recon review`).")],
            company: CompanyOption = None,
            reason: Annotated[str | None, typer.Option(help="Why it is right (kept in the audit log).")] = None) -> None:
    """Confirm a suggestion: apply it in the ledger and learn the payer for the customer."""
    with company_context(company) as ctx:
        row = service.confirm(ctx, proposal_id, reason)
    console.print(f"proposal {row.id} confirmed")


@app.command("reject")
@handle_errors
def reject(proposal_id: Annotated[int, typer.Argument(help="Proposal id (see `arguard recon review`).")],
           reason: Annotated[str, typer.Option(help="Why the match is wrong.")],
           company: CompanyOption = None) -> None:
    """Reject a suggestion (or reverse an automatic match); that payer is never matched to it again."""
    with company_context(company) as ctx:
        row = service.reject(ctx, proposal_id, reason)
    console.print(f"proposal {row.id} rejected")


def _line(text: str) -> tuple[str, Decimal]:
    number, _, amount = text.partition("=")
    if not number or not amount:
        raise typer.BadParameter(f"write an invoice as NUMBER=AMOUNT, not {text!r}")
    return number.strip(), Decimal(amount.strip())


@app.command("apply")
@handle_errors
def apply_(proposal_id: Annotated[int, typer.Argument(help="Proposal id (see `arguard recon review`).")],
           customer: Annotated[str, typer.Option(help="The customer whose money it is.")],
           reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")],
           invoice: Annotated[list[str] | None, typer.Option(help="NUMBER=AMOUNT, repeat to split; none: on account.")]
           = None, company: CompanyOption = None) -> None:
    """Cash application by hand: book an unplaced receipt to a customer, on account or split over invoices."""
    with company_context(company) as ctx:
        row = manual.apply_by_hand(ctx, proposal_id, customer, [_line(i) for i in invoice or []], reason)
    console.print(f"proposal {row.id} applied to {customer}")


@app.command("not-customer")
@handle_errors
def not_customer(proposal_id: Annotated[int, typer.Argument(help="Proposal id.")],
                 reason: Annotated[str, typer.Option(help="Whose money it is instead.")],
                 company: CompanyOption = None) -> None:
    """Mark money that is no customer's (a refund, interest, an own transfer)."""
    with company_context(company) as ctx:
        row = manual.mark_not_customer(ctx, proposal_id, reason)
    console.print(f"proposal {row.id}: not a customer's money")


@app.command("write-off")
@handle_errors
def write_off(residual_id: Annotated[int, typer.Argument(help="Residual id (arguard recon residuals).")],
              reason: Annotated[str, typer.Option(help="Why it is written off.")],
              company: CompanyOption = None) -> None:
    """Write off a short payment, bank charges or an FX difference within the materiality tolerance."""
    with company_context(company) as ctx:
        r = manual.write_off_residual(ctx, residual_id, reason)
    console.print(f"residual {r.id} on {r.invoice_number} written off")



@app.command("residuals")
@handle_errors
def residuals(company: CompanyOption = None, customer: Annotated[str | None, typer.Option()] = None,
              limit: Annotated[int, typer.Option(help="Rows.")] = 50,
              fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json")] = "table") -> None:
    """What payments left open (short payments, bank charges, FX differences, unapplied cash), with ids."""
    with company_context(company) as ctx:
        rows, total = service.residuals(ctx, None, customer, limit)
        out = [{"id": r.id, "kind": r.kind, "customer": r.customer_code, "invoice": r.invoice_number,
                "amount": str(service.to_decimal(r.amount_minor, r.currency)), "currency": r.currency,
                "booked_on": r.booked_on} for r in rows]
    emit(out, fmt, title=f"residuals ({total})")
