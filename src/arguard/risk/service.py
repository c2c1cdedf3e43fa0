"""Risk services: statements in, grades out, for one buyer or all; grade history; portfolio view.

The only place of the risk capability with queries. Grading: load what is known (newest statement,
payment behaviour from the ledger, country, sector), score the accounts with the shipped model in one
batch, combine in the pure `combine.combine`, append a `BuyerGrade` row per buyer.
"""

from __future__ import annotations

import io
import logging
from collections import Counter, defaultdict
from dataclasses import asdict, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select

from arguard.core.errors import ImportRejected, Issue, NotFound, ValidationError
from arguard.core.money import parse_amount
from arguard.core.progress import Progress, counted, silent
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext
from arguard.platform.events import Fact, publish
from arguard.risk.capability import REGRADE_ON
from arguard.risk.combine import PriorShift, book_norm, combine, country_norms
from arguard.risk.labels import with_text
from arguard.risk.model import ITEM_NAMES, Grade, PaymentBehaviour, Reason, RiskInputs, StatementItems
from arguard.risk.ratios import ratio_matrix
from arguard.risk.service_flags import active_default_flags
from arguard.risk.tables import BuyerGrade, FinancialStatement

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)
LOOKBACK_DAYS = 365
MODEL = "gbm"


# ---- statements -------------------------------------------------------------------------------------

def add_statement(ctx: ServiceContext, customer_code: str, fiscal_year: int, fiscal_year_end: date,
                  items: StatementItems, source: str = "api") -> FinancialStatement:
    """Record one statement (a fact; a later one for the same year supersedes it) and announce it."""
    ctx.require("analyst")
    customer = _customer(ctx, customer_code)
    row = FinancialStatement(
        company_id=ctx.company_id, customer_id=customer.id, fiscal_year=fiscal_year,
        fiscal_year_end=fiscal_year_end, currency=items.currency, source=source,
        items={k: str(v) for k, v in items.amounts().items() if v is not None})
    ctx.session.add(row)
    ctx.session.flush()
    publish(ctx, "risk.statement", customer_code, {"fiscal_year": fiscal_year})
    return row


def add_statements(ctx: ServiceContext, statements: list[tuple[str, int, date, StatementItems]],
                   source: str = "import") -> int:
    """Record many statements (customer code, fiscal year, year end, items) with one multi-row insert and
    announce each buyer once; unknown codes raise NotFound before anything is written."""
    ctx.require("analyst")
    if not statements:
        return 0
    codes = sorted({code for code, *_ in statements})
    known = ledger.customer_ids(ctx, codes)
    missing = [c for c in codes if c not in known]
    if missing:
        raise NotFound(f"no customer {missing[0]!r}" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""),
                       code="customer_not_found")
    rows = [{"company_id": ctx.company_id, "customer_id": known[code], "fiscal_year": year, "fiscal_year_end": end,
             "currency": items.currency, "source": source,
             "items": {k: str(v) for k, v in items.amounts().items() if v is not None}}
            for code, year, end, items in statements]
    for k in range(0, len(rows), INSERT_CHUNK):
        ctx.session.execute(insert(FinancialStatement), rows[k:k + INSERT_CHUNK])
    years: dict[str, list[int]] = defaultdict(list)
    for code, year, *_ in statements:
        years[code].append(year)
    for code in codes:
        publish(ctx, "risk.statement", code, {"fiscal_years": sorted(set(years[code]))})
    return len(rows)


def import_statements(ctx: ServiceContext, content: bytes, filename: str) -> tuple[int, list[Issue]]:
    """CSV/XLSX with customer_code, fiscal_year, fiscal_year_end, currency and item columns.

    Good rows are stored, each bad one becomes an Issue (line, field, reason); returns (stored, issues).
    """
    ctx.require("analyst")
    frame = _read(content, filename)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for needed in ("customer_code", "fiscal_year"):
        if needed not in frame.columns:
            raise ImportRejected(f"{filename}: no '{needed}' column", code="missing_column")
    known = ledger.customer_ids(ctx)
    good: list[tuple[str, int, date, StatementItems]] = []
    issues: list[Issue] = []
    for i, rec in enumerate(frame.to_dict(orient="records")):
        line = i + 2
        found = _statement_issues(rec, known, filename, line)
        if found:
            issues += found
            continue
        amounts = {n: parse_amount(rec[n]) if str(rec.get(n, "")).strip() else None for n in ITEM_NAMES}
        year = int(str(rec["fiscal_year"]).strip())
        end = date.fromisoformat(str(rec.get("fiscal_year_end") or f"{year}-12-31").strip())
        currency = (str(rec.get("currency") or "EUR").strip() or "EUR").upper()
        good.append((str(rec["customer_code"]).strip(), year, end, StatementItems(end, currency, **amounts)))
    stored = add_statements(ctx, good, source=filename)
    ctx.audit("risk.statements_imported", "risk_statements", None, reason=filename,
              after={"stored": stored, "rejected": len(issues)})
    return stored, issues


