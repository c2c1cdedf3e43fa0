"""Risk services: statements in, grades out, for one buyer or all; grade history; portfolio view.

The only place of the risk capability with queries. Grading: load what is known (newest statement,
payment behaviour from the ledger, country, sector), score the accounts with the shipped model in one
batch, combine in the pure `combine.combine`, append a `BuyerGrade` row per buyer.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from arguard.core.errors import ImportRejected, Issue, NotFound, ValidationError
from arguard.core.money import parse_amount
from arguard.ledger.tables import Allocation, Customer, Invoice
from arguard.platform.context import ServiceContext
from arguard.platform.events import Fact, publish, subscribe
from arguard.risk import store
from arguard.risk.combine import PriorShift, combine
from arguard.risk.estimators import as_matrix
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


def latest_statements(ctx: ServiceContext, as_of: date) -> dict[int, StatementItems]:
    """Newest statement per customer with a fiscal year ended by `as_of`; prior-year sales filled in."""
    rows = ctx.session.scalars(select(FinancialStatement).where(
        FinancialStatement.company_id == ctx.company_id, FinancialStatement.fiscal_year_end <= as_of)
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

def payment_behaviours(ctx: ServiceContext, as_of: date) -> dict[int, PaymentBehaviour]:
    """Per customer, from invoices and allocations of the last `LOOKBACK_DAYS` (amount-weighted)."""
    start = date.fromordinal(as_of.toordinal() - LOOKBACK_DAYS)
    inv = pd.DataFrame(ctx.session.execute(select(
        Invoice.id, Invoice.customer_id, Invoice.issue_date, Invoice.due_date, Invoice.amount_minor,
        Invoice.open_minor, Invoice.disputed)
        .where(Invoice.company_id == ctx.company_id, Invoice.document_type == "invoice",
               Invoice.issue_date <= as_of, Invoice.amount_minor > 0)).all(),
        columns=["id", "customer_id", "issued", "due", "amount", "open", "disputed"])
    if inv.empty:
        return {}
    credit_notes = dict(ctx.session.execute(select(Invoice.customer_id, func.count(Invoice.id)).where(
        Invoice.company_id == ctx.company_id, Invoice.document_type == "credit_note",
        Invoice.issue_date <= as_of, Invoice.issue_date > start).group_by(Invoice.customer_id)).all())
    alloc = pd.DataFrame(ctx.session.execute(select(
        Allocation.invoice_id, func.max(Allocation.allocated_on), func.count(Allocation.id))
        .where(Allocation.company_id == ctx.company_id, Allocation.allocated_on <= as_of,
               Allocation.amount_minor > 0).group_by(Allocation.invoice_id)).all(),
        columns=["id", "settled", "n_alloc"])
    df = inv.merge(alloc, on="id", how="left")
    df["due"] = pd.to_datetime(df["due"])
    df["issued"] = pd.to_datetime(df["issued"])
    df["disputed"] = df["disputed"].astype(bool)
    df["settled"] = pd.to_datetime(df["settled"])
    now = pd.Timestamp(as_of)
    paid = (df["open"] == 0) & df["settled"].notna() & (df["settled"] >= pd.Timestamp(start))
    overdue_open = (df["open"] > 0) & (df["due"] < now)
    df["late"] = np.where(paid, (df["settled"] - df["due"]).dt.days.clip(lower=0),
                          np.where(overdue_open, (now - df["due"]).dt.days, 0)).astype(float)
    out = {}
    for cid, g in df.groupby("customer_id"):
        out[int(cid)] = _behaviour(g, paid.loc[g.index], overdue_open.loc[g.index], now,
                                   int(credit_notes.get(int(cid), 0)), pd.Timestamp(start))
    return out


def _behaviour(g: pd.DataFrame, paid: pd.Series, overdue: pd.Series, now: pd.Timestamp, credit_notes: int,
               start: pd.Timestamp) -> PaymentBehaviour:
    """One buyer's payment behaviour. Disputes: the invoices of the look-back window (issued in it, or
    still open) that the ledger flags as disputed now, and the credit notes issued in the window (returns
    and settled disputes), each per invoice issued in the window."""
    seen = paid | overdue
    window_invoices = (g["issued"] > start) | (g["open"] > 0)
    issued_in_window = int((g["issued"] > start).sum())
    weights = g.loc[seen, "amount"].astype(float)
    dbt = float(np.average(g.loc[seen, "late"], weights=weights)) if weights.sum() > 0 else 0.0

    def window(lo: int, hi: int) -> float:
        m = paid & (g["settled"] > now - pd.Timedelta(days=hi)) & (g["settled"] <= now - pd.Timedelta(days=lo))
        w = g.loc[m, "amount"].astype(float)
        return float(np.average(g.loc[m, "late"], weights=w)) if w.sum() > 0 else float("nan")

    recent, before = window(0, 90), window(90, 180)
    trend = 0.0 if np.isnan(recent) or np.isnan(before) else recent - before
    open_total = float(g.loc[g["open"] > 0, "open"].sum())
    overdue_90 = overdue & (g["late"] >= 90)
    paid_90d = paid & (g["settled"] > now - pd.Timedelta(days=90))
    return PaymentBehaviour(
        invoices_paid=int(paid.sum()), avg_days_beyond_terms=round(dbt, 2), dbt_trend_days=round(trend, 2),
        max_days_past_due=int(g.loc[overdue, "late"].max()) if overdue.any() else 0,
        overdue_share=round(float(g.loc[overdue, "open"].sum()) / open_total, 4) if open_total else 0.0,
        partial_payment_share=round(float((g.loc[paid, "n_alloc"] > 1).mean()), 4) if paid.any() else 0.0,
        overdue_90_share=round(float(g.loc[overdue_90, "open"].sum()) / open_total, 4) if open_total else 0.0,
        invoices_paid_90d=int(paid_90d.sum()),
        disputed_share=round(float(g.loc[window_invoices, "disputed"].mean()), 4) if window_invoices.any() else 0.0,
        credit_note_share=round(min(credit_notes / issued_in_window, 1.0), 4) if issued_in_window else 0.0,
    )


# ---- grading ----------------------------------------------------------------------------------------

def grade_buyers(ctx: ServiceContext, as_of: date, codes: list[str] | None = None,
                 trigger: str = "batch", portfolio_rate: float | None = None) -> dict[str, Grade]:
    """Grade the named buyers (all when None) as of `as_of`; one history row each; returns the grades.

    portfolio_rate: the seller's own 12-month default rate, to re-base PDs from the training sample's
    (`combine.PriorShift`); None keeps the sample calibration."""
    ctx.require("analyst")
    q = select(Customer).where(Customer.company_id == ctx.company_id)
    if codes is not None:
        q = q.where(Customer.code.in_(codes))
    customers = ctx.session.scalars(q.order_by(Customer.id)).all()
    if not customers:
        return {}
    models = store.load_models()
    model, meta = models.get(MODEL), models.metadata
    prior = PriorShift(store.sample_rate(meta), portfolio_rate) if portfolio_rate is not None else None
    statements = latest_statements(ctx, as_of)
    behaviours = payment_behaviours(ctx, as_of)
    financial = _financial_pds(model, [statements.get(c.id) for c in customers])
    countries = store.country_table()
    previous = _latest_grades(ctx, [c.id for c in customers])
    grades = {}
    for c, (fin_pd, fin_reasons) in zip(customers, financial, strict=True):
        st = statements.get(c.id)
        age = (as_of - st.fiscal_year_end).days if st is not None and st.fiscal_year_end else None
        inputs = RiskInputs(as_of, fin_pd, fin_reasons, age, behaviours.get(c.id), countries.risk_of(c.country),
                            c.sector)
        grade = combine(inputs, typical_pd=meta.get("typical_pd", 0.01), model_version=meta["model_version"],
                        prior=prior)
        grades[c.code] = grade
        ctx.session.add(BuyerGrade(
            company_id=ctx.company_id, customer_id=c.id, as_of=as_of, pd_12m=grade.pd_12m, grade=grade.grade,
            confidence=grade.confidence, financial_pd=grade.financial_pd,
            reasons=[asdict(r) for r in grade.reasons], inputs=_inputs_record(inputs, prior),
            model_version=grade.model_version, trigger=trigger, actor=ctx.actor))
        before = previous.get(c.id)
        if before is None or before != grade.grade:
            publish(ctx, "risk.grade_changed", c.code, {"from": before, "to": grade.grade, "pd_12m": grade.pd_12m})
    ctx.session.flush()
    return grades


def _financial_pds(model: Any, items: list[StatementItems | None]) -> list[tuple[float | None, tuple[Reason, ...]]]:
    rows = [i for i, s in enumerate(items) if s is not None]
    out: list[tuple[float | None, tuple[Reason, ...]]] = [(None, ())] * len(items)
    if not rows:
        return out
    sets = [compute_ratios(items[i]) for i in rows]  # type: ignore[arg-type]
    X = as_matrix(pd.DataFrame([s.values for s in sets], columns=list(ATTRS), dtype=np.float64))
    unreported = np.array([[s.notes.get(a, "").startswith("missing") for a in ATTRS] for s in sets])
    X = model.fill_unreported(X, unreported)
    pds = model.predict_pd(X)
    reasons = model.explain(X, top=3, exact=True)  # one company's buyers: exact TreeSHAP is quick enough
    for k, i in enumerate(rows):
        out[i] = (float(pds[k]), reasons[k])
    return out


def _inputs_record(inputs: RiskInputs, prior: PriorShift | None = None) -> dict[str, Any]:
    return {"financial_pd": inputs.financial_pd, "accounts_age_days": inputs.accounts_age_days,
            "behaviour": asdict(inputs.behaviour) if inputs.behaviour else None,
            "country": asdict(inputs.country) if inputs.country else None, "sector": inputs.sector,
            "prior_shift": asdict(prior) if prior is not None else None}


def _latest_grades(ctx: ServiceContext, customer_ids: list[int]) -> dict[int, int]:
    newest = select(BuyerGrade.customer_id, func.max(BuyerGrade.id).label("id")).where(
        BuyerGrade.company_id == ctx.company_id, BuyerGrade.customer_id.in_(customer_ids)
    ).group_by(BuyerGrade.customer_id).subquery()
    rows = ctx.session.execute(select(BuyerGrade.customer_id, BuyerGrade.grade).join(
        newest, BuyerGrade.id == newest.c.id)).all()
    return {cid: g for cid, g in rows}


def buyer_risk(ctx: ServiceContext, code: str, as_of: date, history: int = 24) -> dict[str, Any]:
    """The newest grade of a buyer (graded now if it has none) and its history, newest first."""
    customer = _customer(ctx, code)
    rows = ctx.session.scalars(select(BuyerGrade).where(
        BuyerGrade.company_id == ctx.company_id, BuyerGrade.customer_id == customer.id)
        .order_by(BuyerGrade.as_of.desc(), BuyerGrade.id.desc()).limit(history)).all()
    if not rows:
        grade_buyers(ctx, as_of, [code], trigger="on_request")
        return buyer_risk(ctx, code, as_of, history)
    latest = rows[0]
    return {"customer_code": code, "as_of": latest.as_of.isoformat(), "pd_12m": latest.pd_12m,
            "grade": latest.grade, "confidence": latest.confidence, "financial_pd": latest.financial_pd,
            "reasons": latest.reasons, "model_version": latest.model_version, "inputs": latest.inputs,
            "history": [{"as_of": r.as_of.isoformat(), "grade": r.grade, "pd_12m": r.pd_12m,
                         "trigger": r.trigger} for r in rows]}


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

REGRADE_ON = ("ledger.invoice", "ledger.payment", "ledger.allocation", "ledger.writeoff", "risk.statement")


def regrade_on_facts(facts: list[Fact]) -> None:
    """Subscriber: re-grade the buyers that new facts concern, in a unit of work of its own."""
    from arguard.db.session import get_engine, session_scope

    wanted: dict[int, set[str]] = defaultdict(set)
    for f in facts:
        if f.kind in REGRADE_ON and f.customer_code:
            wanted[f.company_id].add(f.customer_code)
    for company_id, codes in wanted.items():
        with session_scope(get_engine()) as session:
            ctx = ServiceContext(session, company_id, "system:risk", "admin")
            grade_buyers(ctx, date.today(), sorted(codes), trigger="new_fact")
        ctx.run_after_commit()


def enable_regrading() -> None:
    for kind in REGRADE_ON:
        subscribe(kind, regrade_on_facts)
