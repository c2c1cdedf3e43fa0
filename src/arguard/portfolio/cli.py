"""`arguard portfolio …`: the book's loss distribution (from a file, no database; or the stored book)
and what an insurance policy does to it."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from arguard.cli.common import CompanyOption, company_context, console, emit, err_console, handle_errors
from arguard.core.errors import ValidationError

app = typer.Typer(name="portfolio", help="Portfolio credit loss: distribution, VaR/ES, value of insurance.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="portfolio")


def _correlation(rho: float | None, factors: Path | None) -> Any:
    from arguard.portfolio.model import Correlation
    from arguard.portfolio.service import correlation_from_file

    if rho is not None and factors is not None:
        raise ValidationError("give --rho or --factors, not both", code="conflicting_options")
    if rho is not None:
        if not 0 <= rho < 1:
            raise ValidationError(f"--rho {rho} outside [0, 1)", code="invalid_rho")
        return Correlation.one_factor(rho)
    return correlation_from_file(factors) if factors else Correlation()


Buyers = Annotated[Path | None, typer.Option("--buyers", help="CSV: id,pd,ead,lgd,country,sector (no database).")]
Rho = Annotated[float | None, typer.Option("--rho", help="One factor with this asset correlation (Vasicek case).")]
Factors = Annotated[Path | None, typer.Option("--factors", help="CSV kind,code,rho: global/country/sector shares.")]
Seed = Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1, help="Seed of the scenarios (printed with the answer).")]
Format = Annotated[str, typer.Option("--format", help="table or json.")]


@app.command()
@handle_errors
def simulate(
    buyers: Buyers = None, rho: Rho = None, factors: Factors = None, seed: Seed = 20261204,
    format: Format = "table",
    method: Annotated[str, typer.Option(help="mc (Monte Carlo), vasicek or creditriskplus.")] = "mc",
    target_rel_se: Annotated[float, typer.Option(help="Stop at this rel. SE of the 99.9 % VaR/ES.")] = 0.01,
    currency: Annotated[str, typer.Option(help="Currency of the file's ead column.")] = "EUR",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Stored book: date (default today).")] = None,
    lgd: Annotated[float, typer.Option(help="Stored book: loss given default.")] = 0.45,
    company: CompanyOption = None,
) -> None:
    """Loss distribution over 12 months: expected loss, VaR and ES at 99 / 99.5 / 99.9 %, contributions."""
    from arguard.portfolio.model import SimulationSettings
    from arguard.portfolio.report import distribution_json
    from arguard.portfolio.service import book_from_file, simulate_stored
    from arguard.portfolio.service import simulate as run

    corr = _correlation(rho, factors)
    settings = SimulationSettings(seed=seed, target_rel_se=target_rel_se)
    if buyers is not None:
        book = book_from_file(buyers, currency.upper())
        dist, seconds = run(book, corr, settings, method=method)
        answer = distribution_json(dist, seconds)
    else:
        day = date.fromisoformat(as_of) if as_of else date.today()
        with company_context(company, role="viewer") as ctx:
            answer = simulate_stored(ctx, day, corr, settings, lgd=lgd, method=method)
    _print(answer, format)


@app.command("insurance-value")
@handle_errors
def insurance_value(
    buyers: Buyers = None, policy: Annotated[Path | None, typer.Option(
        "--policy", help="YAML policy terms (indemnity_pct, deductible_per_claim, aggregate_first_loss, "
                         "max_liability, premium); default: the stored policy in force (stored book), else "
                         "90 %, no first loss, 0.2 % rate, 30× premium.")] = None,
    rho: Rho = None, factors: Factors = None, seed: Seed = 20261204, format: Format = "table",
    turnover_factor: Annotated[float | None, typer.Option(
        help="Annual insured turnover per unit of exposure (default 6: about 60-day terms).")] = None,
    cost_of_capital: Annotated[float, typer.Option(help="Yearly cost of one unit of risk capital.")] = 0.10,
    currency: Annotated[str, typer.Option(help="Currency of the file's ead column.")] = "EUR",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Stored book: date (default today).")] = None,
    lgd: Annotated[float, typer.Option(help="Stored book: loss given default.")] = 0.45,
    company: CompanyOption = None,
) -> None:
    """With and without insurance: premium against the reduction of expected loss, VaR/ES and capital,
    for the policy and the structures around it (indemnity, first loss, key buyers); recommends one."""
    from arguard.portfolio.cover import Cover
    from arguard.portfolio.model import SimulationSettings
    from arguard.portfolio.service import book_from_file, cover_from_file, insurance_value_stored, stored_book
    from arguard.portfolio.service import insurance_value as value

    corr = _correlation(rho, factors)
    cover = cover_from_file(policy) if policy else None
    settings = SimulationSettings(seed=seed)
    if buyers is not None:
        book = book_from_file(buyers, currency.upper())
        answer = value(book, corr, cover or Cover("policy"), settings, turnover_factor, cost_of_capital)
    else:
        day = date.fromisoformat(as_of) if as_of else date.today()
        with company_context(company, role="viewer") as ctx:
            book = stored_book(ctx, day, lgd).book
            answer = insurance_value_stored(ctx, day, corr, cover, settings, lgd, turnover_factor, cost_of_capital)
    if format == "json":
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        return
    console.print(f"buyers {len(book):,}   scenarios {answer['scenarios']:,}   seed {seed}   "
                  f"cost of capital {cost_of_capital:.0%}   currency {book.currency}")
    rows = [{"structure": s["name"], "premium": f"{s['premium']:,.0f}", "EL": f"{s['expected_loss']:,.0f}",
             "VaR 99.9%": f"{s['var']['0.999']:,.0f}", "capital": f"{s['capital']:,.0f}",
             "value": f"{s['value']:,.0f}"} for s in (answer["gross"], *answer["structures"])]
    emit(rows, "table", title="with and without insurance (value = EL saved + CoC × capital saved − premium)")
    console.print(answer["recommendation"]["en"])
    console.print(answer["recommendation"]["zh"])


def _print(answer: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        return
    if fmt != "table":
        raise ValidationError(f"--format {fmt}: table or json", code="invalid_format")
    console.print(f"{answer['method']}")
    console.print(f"buyers {answer['buyers']:,}   scenarios {answer['scenarios']:,}   seed {answer['seed']}   "
                  f"{answer['seconds']:.1f} s   rel. SE(99.9 %) {answer['rel_se'].get('0.999', 0):.2%}")
    console.print(f"expected loss {answer['expected_loss']:,.2f} {answer['currency']}   "
                  f"capital (VaR 99.9 % − EL) {answer.get('capital') or 0:,.2f}")
    rows = [{"level": f"{float(k):.1%}", "VaR": f"{v:,.2f}", "ES": f"{answer['es'][k]:,.2f}"}
            for k, v in answer["var"].items()]
    emit(rows, "table", title="tail of the 12-month credit loss")
    for kind in ("country", "sector", "buyer"):
        shares = list(answer.get("contributions", {}).get(kind, {}).items())[:8]
        if shares:
            emit([{kind: k, "ES contribution": f"{v:,.2f}"} for k, v in shares], "table",
                 title=f"largest ES(99.9 %) contributions by {kind}")
    if answer.get("ungraded_buyers"):
        err_console.print(f"[yellow]{answer['ungraded_buyers']} buyers without a grade: PD "
                          f"{answer['ungraded_pd']:.0%} assumed[/yellow]")