def _read(content: bytes, filename: str) -> pd.DataFrame:
    import pandas as pd  # here, not at import: the CLI starts light

    try:
        if filename.lower().endswith((".xlsx", ".xlsm")):
            return pd.read_excel(io.BytesIO(content), dtype=str).fillna("")
        return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportRejected(f"cannot read {filename}: {exc}") from exc


def _statement_issues(rec: dict[str, Any], known: dict[str, int], source: str, line: int) -> list[Issue]:
    issues = []
    if str(rec.get("customer_code", "")).strip() not in known:
        issues.append(Issue(source, line, "customer_code", f"unknown customer {rec.get('customer_code')!r}"))
    if not str(rec.get("fiscal_year", "")).strip().isdigit():
        issues.append(Issue(source, line, "fiscal_year", "not a year"))
    end = str(rec.get("fiscal_year_end", "") or "").strip()
    if end:
        try:
            date.fromisoformat(end)
        except ValueError:
            issues.append(Issue(source, line, "fiscal_year_end", "not a date YYYY-MM-DD"))
    for name in ITEM_NAMES:
        raw = str(rec.get(name, "") or "").strip()
        if raw:
            try:
                parse_amount(raw)
            except ValidationError:
                issues.append(Issue(source, line, name, f"not an amount: {raw!r}"))
    if not str(rec.get("total_assets", "") or "").strip():
        issues.append(Issue(source, line, "total_assets", "required"))
    return issues


def latest_statements(ctx: ServiceContext, as_of: date,
                      customer_ids: list[int] | None = None) -> dict[int, StatementItems]:
    """Newest statement per customer (all, or the ids given) with a fiscal year ended by `as_of`;
    prior-year sales filled in."""
    scope = [FinancialStatement.company_id == ctx.company_id, FinancialStatement.fiscal_year_end <= as_of]
    if customer_ids is not None:
        scope.append(FinancialStatement.customer_id.in_(customer_ids))
    rows = ctx.session.scalars(select(FinancialStatement).where(*scope)
        .order_by(FinancialStatement.customer_id, FinancialStatement.fiscal_year, FinancialStatement.id)).all()
    by_year: dict[int, dict[int, FinancialStatement]] = defaultdict(dict)
    for row in rows:
        by_year[row.customer_id][row.fiscal_year] = row  # later rows supersede
    out = {}
    for cid, years in by_year.items():
        newest = years[max(years)]
        amounts = {k: Decimal(v) for k, v in newest.items.items() if k in ITEM_NAMES}
        prior = years.get(newest.fiscal_year - 1)
        if "sales_prior_year" not in amounts and prior is not None and "sales" in prior.items:
            amounts["sales_prior_year"] = Decimal(prior.items["sales"])
        out[cid] = StatementItems(newest.fiscal_year_end, newest.currency, **amounts)
    return out


# ---- payment behaviour ------------------------------------------------------------------------------

