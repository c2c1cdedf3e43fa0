"""Frozen records of buyer risk grading: statement items, ratios, behaviour, grades and their reasons.

Amounts are `Decimal` in the statement's currency (never float). Ratios and probabilities are floats:
they are dimensionless estimates, not money.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Literal

# Items of one balance sheet and income statement, in the order analysts read them.
ITEM_NAMES: tuple[str, ...] = (
    "total_assets", "total_liabilities", "short_term_liabilities", "long_term_liabilities",
    "current_assets", "cash", "short_term_securities", "receivables", "inventory", "fixed_assets",
    "equity", "share_capital", "retained_earnings",
    "sales", "sales_prior_year", "cost_of_products_sold", "gross_profit", "gross_profit_3y",
    "profit_on_sales", "operating_profit", "ebit", "depreciation", "interest", "financial_expenses",
    "net_profit", "operating_expenses", "extraordinary_items", "total_costs",
)


@dataclass(frozen=True, slots=True)
class StatementItems:
    """Balance-sheet and income-statement items of one buyer for one fiscal year.

    Every amount is a `Decimal` in `currency` (full units, not thousands), or None when unknown; a
    missing item makes only the ratios that need it missing.

    Balance sheet: total_assets; total_liabilities (derived as short + long when absent);
    short_term_liabilities (current liabilities); long_term_liabilities; current_assets; cash;
    short_term_securities; receivables (trade receivables); inventory; fixed_assets (non-current
    assets); equity (book value); share_capital; retained_earnings.
    Income statement: sales (net revenue of the year); sales_prior_year; cost_of_products_sold;
    gross_profit — profit before tax, as in the Polish schema ("zysk brutto"), not sales minus cost;
    gross_profit_3y (sum of the last three years); profit_on_sales (sales minus cost of sales, selling
    and administrative costs); operating_profit (profit on operating activities); ebit (derived as
    gross profit + interest when absent); depreciation (and amortisation); interest (interest
    expense); financial_expenses (all financial costs; each of the two stands in for the other when
    one is absent); net_profit; operating_expenses; extraordinary_items; total_costs.
    """

    fiscal_year_end: date | None = None
    currency: str = "EUR"
    total_assets: Decimal | None = None
    total_liabilities: Decimal | None = None
    short_term_liabilities: Decimal | None = None
    long_term_liabilities: Decimal | None = None
    current_assets: Decimal | None = None
    cash: Decimal | None = None
    short_term_securities: Decimal | None = None
    receivables: Decimal | None = None
    inventory: Decimal | None = None
    fixed_assets: Decimal | None = None
    equity: Decimal | None = None
    share_capital: Decimal | None = None
    retained_earnings: Decimal | None = None
    sales: Decimal | None = None
    sales_prior_year: Decimal | None = None
    cost_of_products_sold: Decimal | None = None
    gross_profit: Decimal | None = None
    gross_profit_3y: Decimal | None = None
    profit_on_sales: Decimal | None = None
    operating_profit: Decimal | None = None
    ebit: Decimal | None = None
    depreciation: Decimal | None = None
    interest: Decimal | None = None
    financial_expenses: Decimal | None = None
    net_profit: Decimal | None = None
    operating_expenses: Decimal | None = None
    extraordinary_items: Decimal | None = None
    total_costs: Decimal | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name in ITEM_NAMES and isinstance(getattr(self, f.name), float):
                raise TypeError(f"{f.name}: statement amounts are Decimal, never float")

    def amounts(self) -> dict[str, Decimal | None]:
        """The items by name, in `ITEM_NAMES` order."""
        return {name: getattr(self, name) for name in ITEM_NAMES}


@dataclass(frozen=True, slots=True)
class RatioSet:
    """The 64 ratios of one statement, keyed `Attr1`…`Attr64`.

    values: the ratio, or None when it cannot be computed; notes: for each None, why
    ("missing: sales", "zero denominator: inventory").
    """

    values: dict[str, float | None]
    notes: dict[str, str] = field(default_factory=dict)

    def available(self) -> int:
        return sum(v is not None for v in self.values.values())


@dataclass(frozen=True, slots=True)
class PaymentBehaviour:
    """How a buyer has paid the seller, derived from the ledger as of one date.

    invoices_paid: invoices settled in the look-back window (the evidence behind the rest);
    avg_days_beyond_terms: amount-weighted days paid (or still open) past the due date, ≥ 0;
    dbt_trend_days: change of that figure, last 90 days minus the 90 days before (positive = worse);
    max_days_past_due: oldest open overdue item, in days (0 when nothing is overdue);
    overdue_share: material overdue open amount / total open amount, 0…1 (leftovers within the
    ledger's materiality tolerance are not overdue);
    overdue_60_share: material open amount 60+ days past due / total open amount, 0…1;
    peer_days_beyond_terms: the usual days beyond terms of the seller's buyers in the same country (median
    over those with enough history; None when too few), the local habit lateness is judged against;
    peer_basis: where that norm comes from — "country", or "book" (the median of the seller's whole book,
    for a buyer whose country has too few peers: risk README rule 17);
    partial_payment_share: share of settled invoices paid in more than one instalment, 0…1;
    disputed_share: share of the invoices of the look-back window that the ledger flags as disputed, 0…1;
    credit_note_share: credit notes issued in the window per invoice issued in it (returns and settled
    disputes: the buyer paid less than invoiced after a claim), 0…1;
    overdue_90_share: open amount 90+ days past due / total open amount, 0…1;
    invoices_paid_90d: invoices settled in the last 90 days (None when unknown).
    """

    invoices_paid: int = 0
    avg_days_beyond_terms: float = 0.0
    dbt_trend_days: float = 0.0
    max_days_past_due: int = 0
    overdue_share: float = 0.0
    partial_payment_share: float = 0.0
    disputed_share: float = 0.0
    overdue_90_share: float = 0.0
    invoices_paid_90d: int | None = None
    credit_note_share: float = 0.0
    overdue_60_share: float = 0.0
    peer_days_beyond_terms: float | None = None
    peer_basis: str = "country"


@dataclass(frozen=True, slots=True)
class CountryRisk:
    """OECD country risk of a buyer's country.

    oecd_class: 0 (lowest) … 7 (highest), or None when the OECD does not classify the country;
    treated_as: the class used for grading (a deliberate choice for unclassified countries);
    basis: why `treated_as` was chosen, in plain words.
    """

    iso2: str
    oecd_class: int | None
    treated_as: int
    basis: str


@dataclass(frozen=True, slots=True)
class RiskInputs:
    """Everything known about one buyer when it is graded.

    financial_pd: 12-month PD from the accounts (None when there are no accounts);
    financial_reasons: the model's top reasons for that PD;
    accounts_age_days: days between fiscal year end and `as_of` (None without accounts);
    behaviour: payment experience (None without ledger history);
    country: country risk; sector: NACE section letter or free text (None when unknown);
    insolvent: an insolvency or default event is on record: grade 10 regardless of the rest.
    """

    as_of: date
    financial_pd: float | None = None
    financial_reasons: tuple[Reason, ...] = ()
    accounts_age_days: int | None = None
    behaviour: PaymentBehaviour | None = None
    country: CountryRisk | None = None
    sector: str | None = None
    insolvent: bool = False


Direction = Literal["raises", "lowers"]


@dataclass(frozen=True, slots=True)
class Reason:
    """One thing that moved a buyer's PD, and which way.

    code: stable identifier (`Attr27`, `payment.days_beyond_terms`, `country.oecd_class` …);
    label: plain-words name for an analyst (English); direction: 'raises' or 'lowers' the PD;
    impact: effect on the log-odds of default (positive raises); value: the observed value, if any;
    label_zh: the same name in Chinese (`labels.py`; '' when none is known, the English one is shown).
    """

    code: str
    label: str
    direction: Direction
    impact: float
    value: float | str | None = None
    label_zh: str = ""

    def __str__(self) -> str:
        arrow = "+" if self.direction == "raises" else "-"
        shown = "" if self.value is None else f"={_short(self.value)}"
        return f"{arrow}{self.label}{shown}"


def _short(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return f"{value:.4g}"


Confidence = Literal["high", "medium", "low"]


@dataclass(frozen=True, slots=True)
class Grade:
    """The grade of one buyer on `as_of`: PD, grade 1 (best) … 10 (insolvent or in default).

    pd_12m: probability of failure within 12 months; financial_pd: the part from the accounts;
    confidence: high (recent accounts and payment history), medium (one of them), low (neither);
    reasons: the top reasons, strongest first; model_version: the artefact that produced it.
    """

    as_of: date
    pd_12m: float
    grade: int
    confidence: Confidence
    reasons: tuple[Reason, ...]
    financial_pd: float | None = None
    model_version: str = ""

    def reasons_text(self) -> str:
        return "; ".join(str(r) for r in self.reasons)
