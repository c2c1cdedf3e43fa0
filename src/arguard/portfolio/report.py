"""The loss distribution as the JSON answer of `arguard portfolio simulate` and the API (one shape)."""

from __future__ import annotations

from typing import Any

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