def payment_behaviours(ctx: ServiceContext, as_of: date,
                       customer_ids: list[int] | None = None) -> dict[int, PaymentBehaviour]:
    """Per customer (all, or the ids given), from invoices and allocations of the last `LOOKBACK_DAYS`
    (amount-weighted): two aggregate queries for the whole book, one row per customer back.

    Per invoice: paid (nothing open, last allocation in the window), overdue (open and past due), days
    late (settled − due, at least 0, when paid; as_of − due when overdue). Per customer: the sums and
    maxima the figures need, computed by the database (`_behaviour_query`). Disputes: the invoices of
    the window (issued in it, or still open) that the ledger flags as disputed now; credit notes issued
    in the window per invoice issued in it. A customer whose invoices all lie before the window gets the
    empty behaviour (nothing paid, nothing overdue)."""
    start = date.fromordinal(as_of.toordinal() - LOOKBACK_DAYS)
    figures = ledger.payment_figures(ctx, as_of, start, customer_ids)
    credit_notes = ledger.credit_notes_issued(ctx, start, as_of, customer_ids)
    return {cid: behaviour_of(_Figures(f), credit_notes.get(cid, 0)) for cid, f in figures.items()}


class _Figures(dict[str, Any]):
    """One customer's figures (`ledger.payment_figures`) with attribute access; a figure the ledger did
    not give (nothing paid in the window) reads as None."""

    def __getattr__(self, name: str) -> Any:
        return self.get(name)


def behaviour_of(r: Any, credit_notes: int) -> PaymentBehaviour:
    """One customer's `PaymentBehaviour` from its figures (pure arithmetic): days beyond terms over
    invoices paid in the window (weighted by what was paid) and those with a material amount still open
    past due (weighted by that open amount, README rule 15)."""
    paid, open_total = int(r.paid or 0), float(r.open_pos or 0)
    seen_w = float(r.paid_w or 0) + float(r.over_w or 0)
    recent_w, before_w = float(r.recent_w or 0), float(r.before_w or 0)
    dbt = (float(r.paid_wl or 0) + float(r.over_wl or 0)) / seen_w if seen_w > 0 else 0.0
    recent = float(r.recent_wl or 0) / recent_w if recent_w > 0 else None
    before = float(r.before_wl or 0) / before_w if before_w > 0 else None
    trend = 0.0 if recent is None or before is None else recent - before
    window, issued = int(r.window_inv or 0), int(r.in_window or 0)
    return PaymentBehaviour(
        invoices_paid=paid, avg_days_beyond_terms=round(dbt, 2), dbt_trend_days=round(trend, 2),
        max_days_past_due=round(float(r.max_overdue_days)) if r.max_overdue_days is not None else 0,
        overdue_share=round(float(r.open_over or 0) / open_total, 4) if open_total else 0.0,
        overdue_60_share=round(float(r.open_over60 or 0) / open_total, 4) if open_total else 0.0,
        partial_payment_share=round(int(r.partial or 0) / paid, 4) if paid else 0.0,
        overdue_90_share=round(float(r.open_over90 or 0) / open_total, 4) if open_total else 0.0,
        invoices_paid_90d=int(r.paid_90d or 0),
        disputed_share=round(int(r.disputed or 0) / window, 4) if window else 0.0,
        credit_note_share=round(min(credit_notes / issued, 1.0), 4) if issued else 0.0,
    )


# ---- grading ----------------------------------------------------------------------------------------

EXACT_REASONS_UP_TO = 50
"""Gradings of at most this many buyers explain the financial PD with exact TreeSHAP; larger batches
(grading the whole book) with the per-leaf attributions — one look-up per tree (README rule 5)."""
MANY_CODES = 500
"""Above this many codes the customers are read whole and filtered here (no IN list of thousands)."""


