"""The 64 financial ratios of the Polish bankruptcy schema, computed from statement items.

Each ratio is (sum of signed items) / (sum of signed items) × factor, computed in `Decimal` and
returned as float. A ratio is None — never 0, never infinity — when an item it needs is missing or its
denominator is zero; `RatioSet.notes` says which. Two ratios depend on scale (Attr29, log10 of total
assets, and Attr55, working capital): the training data states amounts in thousands, so they are
computed in thousands of the statement's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from arguard.risk.model import ITEM_NAMES, RatioSet, StatementItems

Terms = tuple[tuple[int, str], ...]  # (+1 | -1, item name)

THOUSAND = Decimal(1000)
DAYS = Decimal(365)


@dataclass(frozen=True, slots=True)
class RatioSpec:
    """attr: `AttrN`; name: descriptive snake_case alias; definition: as published."""

    attr: str
    name: str
    definition: str
    numerator: Terms
    denominator: Terms | None = None
    factor: Decimal = Decimal(1)


def _t(expr: str) -> Terms:
    """'a + b - c' → ((1, 'a'), (1, 'b'), (-1, 'c')); the derived names wc and cc expand."""
    expansions = {
        "wc": ((1, "current_assets"), (-1, "short_term_liabilities")),
        "cc": ((1, "equity"), (1, "long_term_liabilities")),
    }
    out: list[tuple[int, str]] = []
    sign = 1
    for token in expr.split():
        if token in "+-":
            sign = 1 if token == "+" else -1
            continue
        for s, name in expansions.get(token, ((1, token),)):
            out.append((sign * s, name))
    return tuple(out)


def _r(n: int, name: str, definition: str, num: str, den: str | None = None,
       factor: Decimal | int = 1) -> RatioSpec:
    return RatioSpec(f"Attr{n}", name, definition, _t(num), _t(den) if den else None, Decimal(factor))


TA, TL, STL, S = "total_assets", "total_liabilities", "short_term_liabilities", "sales"
COGS, GP, OP, DEP = "cost_of_products_sold", "gross_profit", "operating_profit", "depreciation"

SPECS: tuple[RatioSpec, ...] = (
    _r(1, "net_profit_to_total_assets", "net profit / total assets", "net_profit", TA),
    _r(2, "total_liabilities_to_total_assets", "total liabilities / total assets", TL, TA),
    _r(3, "working_capital_to_total_assets", "working capital / total assets", "wc", TA),
    _r(4, "current_ratio", "current assets / short-term liabilities", "current_assets", STL),
    _r(5, "defensive_interval_days",
       "(cash + short-term securities + receivables - short-term liabilities) / "
       "(operating expenses - depreciation) * 365",
       f"cash + short_term_securities + receivables - {STL}", f"operating_expenses - {DEP}", DAYS),
    _r(6, "retained_earnings_to_total_assets", "retained earnings / total assets", "retained_earnings", TA),
    _r(7, "ebit_to_total_assets", "EBIT / total assets", "ebit", TA),
    _r(8, "equity_to_total_liabilities", "book value of equity / total liabilities", "equity", TL),
    _r(9, "sales_to_total_assets", "sales / total assets", S, TA),
    _r(10, "equity_to_total_assets", "equity / total assets", "equity", TA),
    _r(11, "gross_profit_extraordinary_financial_to_total_assets",
       "(gross profit + extraordinary items + financial expenses) / total assets",
       f"{GP} + extraordinary_items + financial_expenses", TA),
    _r(12, "gross_profit_to_short_term_liabilities", "gross profit / short-term liabilities", GP, STL),
    _r(13, "gross_profit_depreciation_to_sales", "(gross profit + depreciation) / sales", f"{GP} + {DEP}", S),
    _r(14, "gross_profit_interest_to_total_assets", "(gross profit + interest) / total assets",
       f"{GP} + interest", TA),
    _r(15, "liabilities_repayment_days", "(total liabilities * 365) / (gross profit + depreciation)",
       TL, f"{GP} + {DEP}", DAYS),
    _r(16, "gross_profit_depreciation_to_total_liabilities",
       "(gross profit + depreciation) / total liabilities", f"{GP} + {DEP}", TL),
    _r(17, "total_assets_to_total_liabilities", "total assets / total liabilities", TA, TL),
    _r(18, "gross_profit_to_total_assets", "gross profit / total assets", GP, TA),
    _r(19, "gross_profit_to_sales", "gross profit / sales", GP, S),
    _r(20, "inventory_days_on_sales", "(inventory * 365) / sales", "inventory", S, DAYS),
    _r(21, "sales_growth", "sales (n) / sales (n-1)", S, "sales_prior_year"),
    _r(22, "operating_profit_to_total_assets", "profit on operating activities / total assets", OP, TA),
    _r(23, "net_profit_to_sales", "net profit / sales", "net_profit", S),
    _r(24, "gross_profit_3y_to_total_assets", "gross profit (in 3 years) / total assets", "gross_profit_3y", TA),
    _r(25, "equity_less_share_capital_to_total_assets", "(equity - share capital) / total assets",
       "equity - share_capital", TA),
    _r(26, "net_profit_depreciation_to_total_liabilities", "(net profit + depreciation) / total liabilities",
       f"net_profit + {DEP}", TL),
    _r(27, "operating_profit_to_financial_expenses", "profit on operating activities / financial expenses",
       OP, "financial_expenses"),
    _r(28, "working_capital_to_fixed_assets", "working capital / fixed assets", "wc", "fixed_assets"),
    _r(29, "log_total_assets", "logarithm of total assets", TA),
    _r(30, "net_liabilities_to_sales", "(total liabilities - cash) / sales", f"{TL} - cash", S),
    _r(31, "gross_profit_interest_to_sales", "(gross profit + interest) / sales", f"{GP} + interest", S),
    _r(32, "current_liabilities_days_on_cost", "(current liabilities * 365) / cost of products sold",
       STL, COGS, DAYS),
    _r(33, "operating_expenses_to_short_term_liabilities", "operating expenses / short-term liabilities",
       "operating_expenses", STL),
    _r(34, "operating_expenses_to_total_liabilities", "operating expenses / total liabilities",
       "operating_expenses", TL),
    _r(35, "profit_on_sales_to_total_assets", "profit on sales / total assets", "profit_on_sales", TA),
    _r(36, "total_sales_to_total_assets", "total sales / total assets", S, TA),
    _r(37, "quick_assets_to_long_term_liabilities", "(current assets - inventories) / long-term liabilities",
       "current_assets - inventory", "long_term_liabilities"),
    _r(38, "constant_capital_to_total_assets", "constant capital / total assets", "cc", TA),
    _r(39, "profit_on_sales_to_sales", "profit on sales / sales", "profit_on_sales", S),
    _r(40, "cash_ratio", "(current assets - inventory - receivables) / short-term liabilities",
       "current_assets - inventory - receivables", STL),
    _r(41, "liabilities_to_monthly_operating_cash_flow",
       "total liabilities / ((profit on operating activities + depreciation) * (12/365))",
       TL, f"{OP} + {DEP}", Decimal(365) / Decimal(12)),
    _r(42, "operating_profit_to_sales", "profit on operating activities / sales", OP, S),
    _r(43, "receivables_and_inventory_days", "rotation receivables + inventory turnover in days",
       "receivables + inventory", S, DAYS),
    _r(44, "receivables_days", "(receivables * 365) / sales", "receivables", S, DAYS),
    _r(45, "net_profit_to_inventory", "net profit / inventory", "net_profit", "inventory"),
    _r(46, "quick_ratio", "(current assets - inventory) / short-term liabilities",
       "current_assets - inventory", STL),
    _r(47, "inventory_days_on_cost", "(inventory * 365) / cost of products sold", "inventory", COGS, DAYS),
    _r(48, "operating_profit_less_depreciation_to_total_assets",
       "EBITDA (profit on operating activities - depreciation) / total assets", f"{OP} - {DEP}", TA),
    _r(49, "operating_profit_less_depreciation_to_sales",
       "EBITDA (profit on operating activities - depreciation) / sales", f"{OP} - {DEP}", S),
    _r(50, "current_assets_to_total_liabilities", "current assets / total liabilities", "current_assets", TL),
    _r(51, "short_term_liabilities_to_total_assets", "short-term liabilities / total assets", STL, TA),
    _r(52, "short_term_liabilities_days_on_cost", "(short-term liabilities * 365) / cost of products sold",
       STL, COGS, DAYS),
    _r(53, "equity_to_fixed_assets", "equity / fixed assets", "equity", "fixed_assets"),
    _r(54, "constant_capital_to_fixed_assets", "constant capital / fixed assets", "cc", "fixed_assets"),
    _r(55, "working_capital_thousands", "working capital", "wc"),
    _r(56, "gross_margin", "(sales - cost of products sold) / sales", f"{S} - {COGS}", S),
    _r(57, "net_current_assets_to_cash_costs",
       "(current assets - inventory - short-term liabilities) / (sales - gross profit - depreciation)",
       f"current_assets - inventory - {STL}", f"{S} - {GP} - {DEP}"),
    _r(58, "total_costs_to_sales", "total costs / total sales", "total_costs", S),
    _r(59, "long_term_liabilities_to_equity", "long-term liabilities / equity", "long_term_liabilities",
       "equity"),
    _r(60, "inventory_turnover", "sales / inventory", S, "inventory"),
    _r(61, "receivables_turnover", "sales / receivables", S, "receivables"),
    _r(62, "short_term_liabilities_days_on_sales", "(short-term liabilities * 365) / sales", STL, S, DAYS),
    _r(63, "sales_to_short_term_liabilities", "sales / short-term liabilities", S, STL),
    _r(64, "sales_to_fixed_assets", "sales / fixed assets", S, "fixed_assets"),
)

ATTRS: tuple[str, ...] = tuple(s.attr for s in SPECS)
NAME_OF: dict[str, str] = {s.attr: s.name for s in SPECS}
ATTR_OF: dict[str, str] = {s.name: s.attr for s in SPECS}
DEFINITION_OF: dict[str, str] = {s.attr: s.definition for s in SPECS}


def canonical_attr(column: str) -> str | None:
    """`Attr7`, `attr7`, `ATTR7` or `ebit_to_total_assets` → `Attr7`; anything else → None."""
    c = column.strip()
    if c.lower().startswith("attr") and c[4:].isdigit() and 1 <= int(c[4:]) <= 64:
        return f"Attr{int(c[4:])}"
    return ATTR_OF.get(c.lower())


def label_of(attr: str) -> str:
    """Readable label for reasons: 'ebit to total assets'."""
    return NAME_OF.get(attr, attr).replace("_", " ")


def fill_derived(items: StatementItems) -> dict[str, Decimal | None]:
    """Items with the documented stand-ins applied (total liabilities, EBIT, interest ↔ financial)."""
    a = items.amounts()
    if a["total_liabilities"] is None and None not in (a[STL], a["long_term_liabilities"]):
        a["total_liabilities"] = a[STL] + a["long_term_liabilities"]  # type: ignore[operator]
    if a["interest"] is None:
        a["interest"] = a["financial_expenses"]
    if a["financial_expenses"] is None:
        a["financial_expenses"] = a["interest"]
    if a["ebit"] is None and None not in (a[GP], a["interest"]):
        a["ebit"] = a[GP] + a["interest"]  # type: ignore[operator]
    return a


def _sum(terms: Terms, a: dict[str, Decimal | None]) -> tuple[Decimal | None, str | None]:
    missing = [name for _, name in terms if a.get(name) is None]
    if missing:
        return None, "missing: " + ", ".join(dict.fromkeys(missing))
    return sum((Decimal(sign) * a[name] for sign, name in terms), Decimal(0)), None  # type: ignore[operator]


def compute_ratio(spec: RatioSpec, a: dict[str, Decimal | None]) -> tuple[float | None, str | None]:
    """One ratio from filled items: (value, None) or (None, why)."""
    num, why = _sum(spec.numerator, a)
    if num is None:
        return None, why
    if spec.attr == "Attr29":
        if num <= 0:
            return None, "not positive: total_assets"
        return float((num / THOUSAND).log10()), None
    if spec.denominator is None:
        return float(num / THOUSAND), None
    den, why = _sum(spec.denominator, a)
    if den is None:
        return None, why
    if den == 0:
        return None, "zero denominator: " + " ".join(n for _, n in spec.denominator)
    return float(num / den * spec.factor), None


def compute_ratios(items: StatementItems) -> RatioSet:
    """All 64 ratios of one statement; missing ones carry a note saying why."""
    a = fill_derived(items)
    values: dict[str, float | None] = {}
    notes: dict[str, str] = {}
    for spec in SPECS:
        value, why = compute_ratio(spec, a)
        values[spec.attr] = value
        if why:
            notes[spec.attr] = why
    return RatioSet(values, notes)


CENTS_LIMIT = Decimal(10) ** 13
"""Amounts below this (in units) are exact integers of cents in float64 (< 2^53)."""


def ratio_matrix(statements: list[StatementItems]) -> tuple[np.ndarray, np.ndarray]:
    """The 64 ratios of many statements at once: (values n × 64 with NaN for missing, mask of ratios
    missing because an item was not reported).

    The batch form of `compute_ratios`, for grading a whole book: items become exact integer cents,
    every sum of items is exact, and only the final division (and Attr29's logarithm) rounds — the
    same float as the Decimal path within a few units in the last place. A statement with an amount that is not
    a whole number of cents, or too large for that, goes through `compute_ratios` unchanged."""
    n = len(statements)
    col = {name: k for k, name in enumerate(ITEM_NAMES)}
    cents = np.full((n, len(ITEM_NAMES)), np.nan)
    exact_rows: list[int] = []
    for i, st in enumerate(statements):
        filled = fill_derived(st)
        row = cents[i]
        for name, v in filled.items():
            if v is None:
                continue
            if not v.is_finite() or abs(v) >= CENTS_LIMIT or int(v.as_tuple().exponent) < -2:
                exact_rows.append(i)
                break
            row[col[name]] = int(v * 100)
    values = np.full((n, len(SPECS)), np.nan)
    unreported = np.zeros((n, len(SPECS)), dtype=bool)

    def total(terms: Terms) -> np.ndarray:
        out = np.zeros(n)
        for sign, name in terms:
            out = out + sign * cents[:, col[name]]
        return out

    with np.errstate(all="ignore"):
        for j, spec in enumerate(SPECS):
            num = total(spec.numerator)
            missing = np.isnan(num)
            if spec.attr == "Attr29":
                values[:, j] = np.where(num > 0, np.log10(num / 100_000), np.nan)
            elif spec.denominator is None:
                values[:, j] = num / 100_000
            else:
                den = total(spec.denominator)
                missing |= np.isnan(den)
                values[:, j] = np.where(den != 0, num / den * float(spec.factor), np.nan)
            values[missing, j] = np.nan
            unreported[:, j] = missing
    for i in exact_rows:
        rs = compute_ratios(statements[i])
        values[i] = [np.nan if rs.values[a] is None else rs.values[a] for a in ATTRS]
        unreported[i] = [rs.notes.get(a, "").startswith("missing") for a in ATTRS]
    return values, unreported
