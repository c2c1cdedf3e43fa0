"""Credit insurance commands, second part: insured limits, declarations, claims and recoveries."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from arguard.cli.common import CompanyOption, LazyModule, company_context, console, emit, handle_errors
from arguard.core.money import Money
from arguard.insurance.render import render_declaration
from arguard.insurance.terms import declaration_periods

if TYPE_CHECKING:
    from arguard.insurance import service, service_claims
else:  # imported when a command runs, not while `--help` is written
    service = LazyModule("arguard.insurance.service")
    service_claims = LazyModule("arguard.insurance.service_claims")

limit_app = typer.Typer(help="Insured limit requests, insurer decisions and discretionary limits.",
                        no_args_is_help=True)
declare_app = typer.Typer(help="Turnover (premium) and overdue declarations.", no_args_is_help=True)
claim_app = typer.Typer(help="Claims (insolvency, protracted default) and recoveries.", no_args_is_help=True)

On = Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD); default today.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD); default today.")]
Fmt = Annotated[str, typer.Option("--format", "-f", help="table or json.")]
PolicyNo = Annotated[str | None, typer.Option("--policy", "-p", help="Policy number (default: the one in force).")]


def _day(text: str | None) -> date:
    return date.fromisoformat(text) if text else datetime.now(UTC).date()


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


# ---------------------------------------------------------------- limits

@limit_app.command("request")
@handle_errors
def limit_request(customer: str, amount: str, on: On = None, reason: str | None = None, policy: PolicyNo = None,
                  company: CompanyOption = None) -> None:
    """Record a limit request sent to the insurer."""
    with company_context(company) as ctx:
        p = service.get_policy(ctx, policy, _day(on))
        rid = service_claims.request_insured_limit(ctx, customer, Money.of(amount, p.currency), _day(on), reason)
    console.print(f"limit request {rid} for {customer}: {amount} {p.currency}")


@limit_app.command("decide")
@handle_errors
def limit_decide(customer: str,
                 status: Annotated[str, typer.Argument(help="approved, partly_approved, refused, conditional, "
                                                            "reduced, cancelled")],
                 amount: Annotated[str | None, typer.Option("--amount")] = None,
                 reason: Annotated[str, typer.Option("--reason")] = "insurer decision",
                 effective_from: Annotated[str | None, typer.Option("--from")] = None,
                 request_id: Annotated[int | None, typer.Option("--request")] = None,
                 conditions: Annotated[str | None, typer.Option("--conditions")] = None,
                 reference: Annotated[str | None, typer.Option("--reference")] = None,
                 on: On = None, policy: PolicyNo = None, company: CompanyOption = None) -> None:
    """Record the insurer's decision on a buyer (reductions take effect after the notice period)."""
    with company_context(company) as ctx:
        p = service.get_policy(ctx, policy, _day(on))
        d = service_claims.record_insurer_decision(
            ctx, customer, status=status, amount=None if amount is None else Money.of(amount, p.currency),
            on=_day(on), reason=reason, effective_from=date.fromisoformat(effective_from) if effective_from else None,
            request_id=request_id, conditions=conditions, reference=reference)
    console.print(f"{customer}: insurer {d.status} {d.amount.amount} {d.amount.currency} from {d.effective_from}")


@limit_app.command("discretionary")
@handle_errors
def limit_discretionary(customer: str, amount: str,
                        basis: Annotated[str, typer.Option("--basis", help="Credit report or payment experience.")],
                        on: On = None, policy: PolicyNo = None, company: CompanyOption = None) -> None:
    """Set a discretionary limit within the policy's maximum."""
    with company_context(company) as ctx:
        p = service.get_policy(ctx, policy, _day(on))
        service_claims.set_discretionary_limit(ctx, p, customer, Money.of(amount, p.currency), _day(on), basis)
    console.print(f"{customer}: discretionary limit {amount} {p.currency}")


@limit_app.command("list")
@handle_errors
def limit_list(as_of: AsOf = None, policy: PolicyNo = None, company: CompanyOption = None, fmt: Fmt = "table") -> None:
    """Insured and discretionary cover in force per buyer."""
    with company_context(company, role="viewer") as ctx:
        p = service.get_policy(ctx, policy, _day(as_of))
        rows = service_claims.insured_limits(ctx, p, _day(as_of))
    if fmt == "json":
        _print_json(rows)
    else:
        emit([{"customer": r["customer"], "limit": r["limit"], "currency": r["currency"],
               "changes": len(r["spans"])} for r in rows], "table", title="insured limits")


# ---------------------------------------------------------------- declarations