def grade_buyers(ctx: ServiceContext, as_of: date, codes: list[str] | None = None,
                 trigger: str = "batch", portfolio_rate: float | None = None,
                 exact_reasons: bool | None = None, progress: Progress | None = None) -> dict[str, Grade]:
    """Grade the named buyers (all when None) as of `as_of`; one history row each; returns the grades.

    A bulk operation: statements, payment behaviour and previous grades are read with a few set-based
    queries, the financial model scores one matrix, the grades are written with one multi-row insert and
    the batch is audited once (counts, model version, reasons method). portfolio_rate: the seller's own
    12-month default rate, to re-base PDs from the training sample's (`combine.PriorShift`); None keeps
    the sample calibration. exact_reasons: TreeSHAP (True) or per-leaf (False) reasons for the financial
    PD; None: exact up to `EXACT_REASONS_UP_TO` buyers. progress: told the buyers read, graded and stored
    (`core.progress`)."""
    ctx.require("analyst")
    note = progress or silent
    wanted = set(codes) if codes is not None else None
    few = wanted is not None and len(wanted) <= MANY_CODES
    customers = [c for c in ledger.customer_refs(ctx, codes=wanted if few else None)
                 if wanted is None or c.code in wanted]
    if not customers:
        return {}
    ids = [c.id for c in customers] if wanted is not None and len(customers) <= MANY_CODES else None
    from arguard.risk import store  # the models and LightGBM load when a grading runs, not at import

    models = store.load_models()
    model, meta = models.get(MODEL), models.metadata
    prior = PriorShift(store.sample_rate(meta), portfolio_rate) if portfolio_rate is not None else None
    exact = len(customers) <= EXACT_REASONS_UP_TO if exact_reasons is None else exact_reasons
    method = "exact_treeshap" if exact else "per_leaf"
    note("inputs read (accounts, payments, scores)", 0, 3)
    statements = latest_statements(ctx, as_of, ids)
    note("inputs read (accounts, payments, scores)", 1, 3)
    behaviours = _with_peer_norms(ctx, as_of, customers, payment_behaviours(ctx, as_of, ids), whole=ids is None)
    note("inputs read (accounts, payments, scores)", 2, 3)
    financial = _financial_pds(model, [statements.get(c.id) for c in customers], exact)
    note("inputs read (accounts, payments, scores)", 3, 3)
    countries = store.country_table()
    previous = _latest_grades(ctx, ids)
    defaulted = active_default_flags(ctx, ids)
    typical_pd, version = meta.get("typical_pd", 0.01), meta["model_version"]
    grades, rows, changed = {}, [], 0
    for c, (fin_pd, fin_reasons) in counted(zip(customers, financial, strict=True), progress, "buyers graded",
                                            len(customers)):
        st = statements.get(c.id)
        age = (as_of - st.fiscal_year_end).days if st is not None and st.fiscal_year_end else None
        inputs = RiskInputs(as_of, fin_pd, fin_reasons, age, behaviours.get(c.id), countries.risk_of(c.country),
                            c.sector, insolvent=c.id in defaulted)
        grade = combine(inputs, typical_pd=typical_pd, model_version=version, prior=prior)
        grades[c.code] = grade
        rows.append({"company_id": ctx.company_id, "customer_id": c.id, "as_of": as_of, "pd_12m": grade.pd_12m,
                     "grade": grade.grade, "confidence": grade.confidence, "financial_pd": grade.financial_pd,
                     "reasons": [_reason_record(r) for r in grade.reasons],
                     "inputs": _inputs_record(inputs, prior, method if fin_pd is not None else None),
                     "model_version": grade.model_version, "trigger": trigger, "actor": ctx.actor})
        before = previous.get(c.id)
        if before is None or before != grade.grade:
            changed += 1
            publish(ctx, "risk.grade_changed", c.code, {"from": before, "to": grade.grade, "pd_12m": grade.pd_12m})
    for k in range(0, len(rows), INSERT_CHUNK):
        ctx.session.execute(insert(BuyerGrade), rows[k:k + INSERT_CHUNK])
        note("grades stored", min(k + INSERT_CHUNK, len(rows)), len(rows))
    dist = Counter(g.grade for g in grades.values())
    ctx.audit("risk.graded", "risk_grades", None, reason=trigger,
              after={"as_of": as_of.isoformat(), "graded": len(grades), "changed": changed,
                     "with_accounts": sum(1 for f in financial if f[0] is not None),
                     "grades": {str(g): dist[g] for g in sorted(dist)}, "model_version": version,
                     "reasons": method, "portfolio_rate": portfolio_rate,
                     "buyers": sorted(grades) if len(grades) <= EXACT_REASONS_UP_TO else None})
    return grades


INSERT_CHUNK = 5000
PEER_SAMPLE = 500
"""Grading a few buyers reads the payment figures of at most this many other buyers per country (the
lowest ids: a deterministic sample) for the country's usual lateness."""


