"""Limits commands: `arguard limits …` and the top-level `arguard check ORDER.json`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from arguard.cli.common import (
    CompanyOption,
    LazyModule,
    cell_text,
    company_context,
    console,
    emit,
    err_console,
    handle_errors,
)
from arguard.core.money import Money
from arguard.limits.orders_io import parse_order_json, parse_orders_csv
from arguard.limits.terms import discount_economics

if TYPE_CHECKING:
    from arguard.limits import service
else:  # imported when a command runs, not while `--help` is written
    service = LazyModule("arguard.limits.service")

app = typer.Typer(help="Credit limits, exposure, the order credit check and payment terms.", no_args_is_help=True)
AsOf = Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD); default today.")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]


def _as_of(text: str | None) -> date:
    return date.fromisoformat(text) if text else datetime.now(UTC).date()


def _money(ctx: Any, amount: str | None) -> Money | None:
    return None if amount is None else Money.of(amount, service.get_policy(ctx).currency)


@handle_errors
def check(order_file: Annotated[Path, typer.Argument(help="One order as JSON: order_id, customer, amount, "
                                                          "currency, ship_date.")],
          company: CompanyOption = None, as_of: AsOf = None, fmt: Fmt = "table") -> None:
    """Check one sales order against the buyer's limit: release, hold, prepayment, guarantee or shorter terms."""
    line = parse_order_json(order_file.read_text(encoding="utf-8"), str(order_file))
    with company_context(company) as ctx:
        answer = service.check_order(ctx, service.OrderCheck(line.order_id, line.customer_code, line.amount,
                                                             line.ship_date), as_of=_as_of(as_of))
    out = answer.to_json()
    if fmt == "json":
        emit([out], "json")
        return
    colour = "green" if answer.status == "released" else "yellow"
    console.print(f"order [bold]{answer.order_id}[/bold] ({answer.customer_code}, {answer.amount}): "
                  f"[{colour}]{answer.outcome}[/{colour}]" + (" (already checked)" if answer.replayed else ""))
    limit = (f"limit {cell_text(out['limit'])}, available {cell_text(out['available'])}"
             if out.get("limit") is not None else "no limit in force")
    console.print(f"exposure {cell_text(out['exposure'])} → {cell_text(out['exposure_after'])} "
                  f"{out['limit_currency']}, {limit}")
    for r in answer.reasons:
        console.print(f"  • [{r['decision']}] {r['message']}", markup=False)


@app.command("recommend")
@handle_errors
def recommend(customer: str, company: CompanyOption = None, as_of: AsOf = None, fmt: Fmt = "table") -> None:
    """Recommended limit of a buyer, every bound, and the rule that decided it."""
    with company_context(company) as ctx:
        rec = service.recommendation_json(service.recommend(ctx, customer, _as_of(as_of)))
    if fmt == "json":
        emit([rec], "json")
        return
    console.print(f"recommended limit for [bold]{customer}[/bold]: {rec['amount']} {rec['currency']}"
                  f" (bound by {rec['binding_rule']})")
    emit(rec["bounds"], fmt, title="bounds")
    for note in rec["notes"]:
        console.print(f"  note: {note}")


@app.command("request")
@handle_errors
def request(customer: str, amount: Annotated[str | None, typer.Option()] = None,
            kind: Annotated[str, typer.Option()] = "internal", reason: Annotated[str | None, typer.Option()] = None,
            company: CompanyOption = None, as_of: AsOf = None) -> None:
    """Request a limit (or, without an amount, a review of the limit)."""
    with company_context(company) as ctx:
        row = service.request_limit(ctx, customer, kind=kind, amount=_money(ctx, amount), on=_as_of(as_of),
                                    reason=reason)
    console.print(f"limit request {row.id} recorded for {customer}")


