"""The loss distribution as the JSON answer of `arguard portfolio simulate` and the API (one shape)."""

from __future__ import annotations

from typing import Any

from arguard.portfolio.cover import CoverResult, InsuranceValue
from arguard.portfolio.model import LossDistribution


def _level(a: float) -> str:
    return f"{a:g}"


def _amount(x: float) -> float:
    return round(float(x), 2)


def distribution_json(dist: LossDistribution, seconds: float, *, detail: bool = True) -> dict[str, Any]:
    """{"buyers", "method", "scenarios", "seconds", "expected_loss", "var", "es", "rel_se"} as the issue
    names them, then seed, currency, capital and (with `detail`) contributions and the histogram."""
    out: dict[str, Any] = {
        "buyers": dist.buyers, "method": dist.method, "scenarios": dist.scenarios, "seconds": round(seconds, 3),
        "expected_loss": _amount(dist.expected_loss),
        "var": {_level(a): _amount(v) for a, v in dist.tail.var.items()},
        "es": {_level(a): _amount(v) for a, v in dist.tail.es.items()},
        "rel_se": {_level(a): round(float(v), 5) for a, v in dist.rel_se.items()},
        "seed": dist.seed, "currency": dist.currency,
        "capital": _amount(dist.capital) if 0.999 in dist.tail.var else None,
    }
    if detail:
        out["contributions"] = {k: {name: _amount(v) for name, v in d.items()}
                                for k, d in dist.contributions.items()}
        out["histogram"] = [[_amount(x), p] for x, p in dist.histogram]
        out["model"] = {k: v for k, v in dist.extra.items()}
    return out


def distribution_rows(dist: LossDistribution) -> list[dict[str, Any]]:
    """One row per confidence level (for the table view)."""
    return [{"level": f"{a:.1%}", "VaR": _amount(dist.tail.var[a]), "ES": _amount(dist.tail.es[a]),
             "VaR − EL": _amount(dist.tail.var[a] - dist.expected_loss)} for a in dist.tail.var]


def cover_json(r: CoverResult) -> dict[str, Any]:
    return {"name": r.name, "premium": _amount(r.premium),
            "max_liability": None if r.max_liability == float("inf") else _amount(r.max_liability),
            "expected_loss": _amount(r.expected_loss),
            "var": {_level(a): _amount(v) for a, v in r.var.items()},
            "es": {_level(a): _amount(v) for a, v in r.es.items()},
            "capital": _amount(r.capital), "el_saved": _amount(r.el_saved),
            "capital_saved": _amount(r.capital_saved), "value": _amount(r.value),
            "insured_share": round(r.insured_share, 4)}


def insurance_json(iv: InsuranceValue, seconds: float, currency: str) -> dict[str, Any]:
    """Gross and each structure's figures, the recommended structure and why (English and 中文)."""
    return {"seed": iv.seed, "scenarios": iv.scenarios, "seconds": round(seconds, 3), "currency": currency,
            "cost_of_capital": iv.cost_of_capital, "gross": cover_json(iv.gross),
            "structures": [cover_json(r) for r in iv.covers], "recommended": iv.recommended,
            "recommendation": insurance_advice(iv, currency)}


def insurance_advice(iv: InsuranceValue, currency: str) -> dict[str, str]:
    """Why the recommended structure (or none) — one sentence in each language."""
    if iv.recommended is None:
        best = max(iv.covers, key=lambda r: r.value, default=None)
        if best is None:
            return {"en": "No structure to compare.", "zh": "没有可比较的保险方案。"}
        return {
            "en": (f"No structure pays for itself: the best, '{best.name}', costs {best.premium:,.0f} {currency} a "
                   f"year and saves {best.el_saved:,.0f} of expected loss and {best.capital_saved:,.0f} of capital "
                   f"(worth {best.value:,.0f} net). Keep the risk, tighten credit checks and limits, and ask for "
                   "prepayment or guarantees on the riskiest deals."),
            "zh": (f"没有方案物有所值：最好的“{best.name}”每年保费 {best.premium:,.0f} {currency}，"
                   f"可减少预期损失 {best.el_saved:,.0f}、所需资本 {best.capital_saved:,.0f}（净值 {best.value:,.0f}）。"
                   "建议自留风险，加强信用审查与限额管理，高风险交易要求预付款或担保。")}
    r = next(c for c in iv.covers if c.name == iv.recommended)
    return {
        "en": (f"Recommended: '{r.name}'. Premium {r.premium:,.0f} {currency} a year buys {r.el_saved:,.0f} of "
               f"expected loss and {r.capital_saved:,.0f} of capital at 99.9 % (worth "
               f"{iv.cost_of_capital:.0%} a year); net value {r.value:,.0f}. The 1-in-1,000-year loss falls from "
               f"{iv.gross.var[0.999]:,.0f} to {r.var[0.999]:,.0f}."),
        "zh": (f"建议采用“{r.name}”。每年保费 {r.premium:,.0f} {currency}，可减少预期损失 {r.el_saved:,.0f}，"
               f"减少 99.9% 置信度下所需资本 {r.capital_saved:,.0f}（资本成本按每年 {iv.cost_of_capital:.0%} 计），"
               f"净值 {r.value:,.0f}。千年一遇的损失由 {iv.gross.var[0.999]:,.0f} 降至 {r.var[0.999]:,.0f}。")}

