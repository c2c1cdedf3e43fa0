"""Draw the demo company's buyers: who they are and the hidden risk that will drive how they pay.

Pure: a seed in, frozen records out (numpy for the numbers, `random.Random` for names and IBANs).

Rules (numbered as in README.md):
1. Every country and every sector appears at least once when there are enough buyers; the rest are
   drawn by the weights in `geography.py`.
2. The hidden 12-month PD is lognormal (median 0.8 %) times the country and sector risk multipliers,
   kept within 0.03 %…50 %.
3. A buyer defaults within its active span with probability 1 − (1 − PD)^years; 60 % of defaults are
   insolvencies, the rest protracted defaults. A subsidiary's PD leans towards its parent's, and it
   follows a defaulting parent within two months with probability 0.6.
4. Payment habit (culture_days) = the country's habit + noise; 8 % of buyers are slow but safe.
"""

from __future__ import annotations

import math
import warnings
from datetime import date, timedelta
from decimal import Decimal
from random import Random

import numpy as np

from arguard.demo.geography import COUNTRIES, SECTORS, Country
from arguard.demo.model import DemoBuyer, DemoSize
from arguard.demo.names import BuyerName, buyer_name, email_for, subsidiary_name

_IBAN_COUNTRIES = frozenset({"DE", "FR", "IT", "ES", "NL", "BE", "AT", "CH", "GB", "IE", "PT", "GR", "SE",
                             "DK", "FI", "NO", "PL", "CZ", "HU", "RO", "TR", "BR", "AE", "SA", "IL", "EG"})
GROUP_SHARE = 0.06
"""share of buyers that are subsidiaries of another buyer"""