@app.command("decide")
@handle_errors
def decide(customer: str, status: Annotated[str, typer.Option(help="approved, partly_approved, refused, "
                                                                     "conditional, reduced, cancelled")],
           reason: Annotated[str, typer.Option(help="Why (recorded in the audit log).")],
           amount: Annotated[str | None, typer.Option()] = None,
           kind: Annotated[str, typer.Option(help="internal, insured or discretionary")] = "internal",
           effective_from: Annotated[str | None, typer.Option()] = None,
           effective_to: Annotated[str | None, typer.Option()] = None,
           review_on: Annotated[str | None, typer.Option()] = None,
           request_id: Annotated[int | None, typer.Option()] = None,
           conditions: Annotated[str | None, typer.Option()] = None,
           reference: Annotated[str | None, typer.Option(help="The insurer's decision reference.")] = None,
           cover_stopped: Annotated[bool, typer.Option(help="The insurer stopped cover.")] = False,
           company: CompanyOption = None, as_of: AsOf = None) -> None:
    """Record a limit decision (who, when, why and what was seen go to the audit log)."""
    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None

    with company_context(company, actor="cli") as ctx:
        row = service.decide_limit(ctx, customer, service.DecisionInput(
            kind=kind, status=status, amount=_money(ctx, amount), reason=reason, effective_from=day(effective_from),
            effective_to=day(effective_to), review_on=day(review_on), request_id=request_id, conditions=conditions,
            reference=reference, cover_stopped=cover_stopped), on=_as_of(as_of))
        currency = row.currency
    console.print(f"{kind} limit of {customer}: {status} {Money.from_minor(row.amount_minor, currency)} "
                  f"from {row.effective_from}")


@app.command("show")
@handle_errors
def show(customer: str, company: CompanyOption = None, as_of: AsOf = None, fmt: Fmt = "table") -> None:
    """A buyer's exposure, limit in force and limit decisions."""
    with company_context(company) as ctx:
        exposure = service.buyer_exposure(ctx, customer, _as_of(as_of))
        history = [{"id": d.id, "kind": d.kind, "status": d.status,
                    "amount": str(Money.from_minor(d.amount_minor, d.currency).amount),
                    "from": d.effective_from, "to": d.effective_to, "by": d.actor, "reason": d.reason}
                   for d in service.limit_history(ctx, customer)]
    emit([exposure], fmt, title=f"exposure of {customer}")
    emit(history, fmt, title="decisions")


@app.command("exposure")
@handle_errors
def exposure(company: CompanyOption = None, as_of: AsOf = None, top: int = 30, fmt: Fmt = "table") -> None:
    """Exposure against limit per buyer, largest first."""
    with company_context(company) as ctx:
        rows, total = service.exposure_report(ctx, _as_of(as_of), limit=top)
    keys = ("customer", "country", "receivables", "shipped", "orders", "exposure", "limit", "available",
            "utilisation")
    emit([{k: r[k] for k in keys} for r in rows], fmt, title=f"exposure vs limit ({len(rows)} of {total})")


@app.command("holds")
@handle_errors
def holds(company: CompanyOption = None, fmt: Fmt = "table") -> None:
    """Orders waiting for a credit manager."""
    with company_context(company) as ctx:
        rows, _ = service.hold_queue(ctx)
        out = [{"order_id": o.order_id, "customer": c, "amount": str(Money.from_minor(o.amount_minor, o.currency)),
                "decision": o.outcome, "reasons": "; ".join(r["message"] for r in o.reasons)} for o, c in rows]
    emit(out, fmt, title="hold queue")


@app.command("release")
@handle_errors
def release(order_id: str, comment: Annotated[str, typer.Option()], company: CompanyOption = None) -> None:
    """Release a held order (credit manager decision, with a comment)."""
    with company_context(company) as ctx:
        service.release_order(ctx, order_id, comment)
    console.print(f"order {order_id} released")


@app.command("reject")
@handle_errors
def reject(order_id: str, comment: Annotated[str, typer.Option()], company: CompanyOption = None) -> None:
    """Reject a held order (with a comment)."""
    with company_context(company) as ctx:
        service.reject_order(ctx, order_id, comment)
    console.print(f"order {order_id} rejected")


