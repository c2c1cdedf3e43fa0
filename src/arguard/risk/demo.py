"""Demo step: financial statements for the demo buyers, then a grade for every buyer; and the validation
of the combined grade against the demo's hidden truth.

Statements are real ratio profiles from the shipped Polish data, picked so that the financial model's
PD is close to the buyer's hidden PD, and turned back into balance-sheet items at the buyer's size. About
one buyer in seven gets no accounts, to show grading from what is known.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from random import Random
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from arguard.demo.model import DemoWorld
from arguard.demo.steps import demo_step
from arguard.platform.context import ServiceContext
from arguard.risk import service, store
from arguard.risk.estimators import as_matrix
from arguard.risk.model import StatementItems
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


@demo_step("risk", order=20)
def risk_demo(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    profiles, pds = _profiles()
    order = np.argsort(pds)
    sorted_pds = pds[order]
    year = world.as_of.year - 1 if world.as_of.month >= 5 else world.as_of.year - 2
    for buyer in world.buyers:
        if rng.random() < NO_ACCOUNTS_SHARE:
            continue
        k = int(np.searchsorted(sorted_pds, buyer.pd_12m))
        pick = int(order[min(max(k + rng.randint(-3, 3), 0), len(order) - 1)])
        sales = (buyer.annual_sales * Decimal(str(round(rng.uniform(0.9, 1.1), 3)))).quantize(CENT)
        items = items_from_ratios(profiles[pick], sales, "EUR", date(year, 12, 31))
        service.add_statement(ctx, buyer.code, year, date(year, 12, 31), items, source="demo")
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