def _with_peer_norms(ctx: ServiceContext, as_of: date, customers: list[Any],
                     behaviours: dict[int, PaymentBehaviour], whole: bool) -> dict[int, PaymentBehaviour]:
    """Each behaviour with its country's usual days beyond terms (`combine.country_norms`, README rule
    16): from the behaviours at hand when the whole book is graded, else from the other buyers of the
    graded buyers' countries."""
    country_of = {c.id: c.country for c in customers}
    refs: list[Any] = []
    if whole:
        peers = behaviours
    else:
        wanted = set(country_of.values())
        by_country: dict[str, list[int]] = defaultdict(list)
        refs = list(ledger.customer_refs(ctx))
        for ref in refs:
            if ref.country in wanted:
                by_country[ref.country].append(ref.id)
                country_of.setdefault(ref.id, ref.country)
        peer_ids = sorted({i for ids in by_country.values() for i in sorted(ids)[:PEER_SAMPLE]} | set(behaviours))
        peers = {**payment_behaviours(ctx, as_of, peer_ids), **behaviours}
    rows = [(country_of[cid], b) for cid, b in peers.items() if cid in country_of]
    norms = country_norms(rows)
    if not whole and any(country_of.get(cid, "") not in norms for cid in behaviours):
        # a graded buyer's country has too few peers: the book's norm, from a deterministic sample (rule 17)
        sample = [i for i in sorted(r.id for r in refs)[:PEER_SAMPLE] if i not in peers]
        rows += [("", b) for b in payment_behaviours(ctx, as_of, sample).values()] if sample else []
    book = book_norm(rows)
    out = {}
    for cid, b in behaviours.items():
        country = country_of.get(cid, "")
        out[cid] = (replace(b, peer_days_beyond_terms=norms[country]) if country in norms
                    else replace(b, peer_days_beyond_terms=book, peer_basis="book") if book is not None else b)
    return out


def _reason_record(r: Reason) -> dict[str, Any]:
    return {"code": r.code, "label": r.label, "direction": r.direction, "impact": r.impact, "value": r.value,
            "label_zh": r.label_zh}


def _financial_pds(model: Any, items: list[StatementItems | None],
                   exact: bool = True) -> list[tuple[float | None, tuple[Reason, ...]]]:
    from arguard.risk.estimators import as_matrix, reasons_from_contributions

    rows = [i for i, s in enumerate(items) if s is not None]
    out: list[tuple[float | None, tuple[Reason, ...]]] = [(None, ())] * len(items)
    if not rows:
        return out
    ratios, unreported = ratio_matrix([items[i] for i in rows])  # type: ignore[misc]
    X = model.fill_unreported(as_matrix(ratios), unreported)
    if exact:
        pds, reasons = model.predict_pd(X), model.explain(X, top=3, exact=True)
    else:  # one pass over the trees: PDs and per-leaf attributions together
        pds, contrib, Xf = model.score(X)
        reasons = reasons_from_contributions(contrib, Xf, 3, model.features)
    for k, i in enumerate(rows):
        out[i] = (float(pds[k]), reasons[k])
    return out


def _inputs_record(inputs: RiskInputs, prior: PriorShift | None = None,
                   reasons_method: str | None = None) -> dict[str, Any]:
    return {"financial_reasons": reasons_method, "financial_pd": inputs.financial_pd, "accounts_age_days": inputs.accounts_age_days,
            "behaviour": asdict(inputs.behaviour) if inputs.behaviour else None,
            "country": asdict(inputs.country) if inputs.country else None, "sector": inputs.sector,
            "prior_shift": asdict(prior) if prior is not None else None}


def _latest_grades(ctx: ServiceContext, customer_ids: list[int] | None) -> dict[int, int]:
    """Newest grade per customer (the ids given, or all)."""
    scope = [BuyerGrade.company_id == ctx.company_id]
    if customer_ids is not None:
        scope.append(BuyerGrade.customer_id.in_(customer_ids))
    newest = select(BuyerGrade.customer_id, func.max(BuyerGrade.id).label("id")).where(
        *scope).group_by(BuyerGrade.customer_id).subquery()
    rows = ctx.session.execute(select(BuyerGrade.customer_id, BuyerGrade.grade).join(
        newest, BuyerGrade.id == newest.c.id)).all()
    return {cid: g for cid, g in rows}


STALE_GRADE_DAYS = 30
"""A stored grade older than this (or graded before the newest fact reached it) is offered a re-grade."""