def _cover_then_draw(n: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices into the weighted list: each index once (if n allows), the rest by weight, shuffled."""
    k = len(weights)
    head = np.arange(min(n, k))
    tail = rng.choice(k, size=max(0, n - k), p=weights / weights.sum())
    out = np.concatenate([head, tail])
    rng.shuffle(out)
    return out


def _iban(country: str, rng: Random) -> str:
    from schwifty import IBAN

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return str(IBAN.random(country_code=country, random=rng))


def _account(country: str, rng: Random) -> str:
    """An IBAN where the country has them; elsewhere a plain domestic account number."""
    if country in _IBAN_COUNTRIES:
        return _iban(country, rng)
    return "".join(rng.choice("0123456789") for _ in range(rng.choice((10, 12, 14, 16))))


def _tax_id(country: str, rng: Random) -> str:
    def digits(k: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(k))

    if country == "CN":
        return "91" + digits(6) + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(10))
    if country == "US":
        return f"{digits(2)}-{digits(7)}"
    if country == "BR":
        return f"{digits(2)}.{digits(3)}.{digits(3)}/0001-{digits(2)}"
    if country == "GB":
        return "GB" + digits(9)
    if country in {"DE", "IT", "FR", "ES", "NL", "BE", "AT", "PT", "PL", "SE", "DK", "FI", "IE", "CZ", "HU",
                   "RO", "GR"}:
        return ("EL" if country == "GR" else country) + digits(9 if country != "IT" else 11)
    return digits(10)


def draw_buyers(size: DemoSize, seed: int, as_of: date, start_on: date) -> tuple[DemoBuyer, ...]:
    """The buyers of a demo company of `size`, reproducible from `seed`."""
    rng = np.random.default_rng(seed)
    pyrng = Random(seed)
    n = size.buyers
    span_days = (as_of - start_on).days
    country_ix = _cover_then_draw(n, np.array([c.weight for c in COUNTRIES]), rng)
    sector_ix = _cover_then_draw(n, np.array([s.weight for s in SECTORS]), rng)
    country_risk = np.array([COUNTRIES[i].risk for i in country_ix])
    sector_risk = np.array([SECTORS[i].risk for i in sector_ix])
    pd = np.clip(np.exp(rng.normal(math.log(0.008), 1.0, n)) * country_risk * sector_risk, 0.0003, 0.5)
    slow_but_safe = rng.random(n) < 0.08
    culture = np.array([COUNTRIES[i].culture_days for i in country_ix]) + rng.normal(0, 3, n)
    culture = np.maximum(0.0, culture + slow_but_safe * rng.uniform(15, 40, n))
    purchases = np.round(np.exp(rng.normal(math.log(60_000), 1.3, n)), -2).clip(2_000, 40_000_000)
    annual_sales = np.round(purchases * np.exp(rng.normal(math.log(25), 0.8, n)), -3)
    # 75 % were customers before the history starts; the rest arrive during it (not in the last 60 days).
    onboard = np.where(rng.random(n) < 0.75, -rng.integers(1, 3650, n),
                       rng.integers(0, max(1, span_days - 60), n))
    # Group structure: subsidiaries lean towards their parent's PD.
    n_children = int(n * GROUP_SHARE) if n >= 20 else 0
    heads = rng.choice(n, size=max(1, n_children // 3), replace=False) if n_children else np.array([], int)
    children = rng.choice(np.setdiff1d(np.arange(n), heads), size=n_children, replace=False)
    parent_of = {int(c): int(heads[rng.integers(len(heads))]) for c in children}
    for c, p in parent_of.items():
        pd[c] = math.sqrt(pd[c] * pd[p])
    # Defaults: within the active span, with probability 1 - (1 - pd)^years.
    active_from = np.maximum(onboard, 0) + 120
    years = np.maximum(0, span_days - active_from) / 365.25
    defaults = (rng.random(n) < 1 - (1 - pd) ** years) & (active_from < span_days)
    default_day = np.where(defaults, active_from + (rng.random(n) * np.maximum(0, span_days - active_from)), -1)
    default_day = default_day.astype(int)
    insolvency = rng.random(n) < 0.6
    for c, p in parent_of.items():
        if default_day[p] >= 0 and default_day[c] < 0 and rng.random() < 0.6:
            default_day[c] = min(span_days, default_day[p] + int(rng.integers(0, 60)))
            insolvency[c] = bool(insolvency[p])
    terms_u = rng.random(n)
    names: dict[int, BuyerName] = {}
    order = [i for i in range(n) if i not in parent_of] + sorted(parent_of)
    for i in order:
        style = COUNTRIES[country_ix[i]].style
        sector = SECTORS[sector_ix[i]].code
        names[i] = (subsidiary_name(names[parent_of[i]], style, pyrng) if i in parent_of
                    else buyer_name(style, sector, pyrng))
    buyers = []
    for i in range(n):
        country: Country = COUNTRIES[country_ix[i]]
        sector = SECTORS[sector_ix[i]]
        terms = sector.terms[min(len(sector.terms) - 1, int(terms_u[i] ** 1.6 * len(sector.terms)))]
        name = names[i]
        n_accounts = 1 + int(pyrng.random() < 0.25)
        dd = int(default_day[i])
        buyers.append(DemoBuyer(
            code=f"C{i + 1:05d}", name=name.name, country=country.code, sector=sector.code,
            currency=country.currency, terms_days=terms, language=country.language,
            email=email_for(name, country.style, country.tld, pyrng),
            ibans=tuple(dict.fromkeys(_account(country.code, pyrng) for _ in range(n_accounts))),
            aliases=name.aliases, parent_code=f"C{parent_of[i] + 1:05d}" if i in parent_of else None,
            tax_id=_tax_id(country.code, pyrng), pd_12m=round(float(pd[i]), 6),
            culture_days=round(float(culture[i]), 2), annual_sales=Decimal(int(annual_sales[i])),
            purchases_per_year=Decimal(int(purchases[i])),
            onboarded_on=start_on + timedelta(days=int(onboard[i])),
            defaulted_on=start_on + timedelta(days=dd) if dd >= 0 else None,
            default_kind=None if dd < 0 else ("insolvency" if insolvency[i] else "protracted")))
    return tuple(buyers)
