"""What a credit-insurance policy does to the loss distribution (pure; see README rules 8–12).

Per buyer, a default costs the seller w = EAD × LGD; the policy indemnifies
    indemnity × max(0, LGD × min(EAD, insured limit) − deductible per claim)
for a buyer in its scope (whole turnover, or only the key buyers). Per year the insurer pays
    min(max(Σ indemnities − aggregate first loss, 0), maximum liability)
and the seller keeps the rest. Each scenario draws the gross loss and the claimable base of every
scope together (large buyers' defaults one by one; for the granular rest the pair is conditionally
normal with the exact conditional means, variances and covariance), so every structure is judged on
the same scenarios (common random numbers) and their differences are sharp. Half the chunks are drawn
plainly and half around the tail point, weighted by the defensive mixture, so the expected loss
(the body of the distribution) is estimated as well as the tail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from arguard.portfolio.conditional import moment_tables, prepare, read_tables, thresholds
from arguard.portfolio.factors import build_structure
from arguard.portfolio.model import LEVELS, Book, Correlation, SimulationSettings
from arguard.portfolio.montecarlo import MAIN, _defaults, _factors, _rng, cross_entropy_shift

COST_OF_CAPITAL = 0.10
"""What holding one unit of risk capital for a year costs the seller (a common hurdle rate)."""
TURNOVER_PER_EXPOSURE = 6.0
"""Annual insured turnover per unit of open exposure when none is given: receivables turning over
six times a year (about 60 days of terms)."""


@dataclass(frozen=True)
class Cover:
    """One policy structure. Amounts in the book's currency; rates as fractions (0.9 = 90 %).
    max_liability: an amount, or max_liability_multiple × premium when the amount is None;
    key_buyers: the insured buyers (None: the whole turnover); limits: insured limit per buyer id
    (absent: the buyer's whole exposure)."""

    name: str
    indemnity: float = 0.90
    deductible_per_claim: float = 0.0
    aggregate_first_loss: float = 0.0
    max_liability: float | None = None
    max_liability_multiple: float | None = 30.0
    premium_rate: float = 0.002
    premium_minimum: float = 0.0
    key_buyers: frozenset[str] | None = None
    limits: Mapping[str, float] = field(default_factory=dict)
    priced_from_quote: float | None = None
    """A variant without its own quote: priced at the quoted policy's loss ratio (premium ∝ expected
    indemnity) times this loading (1.5 for key buyers only: single-risk cover costs more)."""

    def premium(self, insured_turnover: float) -> float:
        return max(self.premium_rate * insured_turnover, self.premium_minimum)

    def liability(self, premium: float) -> float:
        if self.max_liability is not None:
            return self.max_liability
        return self.max_liability_multiple * premium if self.max_liability_multiple else float("inf")

    def scope_key(self) -> tuple[object, ...]:
        return (self.key_buyers, self.deductible_per_claim, tuple(sorted(self.limits.items())))


@dataclass(frozen=True)
class CoverResult:
    """A structure's premium and what the seller keeps: expected loss, VaR/ES, capital (VaR99.9 − EL),
    and value = EL saved + cost of capital × capital saved − premium (negative: costs more than it buys)."""

    name: str
    premium: float
    max_liability: float
    expected_loss: float
    var: Mapping[float, float]
    es: Mapping[float, float]
    capital: float
    el_saved: float
    capital_saved: float
    value: float
    insured_share: float


@dataclass(frozen=True)
class InsuranceValue:
    gross: CoverResult
    covers: tuple[CoverResult, ...]
    scenarios: int
    seed: int
    recommended: str | None
    cost_of_capital: float


def claimable(book: Book, cover: Cover) -> np.ndarray:
    """Per buyer, what a default lets the seller claim before the indemnity percentage."""
    limit = np.array([cover.limits.get(str(i), np.inf) for i in book.ids]) if cover.limits else np.inf
    base = np.maximum(book.lgd * np.minimum(book.ead, limit) - cover.deductible_per_claim, 0.0)
    if cover.key_buyers is not None:
        base = np.where(np.isin(book.ids.astype(str), list(cover.key_buyers)), base, 0.0)
    return np.asarray(base, dtype=float)


def standard_structures(book: Book, base: Cover, key_count: int = 20) -> list[Cover]:
    """The structures worth comparing around a policy: its indemnity at 80 / 90 / 95 %, its aggregate
    first loss at none / as given / about one year's expected loss, and the key buyers only (the
    `key_count` largest exposures). The first is the quoted policy; the others are priced at its loss
    ratio (key buyers with a 1.5 loading: single-risk cover is priced higher)."""
    el = book.expected_loss
    key = frozenset(str(i) for i in book.ids[np.argsort(-book.ead)[:key_count]])
    out = [base]
    out += [replace(base, name=f"indemnity {p:.0%}", indemnity=p, priced_from_quote=1.0)
            for p in (0.80, 0.95) if abs(p - base.indemnity) > 1e-9]
    afl = round(el, -2) if el >= 100 else round(el, 2)
    out += [replace(base, name=f"first loss {a:,.0f}", aggregate_first_loss=a, priced_from_quote=1.0)
            for a in (0.0, afl) if abs(a - base.aggregate_first_loss) > 1e-9]
    out.append(replace(base, name=f"key buyers ({len(key)})", key_buyers=key, priced_from_quote=1.5))
    return out


def insurance_value(book: Book, corr: Correlation, covers: Sequence[Cover], turnover: np.ndarray,
                    settings: SimulationSettings, cost_of_capital: float = COST_OF_CAPITAL,
                    levels: Sequence[float] = LEVELS) -> InsuranceValue:
    """Gross and net-of-policy loss distributions on the same scenarios, and the recommendation."""
    struct = build_structure(book, corr)
    w = book.loss_at_default
    prep = prepare(struct, book.pd, w, settings.granular_share)
    bases: dict[tuple[object, ...], np.ndarray] = {}
    for cover in covers:
        bases.setdefault(cover.scope_key(), claimable(book, cover))
    keys, vectors = list(bases), list(bases.values())
    loss, claim, weight = _scenarios(prep, struct, book, vectors, settings)
    gross = _result("gross", w, loss, weight, np.zeros_like(loss), 0.0, np.inf, None, book, levels,
                    cost_of_capital, 0.0)
    results = []
    quote_ratio = None
    for cover in covers:
        in_scope = claimable(book, cover) > 0
        claims = claim[:, keys.index(cover.scope_key())]
        premium = cover.premium(float(turnover[in_scope].sum()))
        if cover.priced_from_quote is not None and quote_ratio:
            expected = _expected_paid(cover, claims, weight, np.inf)
            premium = expected / quote_ratio * cover.priced_from_quote
        liability = cover.liability(premium)
        if cover.priced_from_quote is None and quote_ratio is None and premium > 0:
            quote_ratio = _expected_paid(cover, claims, weight, liability) / premium
        paid = np.clip(cover.indemnity * claims - cover.aggregate_first_loss, 0.0, liability)
        results.append(_result(cover.name, w, loss, weight, paid, premium, liability, gross, book, levels,
                               cost_of_capital, float(w[in_scope].sum() / max(w.sum(), 1e-300))))
    best = max(results, key=lambda r: r.value, default=None)
    return InsuranceValue(gross, tuple(results), int(loss.size), settings.seed,
                          best.name if best and best.value > 0 else None, cost_of_capital)


def _scenarios(prep: object, struct: object, book: Book, bases: list[np.ndarray],
               settings: SimulationSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from arguard.portfolio.conditional import Prepared
    from arguard.portfolio.factors import FactorStructure

    assert isinstance(prep, Prepared) and isinstance(struct, FactorStructure)
    w = book.loss_at_default
    granular = np.ones(len(book), bool)
    granular[prep.big_index] = False
    t = thresholds(prep.model, book.pd)[granular]
    tables = moment_tables(prep.model, struct, t, struct.cell_of[granular], 0.0, w[granular],
                           [b[granular] for b in bases],
                           [w[granular] * b[granular] for b in bases] + [b[granular] ** 2 for b in bases])
    nb = len(bases)
    shift = cross_entropy_shift(prep, settings.seed) if settings.importance_sampling else np.zeros(prep.factors)
    losses, claims, logws = [], [], []
    for index in range(max(settings.min_scenarios // settings.chunk, 1)):
        rng = _rng(settings.seed, MAIN, index)
        x, _, y = _factors(rng, prep, shift if index % 2 else 0.0 * shift, settings.chunk)
        # defensive mixture: half the chunks plain, half toward the tail; weights ≤ 2 keep the
        # expected loss (the body) as sharp as the tail
        logw = -np.logaddexp(np.log(0.5), np.log(0.5) + x @ shift - 0.5 * float(shift @ shift))
        mean_l, var_l = read_tables((prep.logf1, prep.logf2), y)
        defaults = _defaults(rng, prep, y)
        moments = read_tables(tuple(tables), y)
        z = rng.standard_normal((settings.chunk, 1 + nb))
        sd_l = np.sqrt(var_l)
        noise = sd_l * z[:, 0]
        big = defaults @ prep.big_w
        total = np.maximum(big + mean_l + noise, 0.0)
        chunk_claims = np.empty((settings.chunk, nb))
        for j, base in enumerate(bases):
            mean_b, cov, var_b = moments[j], moments[nb + j], moments[2 * nb + j]
            beta = np.where(var_l > 0, cov / np.maximum(var_l, 1e-300), 0.0)
            resid = np.sqrt(np.maximum(var_b - beta * beta * var_l, 0.0))
            b = defaults @ base[prep.big_index] + mean_b + beta * noise + resid * z[:, 1 + j]
            chunk_claims[:, j] = np.clip(b, 0.0, total)
        losses.append(total)
        claims.append(chunk_claims)
        logws.append(logw)
    return np.concatenate(losses), np.concatenate(claims), np.exp(np.concatenate(logws))


def _expected_paid(cover: Cover, claims: np.ndarray, weight: np.ndarray, liability: float) -> float:
    return float(np.mean(weight * np.clip(cover.indemnity * claims - cover.aggregate_first_loss, 0.0, liability)))


def weighted_tail(values: np.ndarray, weight: np.ndarray, alpha: float) -> tuple[float, float]:
    """VaR and ES at alpha of a weighted sample (weights are likelihood ratios: mean ≈ 1)."""
    order = np.argsort(-values)
    v, wt = values[order], weight[order]
    mass = (1 - alpha) * values.size
    cum = np.cumsum(wt)
    k = int(np.searchsorted(cum, mass))
    k = min(k, v.size - 1)
    before = float(cum[k - 1]) if k > 0 else 0.0
    es = (float(v[:k] @ wt[:k]) + (mass - before) * float(v[k])) / mass
    return float(v[k]), es


def _result(name: str, w: np.ndarray, loss: np.ndarray, weight: np.ndarray, paid: np.ndarray, premium: float,
            liability: float, gross: CoverResult | None, book: Book, levels: Sequence[float],
            coc: float, insured_share: float) -> CoverResult:
    el = book.expected_loss - float(np.mean(weight * paid))
    net = loss - paid
    tails = {a: weighted_tail(net, weight, a) for a in levels}
    var = {a: v for a, (v, _) in tails.items()}
    es = {a: e for a, (_, e) in tails.items()}
    capital = var[max(levels)] - el
    el_saved = gross.expected_loss - el if gross else 0.0
    capital_saved = gross.capital - capital if gross else 0.0
    value = el_saved + coc * capital_saved - premium if gross else 0.0
    return CoverResult(name, premium, liability, el, var, es, capital, el_saved, capital_saved, value,
                       insured_share)


def cover_from_terms(terms: Mapping[str, object], name: str = "policy") -> Cover:
    """A cover from policy terms as the insurance capability's policy file writes them
    (indemnity_pct {commercial}, deductible_per_claim, aggregate_first_loss, max_liability {amount |
    multiple_of_premium}, premium {rate_pct, minimum}); absent terms keep the Cover defaults."""

    def num(value: object, default: float | None) -> float | None:
        if value is None or value == "":
            return default
        return float(str(value).replace("_", "").replace(",", ""))

    def sub(key: str) -> Mapping[str, object]:
        value = terms.get(key)
        return value if isinstance(value, Mapping) else {}

    indemnity = terms.get("indemnity_pct")
    pct = num(sub("indemnity_pct").get("commercial") if isinstance(indemnity, Mapping) else indemnity, 90.0)
    liability = sub("max_liability")
    premium = sub("premium")
    base = Cover(name)
    return Cover(
        name, indemnity=(pct or 0.0) / 100.0,
        deductible_per_claim=num(terms.get("deductible_per_claim"), 0.0) or 0.0,
        aggregate_first_loss=num(terms.get("aggregate_first_loss"), 0.0) or 0.0,
        max_liability=num(liability.get("amount"), None),
        max_liability_multiple=num(liability.get("multiple_of_premium"), base.max_liability_multiple),
        premium_rate=(num(premium.get("rate_pct"), base.premium_rate * 100) or 0.0) / 100.0,
        premium_minimum=num(premium.get("minimum"), 0.0) or 0.0)


def cover_from_policy(policy: Any, limits: Mapping[str, float] | None = None) -> Cover:
    """A cover from a stored policy (`arguard.insurance.model.Policy`): commercial indemnity %, per-claim
    deductible, aggregate first loss, maximum liability, premium rate and minimum; `limits`: the insured
    amount per buyer where the policy names one (in the book's currency)."""
    liability = policy.max_liability
    return Cover(
        str(policy.policy_number), indemnity=float(policy.indemnity_commercial_pct) / 100.0,
        deductible_per_claim=float(policy.deductible_per_claim.amount),
        aggregate_first_loss=float(policy.aggregate_first_loss.amount),
        max_liability=float(liability.amount.amount) if liability.amount is not None else None,
        max_liability_multiple=(float(liability.multiple_of_premium)
                                if liability.multiple_of_premium is not None else None),
        premium_rate=float(policy.premium.rate_pct) / 100.0, premium_minimum=float(policy.premium.minimum.amount),
        limits=dict(limits or {}))
