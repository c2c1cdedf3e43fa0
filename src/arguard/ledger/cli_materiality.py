"""`arguard ledger materiality` and `arguard ledger leftovers` (ledger rules 12–14)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer

from arguard.cli.common import CompanyOption, LazyModule, company_context, console, emit, handle_errors
from arguard.core.errors import ValidationError

if TYPE_CHECKING:
    from arguard.ledger import service_materiality as service
else:  # imported when a command runs, not while `--help` is written
    service = LazyModule("arguard.ledger.service_materiality")


@handle_errors
def materiality(amount: Annotated[str | None, typer.Option(help="Tolerance in the base currency, e.g. 50")] = None,
                share: Annotated[str | None, typer.Option(help="Tolerance as a share of the invoice, e.g. 0.05")] = None,
                reason: Annotated[str | None, typer.Option(help="Why it changes (required to set)")] = None,
                fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
                company: CompanyOption = None) -> None:
    """Show the materiality tolerance, or set it (--amount, --share and --reason; credit manager)."""
    with company_context(company) as ctx:
        if amount is not None or share is not None:
            current = service.get_materiality(ctx)
            m = service.set_materiality(ctx, Decimal(amount) if amount is not None else current.amount.amount,
                                        Decimal(share) if share is not None else current.share, reason or "")
        else:
            m = service.get_materiality(ctx)
    emit([{"amount": str(m.amount.amount), "currency": m.amount.currency, "share": str(m.share)}], fmt,
         title="Materiality: open leftovers at most this amount and this share of the invoice are immaterial")


@handle_errors
def leftovers(customer: Annotated[str | None, typer.Option(help="One customer's leftovers")] = None,
              as_of: Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD); default today.")] = None,
              write_off: Annotated[bool, typer.Option("--write-off", help="Write them off (credit manager)")] = False,
              reason: Annotated[str | None, typer.Option(help="Why (required with --write-off)")] = None,
              limit: int = 1000, fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
              company: CompanyOption = None) -> None:
    """Immaterial open leftovers past due (bank charges, rounding), oldest first; --write-off books them."""
    from arguard.ledger.cli import as_of_date

    day = as_of_date(as_of)
    with company_context(company) as ctx:
        if write_off:
            if not (reason or "").strip():
                raise ValidationError("--write-off needs --reason", code="reason_required")
            done = service.write_off_leftovers(ctx, day, reason or "", customer)
            items, totals = done.items, done.totals
        else:
            items, totals = service.leftovers(ctx, day, customer, limit), {}
    emit([{"customer": lo.customer_code, "number": lo.number, "due_date": lo.due_date.isoformat(),
           "days_past_due": lo.days_past_due(day), "currency": lo.open.currency, "open": str(lo.open.amount),
           "amount": str(lo.amount.amount)} for lo in items], fmt,
         title=f"{'Written off' if write_off else 'Immaterial leftovers'} as of {day} ({len(items)})")
    if write_off and fmt == "table":
        console.print("written off: " + (", ".join(f"{m.amount} {c}" for c, m in sorted(totals.items())) or "nothing"))