@declare_app.command("turnover")
@handle_errors
def declare_turnover(period: Annotated[str | None, typer.Option("--period", help="First day of the period; "
                                                                "default: every period ended by --as-of.")] = None,
                     as_of: AsOf = None, policy: PolicyNo = None, company: CompanyOption = None,
                     fmt: Fmt = "table") -> None:
    """Turnover declaration(s) from the ledger and the premium due."""
    day = _day(as_of)
    with company_context(company) as ctx:
        p = service.get_policy(ctx, policy, day)
        periods = [x for x in declaration_periods(p) if (x[0].isoformat() == period if period else x[1] <= day)]
        rows = [service_claims.declaration_json(service_claims.declare_turnover(ctx, p, x)) for x in periods]
    if fmt == "json":
        _print_json(rows)
    else:
        emit([{"id": r["id"], "period": f"{r['period_start']} – {r['period_end']}", "turnover": r["amount"],
               "premium": r["premium"], "sent_on": r["sent_on"]} for r in rows], "table", title="turnover declarations")


@declare_app.command("overdue")
@handle_errors
def declare_overdue(as_of: AsOf = None, policy: PolicyNo = None, company: CompanyOption = None,
                    out: Annotated[Path | None, typer.Option("--out", help="Write the declaration (.csv, .json "
                                                                           "or .pdf).")] = None) -> None:
    """Overdue declaration from the ledger: covered invoices past their MEP not yet notified."""
    with company_context(company) as ctx:
        p = service.get_policy(ctx, policy, _day(as_of))
        row = service_claims.declare_overdue(ctx, p, _day(as_of))
        data = service_claims.declaration_json(row)
    if out is not None:
        out.write_bytes(render_declaration(data, out.suffix.lstrip(".").lower() or "json"))
    console.print(f"overdue declaration {data['id']}: {len(data['content']['buyers'])} buyer(s), "
                  f"{data['amount']} {data['currency']}" + (f" → {out}" if out else ""))


@declare_app.command("sent")
@handle_errors
def declare_sent(declaration_id: int, on: On = None, company: CompanyOption = None) -> None:
    """Mark a declaration as sent (an overdue one notifies every buyer it lists)."""
    with company_context(company) as ctx:
        service_claims.mark_sent(ctx, declaration_id, _day(on))
    console.print(f"declaration {declaration_id} marked as sent")


@declare_app.command("list")
@handle_errors
def declare_list(policy: PolicyNo = None, company: CompanyOption = None, fmt: Fmt = "table") -> None:
    """Declarations made."""
    with company_context(company, role="viewer") as ctx:
        rows = [service_claims.declaration_json(d) for d in service_claims.list_declarations(ctx, policy)]
    if fmt == "json":
        _print_json(rows)
    else:
        emit([{k: r[k] for k in ("id", "kind", "period_start", "period_end", "amount", "premium", "sent_on")}
              for r in rows], "table", title="declarations")


# ---------------------------------------------------------------- claims

@claim_app.command("open")
@handle_errors
def claim_open(customer: str, cause: Annotated[str, typer.Argument(help="insolvency, protracted_default or "
                                                                         "political")],
               as_of: AsOf = None, policy: PolicyNo = None, company: CompanyOption = None) -> None:
    """Open a draft claim: file assembled from the ledger, indemnity computed with every term."""
    with company_context(company) as ctx:
        p = service.get_policy(ctx, policy, _day(as_of))
        out = service_claims.claim_json(ctx, service_claims.open_claim(ctx, p, customer, cause, _day(as_of)))
    _show_claim(out)


def _show_claim(c: dict[str, object]) -> None:
    console.print(f"claim {c['id']} on {c['customer']} ({c['cause']}): {c['status']}, indemnity {c['indemnity']} "
                  f"{c['currency']}")
    emit([{k: x[k] for k in ("name", "amount", "explanation")} for x in c["terms"]],  # type: ignore[attr-defined]
         "table", title="indemnity")


def _advance(action: str, claim_id: int, on: str | None, company: str | None, reason: str | None = None,
             amount: str | None = None) -> None:
    with company_context(company) as ctx:
        claim = service_claims.get_claim(ctx, claim_id)
        p = service.get_policy(ctx, claim.policy_number)
        row = service_claims.advance_claim(ctx, p, claim_id, action, _day(on), reason=reason,
                                           amount=None if amount is None else Money.of(amount, p.currency))
        out = service_claims.claim_json(ctx, row)
    _show_claim(out)


@claim_app.command("file")
@handle_errors
def claim_file(claim_id: int, on: On = None, company: CompanyOption = None) -> None:
    """File a draft claim with the insurer."""
    _advance("file", claim_id, on, company)


@claim_app.command("review")
@handle_errors
def claim_review(claim_id: int, on: On = None, company: CompanyOption = None) -> None:
    """The insurer has the claim under review."""
    _advance("review", claim_id, on, company)