@app.command("cancel")
@handle_errors
def cancel(order_id: str, reason: Annotated[str, typer.Option()], company: CompanyOption = None) -> None:
    """Cancel an order before it ships (frees its reservation)."""
    with company_context(company) as ctx:
        service.cancel_order(ctx, order_id, reason)
    console.print(f"order {order_id} cancelled")


@app.command("import-orders")
@handle_errors
def import_orders(path: Path, company: CompanyOption = None, as_of: AsOf = None) -> None:
    """Import the order book (CSV: order_id, customer, amount, currency, ship_date[, status])."""
    lines, issues = parse_orders_csv(path.read_text(encoding="utf-8"), path.name)
    with company_context(company) as ctx:
        results, more = service.import_orders(ctx, lines, as_of=_as_of(as_of), source=path.name)
    released = sum(r["status"] in ("released", "shipped") for r in results)
    console.print(f"{len(results)} orders recorded ({released} released or shipped, "
                  f"{len(results) - released} held); {len(issues) + len(more)} rejected")
    for issue in issues + more:
        err_console.print(f"  {issue}")


@app.command("appetite")
@handle_errors
def appetite(scope: Annotated[str | None, typer.Argument()] = None, key: Annotated[str, typer.Argument()] = "*",
             amount: Annotated[str | None, typer.Argument()] = None,
             remove: Annotated[bool, typer.Option("--remove")] = False, company: CompanyOption = None,
             fmt: Fmt = "table") -> None:
    """Show the risk appetite, or set one cap: `arguard limits appetite country CN 2000000`."""
    with company_context(company) as ctx:
        if scope is not None:
            service.set_appetite(ctx, scope, key, None if remove else _money(ctx, amount), "set by CLI")
        a = service.get_appetite(ctx)
    emit([{"scope": s, "key": k, "cap": str(m)} for (s, k), m in sorted(a.caps.items())], fmt,
         title="risk appetite")


@app.command("block")
@handle_errors
def block(customer: str, reason: Annotated[str, typer.Option()],
          lift: Annotated[bool, typer.Option("--lift", help="Lift the block.")] = False,
          company: CompanyOption = None) -> None:
    """Hold every new order of a buyer (or lift the hold)."""
    with company_context(company) as ctx:
        service.set_order_block(ctx, customer, not lift, reason)
    console.print(f"orders of {customer} {'no longer ' if lift else ''}blocked")


@app.command("terms")
@handle_errors
def terms(customer: str, company: CompanyOption = None, as_of: AsOf = None) -> None:
    """Recommended payment terms for a buyer, with why."""
    with company_context(company) as ctx:
        t = service.terms_advice(ctx, customer, _as_of(as_of))
    console.print(f"{customer}: [bold]{t.label}[/bold]" + (f", with {t.security}" if t.security else ""))
    for r in t.reasons:
        console.print(f"  • {r}")


@app.command("discount")
@handle_errors
def discount(rate: Annotated[str, typer.Argument(help="e.g. 0.02 for 2 %")], discount_days: int, net_days: int,
             customer: Annotated[str | None, typer.Option()] = None, company: CompanyOption = None,
             as_of: AsOf = None) -> None:
    """Is an early-payment discount (e.g. 0.02 10 30 = 2/10 net 30) worth offering?"""
    with company_context(company) as ctx:
        policy = service.get_policy(ctx)
        pd = service.buyer_pd(ctx, customer, _as_of(as_of)) if customer else None
    e = discount_economics(Decimal(rate), discount_days, net_days, cost_of_capital=policy.cost_of_capital, pd_12m=pd)
    console.print(f"{Decimal(rate) * 100:g}/{discount_days} net {net_days} costs {e.annual_cost * 100:.2f} % a year "
                  f"({e.annual_cost_compound * 100:.2f} % compounded) against a cost of capital of "
                  f"{policy.cost_of_capital * 100:g} %")
    console.print(f"per 100 invoiced: financing saved {e.financing_saving}, expected loss saved {e.loss_saving}, "
                  f"net {e.net_benefit} → {'worth offering' if e.worth_offering else 'not worth offering'}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="limits")
    root.command("check")(check)
