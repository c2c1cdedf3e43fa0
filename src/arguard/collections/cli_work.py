"""Collections commands for the daily work: worklist, tasks, assignment, contacts, promises, disputes, cases,
write-offs, statements and KPIs (`arguard collections …`). Each command is one unit of work calling the
services; --format json prints what the API answers."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer

from arguard.cli.common import CompanyOption, company_context, console, handle_errors

AsOf = Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD); default today.")]
On = Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD); default today.")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="table or json.")]
Actor = Annotated[str, typer.Option("--as", help="Who does it (audit log; four eyes on write-offs).")]


def _day(text: str | None) -> date:
    return date.fromisoformat(text) if text else datetime.now(UTC).date()


def _out(rows: list[dict[str, Any]], fmt: str, emit: Any, title: str | None = None) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
    elif rows:
        emit(rows, "table", title)
    else:
        console.print("nothing to show")


def _money(amount: str, currency: str) -> Any:
    from arguard.core.money import Money

    return Money.of(amount, currency)


def add_commands(app: typer.Typer, emit: Any) -> None:
    promise_app = typer.Typer(help="Promises to pay.", no_args_is_help=True)
    dispute_app = typer.Typer(help="Disputed invoices.", no_args_is_help=True)
    case_app = typer.Typer(help="Agency and legal cases.", no_args_is_help=True)
    writeoff_app = typer.Typer(help="Write-offs with approval.", no_args_is_help=True)
    statements_app = typer.Typer(help="Statements of account sent and confirmed.", no_args_is_help=True)
    for sub, name in ((promise_app, "promise"), (dispute_app, "dispute"), (case_app, "case"),
                      (writeoff_app, "writeoff"), (statements_app, "statements")):
        app.add_typer(sub, name=name)

    @app.command("worklist")
    @handle_errors
    def worklist(as_of: AsOf = None, collector: Annotated[str | None, typer.Option(help="'-' = unassigned")] = None,
                 limit: int = 50, fmt: Fmt = "table", company: CompanyOption = None) -> None:
        """Buyers to call, highest value first (PD × overdue × days overdue / 365), with the reason."""
        from arguard.collections import service_work as w

        with company_context(company) as ctx:
            items, total = w.worklist(ctx, _day(as_of), collector, limit=limit)
            rows = [w.work_item_dict(i) for i in items]
        if fmt == "json":
            _out(rows, fmt, emit)
            return
        _out([{"customer": r["customer_id"], "collector": r["collector"] or "-", "level": r["level"],
               "overdue": r["overdue"], "days": r["oldest_days_overdue"], "value": r["value"], "why": r["why"]}
              for r in rows], fmt, emit, f"worklist ({total} buyers)")

    @app.command("tasks")
    @handle_errors
    def tasks(kind: str | None = None, fmt: Fmt = "table", company: CompanyOption = None) -> None:
        """Open calls, hand-overs and other tasks the runs queued."""
        from arguard.collections import service_work as w

        with company_context(company) as ctx:
            rows = [{"id": t.id, "customer": t.customer_code, "kind": t.kind, "due_on": t.due_on, "note": t.note}
                    for t in w.list_tasks(ctx, kind=kind)]
        _out(rows, fmt, emit, "open tasks")

    @app.command("assign")
    @handle_errors
    def assign(customer: str, collector: str, company: CompanyOption = None) -> None:
        """Give a buyer to a collector."""
        from arguard.collections import service_work as w

        with company_context(company) as ctx:
            w.assign(ctx, customer, collector)
        console.print(f"{customer} → {collector}")

    @app.command("contact")
    @handle_errors
    def contact(customer: str, channel: Annotated[str, typer.Option(help="call, email, letter, visit, meeting")],
                outcome: Annotated[str, typer.Option(help="reached, no_answer, promise, dispute, refused, "
                                                          "wrong_contact, paid")],
                note: str | None = None, on: On = None, actor: Actor = "cli", company: CompanyOption = None) -> None:
        """Log a contact with a buyer."""
        from arguard.collections import service_work as w

        with company_context(company, actor=actor) as ctx:
            w.log_contact(ctx, customer, _day(on), channel, outcome, note)
        console.print("contact logged")

    @promise_app.command("add")
    @handle_errors
    def promise_add(customer: str, amount: str, currency: str, due: Annotated[str, typer.Option("--due")],
                    on: On = None, reference: str | None = None, company: CompanyOption = None) -> None:
        """Record a promise to pay (the monitor raises an alert if it is broken)."""
        from arguard.collections import service_work as w

        with company_context(company) as ctx:
            p = w.add_promise(ctx, customer, _money(amount, currency), date.fromisoformat(due), _day(on), reference)
        console.print(f"promise {p.reference} recorded")

    @promise_app.command("check")
    @handle_errors
    def promise_check(as_of: AsOf = None, grace_days: int = 0, company: CompanyOption = None) -> None:
        """Settle promises whose date has passed: kept or broken."""
        from arguard.collections import service_work as w

        with company_context(company) as ctx:
            changed = [(p.reference, p.customer_code, p.status) for p in w.check_promises(ctx, _day(as_of), grace_days)]
        for ref, code, status in changed:
            console.print(f"{ref} ({code}): {status}")
        if not changed:
            console.print("no promise changed")

    @promise_app.command("list")
    @handle_errors
    def promise_list(customer: str | None = None, status: str | None = None, fmt: Fmt = "table",
                     company: CompanyOption = None) -> None:
        from arguard.collections import service_work as w
        from arguard.core.money import Money

        with company_context(company) as ctx:
            rows = [{"reference": p.reference, "customer": p.customer_code, "made_on": p.made_on, "due_on": p.due_on,
                     "amount": str(Money.from_minor(p.amount_minor, p.currency)), "status": p.status}
                    for p in w.list_promises(ctx, customer, status)]
        _out(rows, fmt, emit, "promises")

    @dispute_app.command("open")
    @handle_errors
    def dispute_open(invoice: str, reason: Annotated[str, typer.Option(help="pricing, quantity, quality, "
                                                                            "not_delivered, duplicate, terms, other")],
                     owner: Annotated[str, typer.Option()], note: str | None = None, on: On = None,
                     company: CompanyOption = None) -> None:
        """The buyer disputes an invoice (left out of dunning until resolved)."""
        from arguard.collections import service_work as w

        with company_context(company) as ctx:
            d = w.open_dispute(ctx, invoice, reason, owner, _day(on), note)
        console.print(f"dispute {d.id} opened on {invoice}")

    @dispute_app.command("resolve")
    @handle_errors
    def dispute_resolve(dispute_id: int, resolution: Annotated[str, typer.Option(
            help="credit_note, rejected, corrected, withdrawn")], note: str | None = None, on: On = None,
            company: CompanyOption = None) -> None:
        from arguard.collections import service_work as w

        with company_context(company) as ctx:
            w.resolve_dispute(ctx, dispute_id, resolution, _day(on), note)
        console.print(f"dispute {dispute_id} resolved: {resolution}")

    @dispute_app.command("list")
    @handle_errors
    def dispute_list(status: str | None = None, fmt: Fmt = "table", company: CompanyOption = None) -> None:
        from arguard.collections import service_work as w

        with company_context(company) as ctx:
            rows = [{"id": d.id, "invoice": d.invoice_number, "customer": d.customer_code, "reason": d.reason_code,
                     "owner": d.owner, "status": d.status, "opened_on": d.opened_on, "resolution": d.resolution}
                    for d in w.list_disputes(ctx, status)]
        _out(rows, fmt, emit, "disputes")

    @case_app.command("list")
    @handle_errors
    def case_list(status: str | None = None, fmt: Fmt = "table", company: CompanyOption = None) -> None:
        from arguard.collections import service_cases as c

        with company_context(company) as ctx:
            rows = [c.case_dict(r, *c.get_case(ctx, r.id)[1:]) for r in c.list_cases(ctx, status)]
        _out(rows if fmt == "json" else [{k: r[k] for k in ("id", "customer_id", "kind", "status", "opened_on",
                                                              "principal", "recovered", "currency")} for r in rows],
             fmt, emit, "cases")

    @case_app.command("open")
    @handle_errors
    def case_open(customer: str, kind: Annotated[str, typer.Option(help="agency or legal")],
                  handler: str | None = None, on: On = None, company: CompanyOption = None) -> None:
        """Hand a buyer's overdue items to an agency or a lawyer."""
        from arguard.collections import service_cases as c

        with company_context(company) as ctx:
            row = c.open_case(ctx, customer, kind, _day(on), handler)
        console.print(f"case {row.id} opened")

    @case_app.command("cost")
    @handle_errors
    def case_cost(case_id: int, amount: str, currency: str, note: str, on: On = None,
                  company: CompanyOption = None) -> None:
        from arguard.collections import service_cases as c

        with company_context(company) as ctx:
            c.add_case_cost(ctx, case_id, _money(amount, currency), _day(on), note)
        console.print("cost recorded")

    @case_app.command("recover")
    @handle_errors
    def case_recover(case_id: int, amount: str, currency: str, note: str | None = None, on: On = None,
                     company: CompanyOption = None) -> None:
        """Money recovered: cleared costs → interest → principal (policy), principal booked in the ledger."""
        from arguard.collections import service_cases as c
        from arguard.core.money import Money

        with company_context(company) as ctx:
            e = c.add_recovery(ctx, case_id, _money(amount, currency), _day(on), note)
            parts = {k: str(Money.from_minor(getattr(e, f"{k}_minor"), currency))
                     for k in ("costs", "interest", "principal", "surplus")}
        console.print(", ".join(f"{k} {v}" for k, v in parts.items()))

    @case_app.command("close")
    @handle_errors
    def case_close(case_id: int, status: Annotated[str, typer.Option(
            help="closed_paid, closed_settled, closed_uncollectable, closed_withdrawn")], note: str | None = None,
            on: On = None, company: CompanyOption = None) -> None:
        from arguard.collections import service_cases as c

        with company_context(company) as ctx:
            c.close_case(ctx, case_id, status, _day(on), note)
        console.print(f"case {case_id}: {status}")

    @writeoff_app.command("request")
    @handle_errors
    def writeoff_request(invoice: str, amount: str, currency: str, reason: Annotated[str, typer.Option()],
                         on: On = None, actor: Actor = "cli", company: CompanyOption = None) -> None:
        from arguard.collections import service_cases as c

        with company_context(company, actor=actor) as ctx:
            row = c.request_writeoff(ctx, invoice, _money(amount, currency), reason, _day(on))
        console.print(f"write-off request {row.id} waits for approval")

    @writeoff_app.command("decide")
    @handle_errors
    def writeoff_decide(request_id: int, approve: Annotated[bool, typer.Option("--approve/--reject")],
                        note: str = "", on: On = None, actor: Actor = "cli", company: CompanyOption = None) -> None:
        """Approve (booked in the ledger) or reject; the requester cannot approve."""
        from arguard.collections import service_cases as c

        with company_context(company, actor=actor) as ctx:
            row = c.decide_writeoff(ctx, request_id, approve, _day(on), note)
        console.print(f"write-off request {request_id}: {row.status}")

    @writeoff_app.command("list")
    @handle_errors
    def writeoff_list(status: str | None = None, fmt: Fmt = "table", company: CompanyOption = None) -> None:
        from arguard.collections import service_cases as c

        with company_context(company) as ctx:
            rows = [c.writeoff_dict(r) for r in c.list_writeoffs(ctx, status)]
        _out(rows, fmt, emit, "write-offs")

    @statements_app.command("send")
    @handle_errors
    def statements_send(as_of: AsOf = None, customer: Annotated[list[str] | None, typer.Option()] = None,
                        company: CompanyOption = None) -> None:
        """E-mail statements of account (PDF, the buyer's language) to buyers with an open balance."""
        from arguard.collections import service_statements as s

        with company_context(company) as ctx:
            rows = s.send_statements(ctx, _day(as_of), customer or None)
            n = len(rows)
        console.print(f"{n} statements queued (sent after the commit)")

    @statements_app.command("answer")
    @handle_errors
    def statements_answer(customer: str, as_of: Annotated[str, typer.Option("--as-of")],
                          confirmed: Annotated[bool, typer.Option("--confirmed/--objected")],
                          note: str | None = None, on: On = None, company: CompanyOption = None) -> None:
        """Record the buyer's confirmation or objection."""
        from arguard.collections import service_statements as s

        with company_context(company) as ctx:
            row = s.answer(ctx, customer, date.fromisoformat(as_of), confirmed, _day(on), note)
            status = row.status
        console.print(f"statement {customer} {as_of}: {status}")

    @statements_app.command("remind")
    @handle_errors
    def statements_remind(as_of: AsOf = None, after_days: int = 14, company: CompanyOption = None) -> None:
        """Remind buyers who neither confirmed nor objected."""
        from arguard.collections import service_statements as s

        with company_context(company) as ctx:
            n = len(s.remind_unconfirmed(ctx, _day(as_of), after_days))
        console.print(f"{n} reminders queued")

    @statements_app.command("list")
    @handle_errors
    def statements_list(status: str | None = None, fmt: Fmt = "table", company: CompanyOption = None) -> None:
        from arguard.collections import service_statements as s

        with company_context(company) as ctx:
            rows = [s.statement_dict(r) for r in s.list_statements(ctx, status)]
        _out(rows, fmt, emit, "statements")

    @app.command("kpis")
    @handle_errors
    def kpis(as_of: AsOf = None, period_days: int = 90, fmt: Fmt = "table", company: CompanyOption = None) -> None:
        """CEI, recovery rate, promise-kept rate, amounts per level, collector performance."""
        from arguard.collections import service_kpis as k

        with company_context(company) as ctx:
            out = k.kpis(ctx, _day(as_of), period_days)
        if fmt == "json":
            sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n")
            return
        for c in out["cei"]:
            console.print(f"CEI {c['currency']}: {c['cei_pct']} %")
        r, p = out["recovery"], out["promises"]
        console.print(f"recovery rate: {r['recovery_rate_pct']} % ({r['recovered']} of {r['claimed']} {r['currency']}, "
                      f"{r['cases']} cases)")
        console.print(f"promises kept: {p['promise_kept_rate_pct']} % ({p['kept']} kept, {p['broken']} broken)")
        _out(out["per_level"], "table", emit, "amounts per level")
        _out(out["collectors"], "table", emit, "collectors")