def buyer_risk(ctx: ServiceContext, code: str, as_of: date, history: int = 24) -> dict[str, Any]:
    """The newest stored grade of a buyer and its history, newest first; reads only (a buyer never
    graded has `grade` None). `stale`: no grade, or the newest is more than `STALE_GRADE_DAYS` before
    `as_of`."""
    customer = _customer(ctx, code)
    rows = ctx.session.scalars(select(BuyerGrade).where(
        BuyerGrade.company_id == ctx.company_id, BuyerGrade.customer_id == customer.id)
        .order_by(BuyerGrade.as_of.desc(), BuyerGrade.id.desc()).limit(history)).all()
    if not rows:
        return {"customer_code": code, "as_of": None, "pd_12m": None, "grade": None, "confidence": None,
                "financial_pd": None, "reasons": [], "model_version": None, "inputs": None,
                "reasons_method": None, "stale": True, "history": []}
    latest = rows[0]
    return {"customer_code": code, "as_of": latest.as_of.isoformat(), "pd_12m": latest.pd_12m,
            "grade": latest.grade, "confidence": latest.confidence, "financial_pd": latest.financial_pd,
            "reasons": [with_text(r) for r in latest.reasons], "model_version": latest.model_version,
            "inputs": latest.inputs, "reasons_method": (latest.inputs or {}).get("financial_reasons"),
            "stale": (as_of - latest.as_of).days > STALE_GRADE_DAYS,
            "history": [{"as_of": r.as_of.isoformat(), "grade": r.grade, "pd_12m": r.pd_12m,
                         "trigger": r.trigger} for r in rows]}


def regrade_buyer(ctx: ServiceContext, code: str, as_of: date) -> Grade:
    """Grade one buyer now (exact reasons), on request."""
    _customer(ctx, code)
    return grade_buyers(ctx, as_of, [code], trigger="on_request")[code]


def portfolio(ctx: ServiceContext) -> list[dict[str, Any]]:
    """Per grade: buyers and open receivables (per currency, exact minor units) at the newest grades."""
    newest = select(BuyerGrade.customer_id, func.max(BuyerGrade.id).label("id")).where(
        BuyerGrade.company_id == ctx.company_id).group_by(BuyerGrade.customer_id).subquery()
    grade_of = dict(ctx.session.execute(select(BuyerGrade.customer_id, BuyerGrade.grade).join(
        newest, BuyerGrade.id == newest.c.id)).all())
    exposure = ledger.open_by_customer(ctx)
    rows: dict[int, dict[str, Any]] = {g: {"grade": g, "buyers": 0, "open_minor": defaultdict(int)}
                                       for g in range(1, 11)}
    for grade in grade_of.values():
        rows[grade]["buyers"] += 1
    for cid, currency, minor in exposure:
        if cid in grade_of:
            rows[grade_of[cid]]["open_minor"][currency] += int(minor)
    return [{**r, "open_minor": dict(r["open_minor"])} for r in rows.values()]


def _customer(ctx: ServiceContext, code: str) -> ledger.CustomerRef:
    return ledger.customer_ref(ctx, code)


# ---- on every new fact ------------------------------------------------------------------------------

def regrade_on_facts(facts: list[Fact]) -> None:
    """Subscriber: re-grade the buyers that new facts concern (named by code, or by `customer_id` in the
    payload), in a unit of work of its own per company."""
    from arguard.db.session import get_engine, session_scope

    codes: dict[int, set[str]] = defaultdict(set)
    ids: dict[int, set[int]] = defaultdict(set)
    engines: dict[int, Any] = {}
    for f in facts:
        if f.kind not in REGRADE_ON:
            continue
        engines.setdefault(f.company_id, f.engine)
        if f.customer_code:
            codes[f.company_id].add(f.customer_code)
        elif isinstance(f.payload.get("customer_id"), int):
            ids[f.company_id].add(f.payload["customer_id"])
    for company_id in sorted(set(codes) | set(ids)):
        with session_scope(engines.get(company_id) or get_engine()) as session:
            ctx = ServiceContext(session, company_id, "system:risk", "admin")
            wanted = set(codes[company_id])
            if ids[company_id]:
                wanted |= set(ledger.customer_codes(ctx, ids[company_id]).values())
            grade_buyers(ctx, date.today(), sorted(wanted), trigger="new_fact")
        ctx.run_after_commit()
