"""Demo records: the seeded world a demo company is built from. Pure: no database, clock or files.

The generator (`buyers.py`, `history.py`) makes these; the service writes them through the ledger; each
capability's demo step (`steps.py`) reads them to add its own data (statements, limits, bank lines …).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class DemoSize:
    """How big a demo company is. buyers: number of buyers; invoices: invoices aimed at over `years`
    (credit notes and payments come on top); years: length of the history ending at `as_of`."""

    name: str
    buyers: int
    invoices: int
    years: int = 3


SIZES: dict[str, DemoSize] = {
    "small": DemoSize("small", buyers=600, invoices=24_000),
    "large": DemoSize("large", buyers=20_000, invoices=1_030_000),
}


@dataclass(frozen=True, slots=True)
class DemoBuyer:
    """One buyer of the demo company, with the hidden truth that drives how it pays.

    code/name/country/sector/currency/terms_days/language/email/ibans/aliases/parent_code/tax_id:
        master data as the ledger keeps it (country ISO 3166 alpha-2, sector a NACE division such as
        'C28' whose first letter is the NACE section, terms in days, language 'zh-CN' or 'en');
    pd_12m: the hidden 12-month probability of default that drives behaviour (never shown to users;
        kept in the demo truth table so that risk grades can be validated against it);
    culture_days: extra days the buyer's country habitually pays beyond terms, independent of risk;
    annual_sales: the buyer's own yearly turnover in EUR (size of the business, for statements);
    purchases_per_year: what the buyer buys from the demo company per year, in EUR;
    onboarded_on: first day the demo company sold to it (within or before the history);
    defaulted_on: the day it stopped paying for good (insolvency or protracted default), or None;
    default_kind: 'insolvency' | 'protracted' | None.
    """

    code: str
    name: str
    country: str
    sector: str
    currency: str
    terms_days: int
    language: str
    email: str
    ibans: tuple[str, ...]
    aliases: tuple[str, ...]
    parent_code: str | None
    tax_id: str | None
    pd_12m: float
    culture_days: float
    annual_sales: Decimal
    purchases_per_year: Decimal
    onboarded_on: date
    defaulted_on: date | None = None
    default_kind: str | None = None


@dataclass(frozen=True, slots=True)
class DemoWorld:
    """Everything a demo step needs to know. as_of: the last day of the history (the shell passes
    today); start_on: the first day; seed: the seed everything was drawn from."""

    company_code: str
    base_currency: str
    as_of: date
    start_on: date
    seed: int
    size: DemoSize
    buyers: tuple[DemoBuyer, ...]

    def buyer(self, code: str) -> DemoBuyer:
        for b in self.buyers:
            if b.code == code:
                return b
        raise KeyError(code)


@dataclass(frozen=True, slots=True)
class HiddenRisk:
    """The truth behind one demo buyer, as stored in the demo truth table."""

    customer_code: str
    pd_12m: float
    culture_days: float
    defaulted_on: date | None
    default_kind: str | None