@claim_app.command("pay")
@handle_errors
def claim_pay(claim_id: int, on: On = None, amount: Annotated[str | None, typer.Option("--amount")] = None,
              company: CompanyOption = None) -> None:
    """The insurer paid the claim (the computed indemnity unless --amount)."""
    _advance("pay", claim_id, on, company, amount=amount)


@claim_app.command("reject")
@handle_errors
def claim_reject(claim_id: int, reason: Annotated[str, typer.Option("--reason")], on: On = None,
                 company: CompanyOption = None) -> None:
    """The insurer rejected the claim, with its reason."""
    _advance("reject", claim_id, on, company, reason=reason)


@claim_app.command("recover")
@handle_errors
def claim_recover(claim_id: int, amount: str, on: On = None, reference: str | None = None,
                  company: CompanyOption = None) -> None:
    """Record money recovered after payout (shared pro rata with the insurer)."""
    with company_context(company) as ctx:
        claim = service_claims.get_claim(ctx, claim_id)
        r = service_claims.add_recovery(ctx, claim_id, Money.of(amount, claim.currency), _day(on), reference)
    console.print(f"recovery {amount}: insurer {Money.from_minor(r.insurer_minor, r.currency).amount}, "
                  f"seller {Money.from_minor(r.seller_minor, r.currency).amount}")


@claim_app.command("list")
@handle_errors
def claim_list(policy: PolicyNo = None, company: CompanyOption = None, fmt: Fmt = "table") -> None:
    """Claims and their recoveries."""
    with company_context(company, role="viewer") as ctx:
        rows = [service_claims.claim_json(ctx, c) for c in service_claims.list_claims(ctx, policy)]
    if fmt == "json":
        _print_json(rows)
    else:
        emit([{"id": r["id"], "customer": r["customer"], "cause": r["cause"], "status": r["status"],
               "indemnity": r["indemnity"], "paid": r["paid"], "recoveries": len(r["recoveries"])} for r in rows],
             "table", title="claims")


@claim_app.command("show")
@handle_errors
def claim_show(claim_id: int, company: CompanyOption = None,
               out: Annotated[Path | None, typer.Option("--out", help="Write the claim file (.json or .pdf).")] = None,
               language: Annotated[str, typer.Option("--language", help="The PDF's language: en or zh-CN.")] = "en",
               ) -> None:
    """A claim with its file (JSON), or the claim file for the insurer written to --out."""
    with company_context(company, role="viewer") as ctx:
        data = service_claims.claim_json(ctx, service_claims.get_claim(ctx, claim_id), with_file=True)
    if out is None:
        _print_json(data)
        return
    if out.suffix.lower() == ".pdf":
        from arguard.insurance.render import render_claim_file

        out.write_bytes(render_claim_file(data, language))
    else:
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    console.print(f"claim {claim_id} file → {out}")


# ---------------------------------------------------------------- the underwriter's view

_FLAG_SHORT = {"approved_above_recommendation": "G", "requested_above_recommendation": "A",
               "weak_grade_with_cover": "W"}
_FLAG_LEGEND = "G granted > rec., A asked > rec., W grade 8-10 with cover"
_STATUS_SHORT = {"partly_approved": "partly"}


@handle_errors
def underwriting(as_of: AsOf = None, policy: PolicyNo = None, company: CompanyOption = None, fmt: Fmt = "table",
                 customer: Annotated[str | None, typer.Option("--customer", help="One buyer's lines only.")] = None,
                 ) -> None:
    """Insured-limit requests and insurer decisions beside the risk engine's grade, PD and recommended
    limit; disagreements flagged: G (the insurer granted more than the recommendation), A (more was asked
    than the recommendation), W (grade 8-10 with cover in force)."""
    from arguard.insurance.service_underwriting import underwriting_view

    with company_context(company, role="viewer") as ctx:
        p = service.get_policy(ctx, policy, _day(as_of))
        view = underwriting_view(ctx, p, _day(as_of), customer)
    if fmt == "json":
        _print_json(view)
        return
    rows = [{"buyer": x["customer"], "asked": x["requested"],
             "insurer": _STATUS_SHORT.get(x["decision"]["status"], x["decision"]["status"]),
             "granted": x["decision"]["amount"], "rec.": x["risk"]["recommended_limit"],
             "flags": " ".join(_FLAG_SHORT[f] for f in x["flags"]), "grade": x["risk"]["grade"],
             "PD %": _pct(x["risk"]["pd_12m"]), "exposure": x["exposure"]} for x in view["lines"]]
    # the disagreements stay on an 80-column terminal (one letter each); PD and exposure give way first
    emit(rows, "table", title=f"underwriting {view['policy_number']} ({view['currency']}, {view['as_of']}): "
                              f"{view['flagged']} of {len(rows)} flagged · {_FLAG_LEGEND}",
         drop_first=("PD %", "exposure", "grade"))


def _pct(pd: float | None) -> str | None:
    return None if pd is None else f"{pd * 100:.2f}"
