"""Portfolio service: the stored book read through the ledger's and risk's front doors, files read for
the database-free path, and the simulation run in-process or on Dask."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from arguard.core.errors import ArguardError, ImportRejected, Issue, ValidationError
from arguard.core.money import Money
from arguard.platform.context import ServiceContext
from arguard.portfolio.model import Book, Correlation, LossDistribution, SimulationSettings, StoredBook

UNGRADED_PD = 0.02
"""12-month PD of a buyer the risk capability has not graded: about grade 6 (below average) on the
master scale — a buyer nobody looked at is not treated as average."""
DEFAULT_LGD = 0.45
"""Loss given default of an unsecured trade receivable (Basel foundation IRB, senior unsecured)."""
MAX_FILE_BYTES = 200 * 1024 * 1024


def read_file(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    try:
        if path.stat().st_size > limit:
            raise ImportRejected(f"{path} is larger than {limit // (1024 * 1024)} MiB")
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRejected(f"cannot read {path}: {exc}") from exc


def reject_issues(issues: list[Issue], what: str) -> None:
    if issues:
        shown = "; ".join(_where(i) + i.reason for i in issues[:20])
        more = f" … and {len(issues) - 20} more" if len(issues) > 20 else ""
        raise ValidationError(f"{len(issues)} problem(s) in the {what}: {shown}{more}", code="invalid_file")


def _where(issue: Issue) -> str:
    """'file line N, field F: ' (no square brackets: the CLI prints messages through Rich markup)."""
    return (issue.source + (f" line {issue.line}" if issue.line is not None else "")
            + (f", field {issue.field}" if issue.field else "") + ": ")


def book_from_file(path: Path, currency: str = "EUR") -> Book:
    from arguard.portfolio.files import read_buyers

    book, issues = read_buyers(read_file(path), path.name, currency)
    reject_issues(issues, "buyers file")
    return book


def correlation_from_file(path: Path) -> Correlation:
    from arguard.portfolio.files import read_factors

    corr, issues = read_factors(read_file(path), path.name)
    reject_issues(issues, "factors file")
    return corr


def stored_book(ctx: ServiceContext, as_of: date, lgd: float = DEFAULT_LGD) -> StoredBook:
    """Every buyer with exposure as of `as_of`: EAD = open receivables + shipped not yet invoiced +
    released orders (the limits capability's exposure parts), in the base currency at the dated rate;
    PD = newest grade's 12-month PD (UNGRADED_PD when never graded); LGD as given."""
    import numpy as np

    ctx.require("viewer")
    from arguard.ledger import interface as ledger
    from arguard.limits import interface as limits
    from arguard.risk import interface as risk

    base = ledger.base_currency(ctx)
    fx = ledger.fx_table(ctx)
    skipped: set[str] = set()

    def in_base(amount: Money) -> Money | None:
        try:
            return amount if amount.currency == base else fx.convert(amount, base, as_of)
        except ArguardError:  # a missing rate leaves the currency out, named in the answer
            skipped.add(amount.currency)
            return None

    customers, _ = ledger.list_customers(ctx, limit=10_000_000)
    about = {c.code: c for c in customers}
    grades = risk.newest_grades(ctx)
    ead: dict[str, Decimal] = {}
    total, pipeline = Money.zero(base), Money.zero(base)
    for row in ledger.aging_report(ctx, as_of).rows:
        if row.customer_code is not None and sum(row.bucket_minor) > 0 and (amount := in_base(row.total)):
            ead[row.customer_code] = ead.get(row.customer_code, Decimal(0)) + amount.amount
            total = total + amount
    positions = limits.credit_positions(ctx, list(ledger.customer_ids(ctx).values()), as_of, whole_book=True)
    for position in positions.values():
        for part in (position.shipped, position.orders):
            if part is not None and part.amount > 0 and (amount := in_base(part)):
                ead[position.customer_code] = ead.get(position.customer_code, Decimal(0)) + amount.amount
                pipeline = pipeline + amount
    codes = sorted(c for c, v in ead.items() if v > 0)
    ungraded = sum(1 for c in codes if c not in grades)
    # Exposures are summed exactly; the simulation's arrays take them as floats (a statistical model).
    rows = [(c, grades[c][1] if c in grades else UNGRADED_PD, float(ead[c]), lgd,
             (about[c].country if c in about else "XX") or "XX",
             (about[c].sector if c in about else None) or "unknown") for c in codes]
    book = Book.of(rows, base)
    if len(book):
        book = Book(book.ids, np.clip(book.pd, 1e-6, 1.0), book.ead, book.lgd, book.country, book.sector, base)
    return StoredBook(book, ungraded, tuple(sorted(skipped)), total, pipeline)


def simulate(book: Book, corr: Correlation, settings: SimulationSettings,
             scheduler: str | None = None, method: str = "mc") -> tuple[LossDistribution, float]:
    """The loss distribution by `method` (mc, vasicek, creditriskplus) and the seconds it took."""
    from arguard.portfolio.scaleout import configured_mapper

    started = time.perf_counter()
    if method == "vasicek":
        from arguard.portfolio.analytic import vasicek

        if not corr.is_one_factor:
            raise ValidationError("the Vasicek formula needs one factor: give --rho", code="one_factor_only")
        dist = vasicek(book, corr.rho_global)
    elif method == "creditriskplus":
        from arguard.portfolio.analytic import creditriskplus, gamma_variance_for

        dist = creditriskplus(book, gamma_variance_for(_mean_pd(book), average_correlation(book, corr)))
    elif method == "mc":
        from arguard.portfolio.simulation import simulate as run

        mapper, _ = configured_mapper(scheduler)
        dist = run(book, corr, settings, mapper=mapper)
    else:
        raise ValidationError(f"unknown method {method!r}: mc, vasicek or creditriskplus")
    return dist, time.perf_counter() - started


def _mean_pd(book: Book) -> float:
    w = book.loss_at_default
    return float((w @ book.pd) / w.sum()) if w.sum() > 0 else float(book.pd.mean())


def average_correlation(book: Book, corr: Correlation) -> float:
    """Exposure-weighted asset correlation of two random units of loss: global + country share ×
    P(same country) + sector share × P(same sector) — the one number the one-sector methods take."""
    w = book.loss_at_default
    total = float(w.sum()) or 1.0
    out = corr.rho_global
    for attr, share in (("country", corr.country_share), ("sector", corr.sector_share)):
        sums: dict[str, float] = {}
        for key, value in zip(getattr(book, attr), w, strict=True):
            sums[str(key)] = sums.get(str(key), 0.0) + float(value)
        out += sum(share(k) * (v / total) ** 2 for k, v in sums.items())
    return out


def simulate_stored(ctx: ServiceContext, as_of: date, corr: Correlation, settings: SimulationSettings,
                    lgd: float = DEFAULT_LGD, method: str = "mc") -> dict[str, Any]:
    """The stored book's loss distribution as the JSON answer, with what was assumed."""
    from arguard.portfolio.report import distribution_json

    stored = stored_book(ctx, as_of, lgd)
    dist, seconds = simulate(stored.book, corr, settings, method=method)
    out = distribution_json(dist, seconds)
    out.update({"as_of": as_of.isoformat(), "ungraded_buyers": stored.ungraded, "ungraded_pd": UNGRADED_PD,
                "lgd": lgd, "currencies_left_out": list(stored.skipped_currencies),
                "open_receivables": str(stored.open_total.amount),
                "shipped_and_orders": str(stored.pipeline.amount)})
    return out


def cover_from_file(path: Path) -> Any:
    """The policy terms in a YAML policy file (the insurance capability's format) as a Cover."""
    import yaml

    from arguard.portfolio.cover import cover_from_terms

    try:
        terms = yaml.safe_load(read_file(path, limit=1024 * 1024))
    except yaml.YAMLError as exc:
        raise ValidationError(f"{path.name}: not a YAML policy file: {exc}", code="invalid_file") from exc
    if not isinstance(terms, dict):
        raise ValidationError(f"{path.name}: expected policy terms (key: value lines)", code="invalid_file")
    try:
        return cover_from_terms(terms, str(terms.get("policy_number") or "policy"))
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{path.name}: {exc}", code="invalid_file") from exc


def insurance_value(book: Book, corr: Correlation, cover: Any, settings: SimulationSettings,
                    turnover_factor: float | None = None, cost_of_capital: float | None = None) -> dict[str, Any]:
    """The policy and the standard alternatives around it, judged on the same scenarios (JSON answer)."""
    from arguard.portfolio.cover import COST_OF_CAPITAL, TURNOVER_PER_EXPOSURE, standard_structures
    from arguard.portfolio.cover import insurance_value as value
    from arguard.portfolio.report import insurance_json

    started = time.perf_counter()
    turnover = book.ead * (turnover_factor or TURNOVER_PER_EXPOSURE)
    iv = value(book, corr, standard_structures(book, cover), turnover, settings,
               cost_of_capital if cost_of_capital is not None else COST_OF_CAPITAL)
    out = insurance_json(iv, time.perf_counter() - started, book.currency)
    out["turnover_per_exposure"] = turnover_factor or TURNOVER_PER_EXPOSURE
    return out


def stored_loss(ctx: ServiceContext, as_of: date, corr: Correlation | None = None,
                settings: SimulationSettings | None = None,
                lgd: float = DEFAULT_LGD) -> tuple[StoredBook, LossDistribution]:
    """The stored book and its loss distribution (default correlation and settings)."""
    stored = stored_book(ctx, as_of, lgd)
    dist, _ = simulate(stored.book, corr or Correlation(), settings or SimulationSettings())
    return stored, dist


PAGE_SETTINGS = SimulationSettings(min_scenarios=32_768, chunk=2_048, target_rel_se=0.02)
"""The portfolio page's simulation (the insurance comparison beside it: 32 768 scenarios, chunks of 4 096)."""


def page_answer(ctx: ServiceContext, stored: StoredBook, as_of: date, indemnity: float = 90.0, afl: float = 0.0,
                rate: float = 0.2) -> dict[str, Any]:
    """The portfolio page's distribution and insurance comparison (indemnity and premium rate in %, the
    aggregate first loss in the base currency) for a non-empty stored book, stored per exact inputs
    (README rule 13): a reload reads the answer instead of simulating again."""
    from arguard.portfolio.cover import Cover
    from arguard.portfolio.report import distribution_json
    from arguard.portfolio.stored import inputs_key, remembered

    cover = Cover("policy", indemnity=indemnity / 100, aggregate_first_loss=afl, premium_rate=rate / 100)
    insurance_settings = SimulationSettings(min_scenarios=32_768, chunk=4_096)

    def compute() -> dict[str, Any]:
        dist, seconds = simulate(stored.book, Correlation(), PAGE_SETTINGS)
        return {"answer": distribution_json(dist, seconds),
                "insurance": insurance_value(stored.book, Correlation(), cover, insurance_settings)}

    key = inputs_key(stored.book, Correlation(), PAGE_SETTINGS, cover, insurance_settings)
    return remembered(ctx, as_of, "page", key, compute)


def stored_loss_figures(ctx: ServiceContext, as_of: date, settings: SimulationSettings,
                        lgd: float = DEFAULT_LGD) -> tuple[StoredBook, dict[str, float]]:
    """The stored book and its expected loss, VaR and ES at 99.9 % (default correlation), stored per exact
    inputs (README rule 8): computed once, read back afterwards."""
    from arguard.portfolio.stored import inputs_key, remembered

    stored = stored_book(ctx, as_of, lgd)

    def compute() -> dict[str, float]:
        dist, _ = simulate(stored.book, Correlation(), settings)
        return {"expected_loss": dist.expected_loss, "var_999": dist.tail.var.get(0.999, 0.0),
                "es_999": dist.tail.es.get(0.999, 0.0)}

    return stored, remembered(ctx, as_of, "loss", inputs_key(stored.book, Correlation(), settings), compute)


def insurance_value_stored(ctx: ServiceContext, as_of: date, corr: Correlation, cover: Any,
                           settings: SimulationSettings, lgd: float = DEFAULT_LGD,
                           turnover_factor: float | None = None, cost_of_capital: float | None = None) -> dict[str, Any]:
    """The stored book with and without the policy (and the structures around it). Without `cover`,
    the stored policy in force (insurance capability) with each buyer's insured amount as its limit;
    without one, the default terms."""
    stored = stored_book(ctx, as_of, lgd)
    if len(stored.book) == 0:
        raise ValidationError("no open receivables on this date: nothing to insure", code="empty_book")
    source = "given terms"
    if cover is None:
        cover, source = stored_cover(ctx, as_of, stored.book)
    out = insurance_value(stored.book, corr, cover, settings, turnover_factor, cost_of_capital)
    out["as_of"] = as_of.isoformat()
    out["terms_from"] = source
    if cover.limits:
        out["insured_buyers"] = sum(1 for v in cover.limits.values() if v > 0)
    return out


def stored_cover(ctx: ServiceContext, as_of: date, book: Book) -> tuple[Any, str]:
    """The policy in force as a Cover, or the default terms; and where the terms came from. When the
    policy is in the book's currency, each buyer's insured amount (its covered open items within the
    limit in force, `insurance.interface.insured_book`) is its limit: a buyer without cover has 0."""
    from arguard.insurance import interface as insurance
    from arguard.portfolio.cover import Cover, cover_from_policy

    policy = insurance.policy_in_force(ctx, as_of)
    if policy is None:
        return Cover("policy"), "default terms (no policy loaded)"
    limits: dict[str, float] = {}
    insured = insurance.insured_book(ctx, as_of)
    pct = float(policy.indemnity_commercial_pct) / 100.0
    if insured is not None and insured.currency == book.currency and pct > 0:
        net = insured.net_insured_minor
        limits = {str(code): float(Money.from_minor(net.get(str(code), 0), book.currency).amount) / pct
                  for code in book.ids}
    return cover_from_policy(policy, limits), f"policy {policy.policy_number}"
