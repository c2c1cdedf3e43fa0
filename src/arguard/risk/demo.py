"""Demo step: financial statements for the demo buyers, then a grade for every buyer; and the validation
of the combined grade against the demo's hidden truth.

Statements are real ratio profiles from the shipped Polish data, turned back into balance-sheet items at
the buyer's size and picked so that the financial model's PD of the statement as written (not only of the
profile: the round trip moves some) is close to the buyer's hidden PD. About one buyer in seven gets no
accounts, to show grading from what is known.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from random import Random
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from arguard.demo.model import DemoWorld
from arguard.platform.context import ServiceContext
from arguard.risk import service, store
from arguard.risk.combine import COUNTRY_STEP, in_default, logit, payment_reasons, sector_reason
from arguard.risk.estimators import as_matrix
from arguard.risk.model import CountryRisk, PaymentBehaviour, RiskInputs, StatementItems
from arguard.risk.ratios import ratio_matrix
from arguard.risk.training import load_arff

NO_ACCOUNTS_SHARE = 0.15
CENT = Decimal("0.01")


def items_from_ratios(r: dict[str, float], sales: Decimal, currency: str, year_end: date) -> StatementItems:
    """Balance-sheet and income items of a firm with `sales` whose ratios are `r` (NaN = unknown)."""
    def ok(*names: str) -> bool:
        return all(np.isfinite(r.get(n, np.nan)) for n in names)

    def d(x: float) -> Decimal:
        return Decimal(repr(float(x))).quantize(CENT)

    turnover = r["Attr9"] if ok("Attr9") and r["Attr9"] > 0.05 else 1.0
    ta = float(sales) / turnover
    out: dict[str, Decimal | None] = {"total_assets": d(ta), "sales": sales.quantize(CENT)}
    simple = {"total_liabilities": "Attr2", "equity": "Attr10", "short_term_liabilities": "Attr51",
              "net_profit": "Attr1", "retained_earnings": "Attr6", "gross_profit": "Attr18", "ebit": "Attr7",
              "operating_profit": "Attr22", "profit_on_sales": "Attr35", "gross_profit_3y": "Attr24"}
    for item, attr in simple.items():
        out[item] = d(r[attr] * ta) if ok(attr) else None
    s = float(sales)
    if ok("Attr2", "Attr51"):
        out["long_term_liabilities"] = d((r["Attr2"] - r["Attr51"]) * ta)
    if ok("Attr3", "Attr51"):
        ca = (r["Attr3"] + r["Attr51"]) * ta
        out["current_assets"], out["fixed_assets"] = d(ca), d(ta - ca)
        if ok("Attr20", "Attr44", "Attr40"):
            inv, rec = r["Attr20"] * s / 365, r["Attr44"] * s / 365
            out["inventory"], out["receivables"] = d(inv), d(rec)
            out["cash"], out["short_term_securities"] = d(r["Attr40"] * r["Attr51"] * ta), Decimal(0)
    if ok("Attr21") and r["Attr21"] > 0:
        out["sales_prior_year"] = d(s / r["Attr21"])
    if ok("Attr56"):
        out["cost_of_products_sold"] = d(s * (1 - r["Attr56"]))
    if ok("Attr13", "Attr18"):
        out["depreciation"] = d(max(r["Attr13"] * s - r["Attr18"] * ta, 0.0))
    if ok("Attr7", "Attr18"):
        out["interest"] = d(max((r["Attr7"] - r["Attr18"]) * ta, 0.0))
    if ok("Attr22", "Attr27") and r["Attr27"] != 0:
        out["financial_expenses"] = d(abs(r["Attr22"] * ta / r["Attr27"]))
    if ok("Attr34", "Attr2"):
        out["operating_expenses"] = d(r["Attr34"] * r["Attr2"] * ta)
    if ok("Attr25", "Attr10"):
        out["share_capital"] = d((r["Attr10"] - r["Attr25"]) * ta)
    if ok("Attr58"):
        out["total_costs"] = d(r["Attr58"] * s)
    return StatementItems(year_end, currency, **out)


def _profiles() -> tuple[list[dict[str, float]], np.ndarray]:
    X, _ = load_arff(store.read_training_data())
    pds = store.load_models().gbm.predict_pd(as_matrix(X))
    return X.to_dict(orient="records"), pds


def _financial_logits(statements: list[StatementItems]) -> list[float]:
    """Log-odds of the financial PD that grading will give each statement. A profile turned into
    balance-sheet items and back does not always score as it did (some ratios are not restored exactly,
    log total assets moves with the buyer's size), so the demo checks the statements it writes."""
    model = store.load_models().gbm
    ratios, unreported = ratio_matrix(statements)
    return [logit(float(p)) for p in model.predict_pd(model.fill_unreported(as_matrix(ratios), unreported))]


CANDIDATES = 7
"""Ratio profiles tried per buyer: the neighbours of its hidden PD in the profiles' own PD order."""


def risk_demo(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    profiles, pds = _profiles()
    order = np.argsort(pds)
    sorted_pds = pds[order]
    year = world.as_of.year - 1 if world.as_of.month >= 5 else world.as_of.year - 2
    wanted, candidates = [], []
    for buyer in world.buyers:
        if rng.random() < NO_ACCOUNTS_SHARE:
            continue
        k = int(np.searchsorted(sorted_pds, buyer.pd_12m)) + rng.randint(-3, 3)
        picks = [int(order[min(max(k + j, 0), len(order) - 1)]) for j in range(-(CANDIDATES // 2), CANDIDATES // 2 + 1)]
        sales = (buyer.annual_sales * Decimal(str(round(rng.uniform(0.9, 1.1), 3)))).quantize(CENT)
        wanted.append((buyer, logit(buyer.pd_12m)))
        candidates.append([items_from_ratios(profiles[p], sales, "EUR", date(year, 12, 31)) for p in picks])
    scored = iter(_financial_logits([s for items in candidates for s in items]))
    statements = []
    for (buyer, target), items in zip(wanted, candidates, strict=True):
        errors = [abs(next(scored) - target) for _ in items]
        statements.append((buyer.code, year, date(year, 12, 31), items[errors.index(min(errors))]))
    service.add_statements(ctx, statements, source="demo")
    service.grade_buyers(ctx, world.as_of, trigger="demo")


def validate(grades: dict[str, Any], truth: dict[str, Any]) -> dict[str, float]:
    """How well PDs rank the demo's hidden truth: Spearman ρ with the hidden PD and AUC on defaults,
    for the financial PD alone (buyers with accounts) and for the combined PD (all buyers)."""
    from scipy.stats import spearmanr

    codes = [c for c in grades if c in truth]
    hidden = np.array([truth[c].pd_12m for c in codes])
    final = np.array([grades[c].pd_12m for c in codes])
    defaulted = np.array([truth[c].defaulted_on is not None for c in codes])
    fin_mask = np.array([grades[c].financial_pd is not None for c in codes])
    fin = np.array([grades[c].financial_pd or 0.0 for c in codes])
    out = {"buyers": float(len(codes)), "with_accounts": float(fin_mask.sum()), "defaulted": float(defaulted.sum()),
           "spearman_final": float(spearmanr(final, hidden)[0]),
           "spearman_financial": float(spearmanr(fin[fin_mask], hidden[fin_mask])[0])}
    if 0 < defaulted.sum() < len(codes):
        out["auc_final"] = float(roc_auc_score(defaulted, final))
        if 0 < defaulted[fin_mask].sum() < fin_mask.sum():
            out["auc_financial"] = float(roc_auc_score(defaulted[fin_mask], fin[fin_mask]))
            out["auc_final_same_buyers"] = float(roc_auc_score(defaulted[fin_mask], final[fin_mask]))
    return {k: round(v, 4) for k, v in out.items()}


# ---- validation of the overlays against the hidden truth -----------------------------------------------

OVERLAY_PARTS = ("payment", "country", "sector")


def _parts(inputs: RiskInputs) -> dict[str, float]:
    """Each overlay's log-odds effect for one buyer, split as `combine` adds them."""
    payment = payment_reasons(inputs.behaviour) if inputs.behaviour is not None else []
    disputes = sum(r.impact for r in payment if r.code in ("payment.disputes", "payment.credit_notes"))
    sector = sector_reason(inputs.sector)
    return {"payment": sum(r.impact for r in payment) - disputes, "disputes": disputes,
            "country": COUNTRY_STEP * inputs.country.treated_as if inputs.country is not None else 0.0,
            "sector": sector.impact if sector is not None else 0.0}


def overlay_validation(inputs: list[RiskInputs], hidden_pd: np.ndarray, defaulted: np.ndarray,
                       typical_pd: float) -> dict[str, Any]:
    """How each overlay moves the ranking of the demo's buyers, and what weights the hidden truth asks for.

    Buyers already in default (grade 10) are left out: their grade is an observation, not a forecast.
    For each variant (the anchor alone, then adding payment, disputes, country, sector one at a time, then
    all): Spearman ρ of the PD with the hidden PD and AUC on the buyers that defaulted later in the
    history. `multipliers`: least-squares fit of logit(hidden PD) on logit(anchor) and each overlay's
    current log-odds effect; 1 means the judgement weight is right-sized for the demo, 0 that it adds
    nothing, 2 that it should be twice as strong.
    """
    from scipy.stats import spearmanr

    keep = np.array([not (i.insolvent or in_default(i.behaviour)) for i in inputs])
    rows = [i for i, k in zip(inputs, keep, strict=True) if k]
    hidden, fails = np.asarray(hidden_pd)[keep], np.asarray(defaulted)[keep]
    anchor = np.array([logit(i.financial_pd if i.financial_pd is not None else typical_pd) for i in rows])
    parts = {k: np.array([_parts(i)[k] for i in rows]) for k in ("payment", "disputes", "country", "sector")}
    variants = {"anchor only": anchor, **{f"anchor + {k}": anchor + v for k, v in parts.items()},
                "all (as graded)": anchor + sum(parts.values())}
    out: dict[str, Any] = {"buyers": int(keep.sum()), "left_out_in_default": int((~keep).sum()),
                           "defaulted_later": int(fails.sum()), "variants": {}}
    for name, score in variants.items():
        row = {"spearman_hidden_pd": round(float(spearmanr(score, hidden)[0]), 4)}
        if 0 < fails.sum() < len(fails):
            row["auc_defaults"] = round(float(roc_auc_score(fails, score)), 4)
        out["variants"][name] = row
    design = np.column_stack([np.ones(len(rows)), anchor, *parts.values()])
    target = np.log(hidden / (1 - hidden))
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    out["multipliers"] = {k: round(float(c), 3) for k, c in zip(["anchor", *parts], coef[1:], strict=True)}
    return out


def validate_demo_company(ctx: ServiceContext, typical_pd: float) -> dict[str, Any]:
    """`overlay_validation` on the newest grade of every demo buyer (reads the demo-only truth table)."""
    from sqlalchemy import func, select

    from arguard.demo.interface import hidden_risk
    from arguard.ledger.interface import customer_codes
    from arguard.risk.tables import BuyerGrade

    newest = select(BuyerGrade.customer_id, func.max(BuyerGrade.id).label("id")).where(
        BuyerGrade.company_id == ctx.company_id).group_by(BuyerGrade.customer_id).subquery()
    grades = list(ctx.session.scalars(select(BuyerGrade).join(newest, BuyerGrade.id == newest.c.id)
                                      .order_by(BuyerGrade.id)))
    codes, truths = customer_codes(ctx, {g.customer_id for g in grades}), hidden_risk(ctx)
    rows = [(g, truths[codes[g.customer_id]]) for g in grades
            if g.customer_id in codes and codes[g.customer_id] in truths]
    inputs, hidden, defaulted = [], [], []
    for grade, truth in rows:
        rec: dict[str, Any] = dict(grade.inputs)
        inputs.append(RiskInputs(
            grade.as_of, rec.get("financial_pd"), (), rec.get("accounts_age_days"),
            PaymentBehaviour(**rec["behaviour"]) if rec.get("behaviour") else None,
            CountryRisk(**rec["country"]) if rec.get("country") else None, rec.get("sector")))
        hidden.append(truth.pd_12m)
        defaulted.append(truth.defaulted_on is not None)
    return overlay_validation(inputs, np.array(hidden), np.array(defaulted), typical_pd)
