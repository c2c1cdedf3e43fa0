"""Risk services: statements in, grades out, for one buyer or all; grade history; portfolio view.

The only place of the risk capability with queries. Grading: load what is known (newest statement,
payment behaviour from the ledger, country, sector), score the accounts with the shipped model in one
batch, combine in the pure `combine.combine`, append a `BuyerGrade` row per buyer.
"""

from __future__ import annotations

import io
import logging
from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, or_, select

from arguard.core.errors import ImportRejected, Issue, NotFound, ValidationError
from arguard.core.money import parse_amount
from arguard.ledger.tables import Allocation, Customer, Invoice
from arguard.platform.context import ServiceContext
from arguard.platform.events import Fact, publish, subscribe
from arguard.risk import store
from arguard.risk.combine import PriorShift, combine
from arguard.risk.labels import with_text
from arguard.risk.estimators import as_matrix, reasons_from_contributions
from arguard.risk.model import ITEM_NAMES, Grade, PaymentBehaviour, Reason, RiskInputs, StatementItems
from arguard.risk.ratios import ATTRS, compute_ratios
from arguard.risk.tables import BuyerGrade, FinancialStatement

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
    known = dict(ctx.session.execute(select(Customer.code, Customer.id).where(
        Customer.company_id == ctx.company_id)).all())
    stored, issues = 0, []
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
        add_statement(ctx, str(rec["customer_code"]).strip(), year, end,
                      StatementItems(end, currency, **amounts), source=filename)
        stored += 1
    ctx.audit("risk.statements_imported", "risk_statements", None, reason=filename,
              after={"stored": stored, "rejected": len(issues)})
    return stored, issues


def _read(content: bytes, filename: str) -> pd.DataFrame:
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
    (amount-weighted). Three set-based queries for the whole book and one vectorised pass over them.

    Only invoices that can count are read: still open, issued in the window, or settled (an allocation)
    in it; an older invoice settled before the window adds nothing to any figure. A customer with
    invoices but none of these gets the empty behaviour (nothing paid, nothing overdue)."""
    start = date.fromordinal(as_of.toordinal() - LOOKBACK_DAYS)
    scope = [Invoice.company_id == ctx.company_id, Invoice.document_type == "invoice",
             Invoice.issue_date <= as_of, Invoice.amount_minor > 0]
    if customer_ids is not None:
        scope.append(Invoice.customer_id.in_(customer_ids))
    settled = (select(Allocation.invoice_id.label("invoice_id"), func.max(Allocation.allocated_on).label("settled"),
                      func.count(Allocation.id).label("n_alloc"))
               .where(Allocation.company_id == ctx.company_id, Allocation.allocated_on <= as_of,
                      Allocation.amount_minor > 0).group_by(Allocation.invoice_id))
    if customer_ids is not None:
        settled = settled.join(Invoice, Invoice.id == Allocation.invoice_id).where(*scope)
    alloc = settled.subquery()
    rows = ctx.session.execute(
        select(Invoice.customer_id, Invoice.issue_date, Invoice.due_date, Invoice.amount_minor, Invoice.open_minor,
               Invoice.disputed, alloc.c.settled, alloc.c.n_alloc)
        .outerjoin(alloc, alloc.c.invoice_id == Invoice.id)
        .where(*scope, or_(Invoice.open_minor > 0, Invoice.issue_date > start, alloc.c.settled >= start))).all()
    customers = [int(c) for c in ctx.session.scalars(select(Invoice.customer_id).where(*scope).distinct())]
    if not customers:
        return {}
    credit_notes = dict(ctx.session.execute(select(Invoice.customer_id, func.count(Invoice.id)).where(
        Invoice.company_id == ctx.company_id, Invoice.document_type == "credit_note",
        Invoice.issue_date <= as_of, Invoice.issue_date > start).group_by(Invoice.customer_id)).all())
    figures = behaviour_figures(rows, as_of, start)
    empty = {"invoices_paid": 0, "avg_days_beyond_terms": 0.0, "dbt_trend_days": 0.0, "max_days_past_due": 0,
             "overdue_share": 0.0, "partial_payment_share": 0.0, "overdue_90_share": 0.0, "invoices_paid_90d": 0,
             "disputed_share": 0.0, "issued_in_window": 0}
    out = {}
    for cid in customers:
        f = figures.get(cid, empty)
        issued = int(f.pop("issued_in_window")) if cid in figures else 0
        cn = int(credit_notes.get(cid, 0))
        out[cid] = PaymentBehaviour(
            **{k: v for k, v in f.items() if k != "issued_in_window"},
            credit_note_share=round(min(cn / issued, 1.0), 4) if issued else 0.0)
    return out


def behaviour_figures(rows: list[Any], as_of: date, start: date) -> dict[int, dict[str, Any]]:
    """Payment behaviour of every customer in `rows` (customer_id, issued, due, amount, open, disputed,
    settled, allocations), vectorised: one group-by per figure.

    Disputes: the invoices of the look-back window (issued in it, or still open) that the ledger flags
    as disputed now; credit notes (added by the caller) per invoice issued in the window."""
    if not rows:
        return {}
    df = pd.DataFrame(rows, columns=["cid", "issued", "due", "amount", "open", "disputed", "settled", "n_alloc"])
    cid = df["cid"].to_numpy(np.int64)
    amount = df["amount"].to_numpy(np.float64)
    open_ = df["open"].to_numpy(np.float64)
    n_alloc = df["n_alloc"].fillna(0).to_numpy(np.int64)
    day = np.datetime64(as_of.isoformat(), "D")
    due = pd.to_datetime(df["due"]).to_numpy("datetime64[D]")
    issued = pd.to_datetime(df["issued"]).to_numpy("datetime64[D]")
    settled = pd.to_datetime(df["settled"]).to_numpy("datetime64[D]")  # NaT when never settled
    has_settled = ~np.isnat(settled)
    start_d = np.datetime64(start.isoformat(), "D")
    paid = (open_ == 0) & has_settled & (settled >= start_d)
    overdue = (open_ > 0) & (due < day)
    since_settled = np.where(has_settled, (day - settled).astype(np.int64), 10 ** 6)
    late = np.where(paid, np.clip((settled - due).astype(np.int64), 0, None),
                    np.where(overdue, (day - due).astype(np.int64), 0)).astype(np.float64)
    in_window = issued > start_d
    window_inv = in_window | (open_ > 0)
    disputed = df["disputed"].astype(bool).to_numpy()

    frame = pd.DataFrame({
        "cid": cid, "paid": paid, "overdue": overdue, "in_window": in_window, "window_inv": window_inv,
        "seen_w": np.where(paid | overdue, amount, 0.0), "seen_wl": np.where(paid | overdue, amount * late, 0.0),
        "open_pos": np.where(open_ > 0, open_, 0.0), "open_over": np.where(overdue, open_, 0.0),
        "open_over90": np.where(overdue & (late >= 90), open_, 0.0),
        "late_over": np.where(overdue, late, -1.0), "partial": paid & (n_alloc > 1),
        "paid_90d": paid & (since_settled < 90),
        "disputed_w": window_inv & disputed,
    })
    for name, lo, hi in (("recent", 0, 90), ("before", 90, 180)):
        m = paid & (since_settled < hi) & (since_settled >= lo)
        frame[f"{name}_w"] = np.where(m, amount, 0.0)
        frame[f"{name}_wl"] = np.where(m, amount * late, 0.0)
    g = frame.groupby("cid", sort=False).agg(
        paid=("paid", "sum"), window_inv=("window_inv", "sum"), disputed=("disputed_w", "sum"),
        in_window=("in_window", "sum"), seen_w=("seen_w", "sum"), seen_wl=("seen_wl", "sum"),
        open_pos=("open_pos", "sum"), open_over=("open_over", "sum"), open_over90=("open_over90", "sum"),
        late_over=("late_over", "max"), overdue=("overdue", "sum"), partial=("partial", "sum"),
        paid_90d=("paid_90d", "sum"), recent_w=("recent_w", "sum"), recent_wl=("recent_wl", "sum"),
        before_w=("before_w", "sum"), before_wl=("before_wl", "sum"))
    out: dict[int, dict[str, Any]] = {}
    for rec in g.itertuples():
        dbt = rec.seen_wl / rec.seen_w if rec.seen_w > 0 else 0.0
        recent = rec.recent_wl / rec.recent_w if rec.recent_w > 0 else None
        before = rec.before_wl / rec.before_w if rec.before_w > 0 else None
        trend = 0.0 if recent is None or before is None else recent - before
        open_total = rec.open_pos
        out[int(rec.Index)] = {
            "invoices_paid": int(rec.paid), "avg_days_beyond_terms": round(float(dbt), 2),
            "dbt_trend_days": round(float(trend), 2),
            "max_days_past_due": int(rec.late_over) if rec.overdue else 0,
            "overdue_share": round(float(rec.open_over) / open_total, 4) if open_total else 0.0,
            "partial_payment_share": round(float(rec.partial) / rec.paid, 4) if rec.paid else 0.0,
            "overdue_90_share": round(float(rec.open_over90) / open_total, 4) if open_total else 0.0,
            "invoices_paid_90d": int(rec.paid_90d),
            "disputed_share": round(float(rec.disputed) / rec.window_inv, 4) if rec.window_inv else 0.0,
            "issued_in_window": int(rec.in_window),
        }
    return out


# ---- grading ----------------------------------------------------------------------------------------

EXACT_REASONS_UP_TO = 50
"""Gradings of at most this many buyers explain the financial PD with exact TreeSHAP; larger batches
(grading the whole book) with the per-leaf attributions — one look-up per tree (README rule 5)."""
MANY_CODES = 500
"""Above this many codes the customers are read whole and filtered here (no IN list of thousands)."""


def grade_buyers(ctx: ServiceContext, as_of: date, codes: list[str] | None = None,
                 trigger: str = "batch", portfolio_rate: float | None = None,
                 exact_reasons: bool | None = None) -> dict[str, Grade]:
    """Grade the named buyers (all when None) as of `as_of`; one history row each; returns the grades.

    A bulk operation: statements, payment behaviour and previous grades are read with a few set-based
    queries, the financial model scores one matrix, the grades are written with one multi-row insert and
    the batch is audited once (counts, model version, reasons method). portfolio_rate: the seller's own
    12-month default rate, to re-base PDs from the training sample's (`combine.PriorShift`); None keeps
    the sample calibration. exact_reasons: TreeSHAP (True) or per-leaf (False) reasons for the financial
    PD; None: exact up to `EXACT_REASONS_UP_TO` buyers."""
    ctx.require("analyst")
    q = select(Customer.id, Customer.code, Customer.country, Customer.sector).where(
        Customer.company_id == ctx.company_id)
    wanted = set(codes) if codes is not None else None
    if wanted is not None and len(wanted) <= MANY_CODES:
        q = q.where(Customer.code.in_(sorted(wanted)))
    customers = [c for c in ctx.session.execute(q.order_by(Customer.id)).all()
                 if wanted is None or c.code in wanted]
    if not customers:
        return {}
    ids = [c.id for c in customers] if wanted is not None and len(customers) <= MANY_CODES else None
    models = store.load_models()
    model, meta = models.get(MODEL), models.metadata
    prior = PriorShift(store.sample_rate(meta), portfolio_rate) if portfolio_rate is not None else None
    exact = len(customers) <= EXACT_REASONS_UP_TO if exact_reasons is None else exact_reasons
    method = "exact_treeshap" if exact else "per_leaf"
    statements = latest_statements(ctx, as_of, ids)
    behaviours = payment_behaviours(ctx, as_of, ids)
    financial = _financial_pds(model, [statements.get(c.id) for c in customers], exact)
    countries = store.country_table()
    previous = _latest_grades(ctx, ids)
    typical_pd, version = meta.get("typical_pd", 0.01), meta["model_version"]
    grades, rows, changed = {}, [], 0
    for c, (fin_pd, fin_reasons) in zip(customers, financial, strict=True):
        st = statements.get(c.id)
        age = (as_of - st.fiscal_year_end).days if st is not None and st.fiscal_year_end else None
        inputs = RiskInputs(as_of, fin_pd, fin_reasons, age, behaviours.get(c.id), countries.risk_of(c.country),
                            c.sector)
        grade = combine(inputs, typical_pd=typical_pd, model_version=version, prior=prior)
        grades[c.code] = grade
        rows.append({"company_id": ctx.company_id, "customer_id": c.id, "as_of": as_of, "pd_12m": grade.pd_12m,
                     "grade": grade.grade, "confidence": grade.confidence, "financial_pd": grade.financial_pd,
                     "reasons": [asdict(r) for r in grade.reasons],
                     "inputs": _inputs_record(inputs, prior, method if fin_pd is not None else None),
                     "model_version": grade.model_version, "trigger": trigger, "actor": ctx.actor})
        before = previous.get(c.id)
        if before is None or before != grade.grade:
            changed += 1
            publish(ctx, "risk.grade_changed", c.code, {"from": before, "to": grade.grade, "pd_12m": grade.pd_12m})
    for k in range(0, len(rows), INSERT_CHUNK):
        ctx.session.execute(insert(BuyerGrade), rows[k:k + INSERT_CHUNK])
    dist = Counter(g.grade for g in grades.values())
    ctx.audit("risk.graded", "risk_grades", None, reason=trigger,
              after={"as_of": as_of.isoformat(), "graded": len(grades), "changed": changed,
                     "with_accounts": sum(1 for f in financial if f[0] is not None),
                     "grades": {str(g): dist[g] for g in sorted(dist)}, "model_version": version,
                     "reasons": method, "portfolio_rate": portfolio_rate,
                     "buyers": sorted(grades) if len(grades) <= EXACT_REASONS_UP_TO else None})
    return grades


INSERT_CHUNK = 5000


def _financial_pds(model: Any, items: list[StatementItems | None],
                   exact: bool = True) -> list[tuple[float | None, tuple[Reason, ...]]]:
    rows = [i for i, s in enumerate(items) if s is not None]
    out: list[tuple[float | None, tuple[Reason, ...]]] = [(None, ())] * len(items)
    if not rows:
        return out
    sets = [compute_ratios(items[i]) for i in rows]  # type: ignore[arg-type]
    X = as_matrix(pd.DataFrame([s.values for s in sets], columns=list(ATTRS), dtype=np.float64))
    unreported = np.array([[s.notes.get(a, "").startswith("missing") for a in ATTRS] for s in sets])
    X = model.fill_unreported(X, unreported)
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
    exposure = ctx.session.execute(select(Invoice.customer_id, Invoice.currency, func.sum(Invoice.open_minor))
                                   .where(Invoice.company_id == ctx.company_id, Invoice.open_minor != 0)
                                   .group_by(Invoice.customer_id, Invoice.currency)).all()
    rows: dict[int, dict[str, Any]] = {g: {"grade": g, "buyers": 0, "open_minor": defaultdict(int)}
                                       for g in range(1, 11)}
    for grade in grade_of.values():
        rows[grade]["buyers"] += 1
    for cid, currency, minor in exposure:
        if cid in grade_of:
            rows[grade_of[cid]]["open_minor"][currency] += int(minor)
    return [{**r, "open_minor": dict(r["open_minor"])} for r in rows.values()]


def _customer(ctx: ServiceContext, code: str) -> Customer:
    row = ctx.session.scalar(select(Customer).where(Customer.company_id == ctx.company_id, Customer.code == code))
    if row is None:
        raise NotFound(f"no customer {code!r}", code="customer_not_found")
    return row


# ---- on every new fact ------------------------------------------------------------------------------

REGRADE_ON = ("ledger.invoice", "ledger.payment", "ledger.allocation", "ledger.writeoff", "ledger.dispute",
              "risk.statement")


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
                wanted |= set(session.scalars(select(Customer.code).where(
                    Customer.company_id == company_id, Customer.id.in_(sorted(ids[company_id])))))
            grade_buyers(ctx, date.today(), sorted(wanted), trigger="new_fact")
        ctx.run_after_commit()


def enable_regrading() -> None:
    for kind in REGRADE_ON:
        subscribe(kind, regrade_on_facts)
