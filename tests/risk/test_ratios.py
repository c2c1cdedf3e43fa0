"""The 64 ratios from a small statement written inline; missing items and zero denominators."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arguard.risk.model import ITEM_NAMES, StatementItems
from arguard.risk.ratios import ATTRS, NAME_OF, SPECS, canonical_attr, compute_ratios

# A small manufacturer, amounts in EUR.
ACME = StatementItems(
    currency="EUR", total_assets=D(1000000), short_term_liabilities=D(300000),
    long_term_liabilities=D(200000), current_assets=D(450000), cash=D(50000),
    short_term_securities=D(10000), receivables=D(200000), inventory=D(150000),
    fixed_assets=D(550000), equity=D(500000), share_capital=D(100000), retained_earnings=D(250000),
    sales=D(2000000), sales_prior_year=D(1600000), cost_of_products_sold=D(1500000),
    gross_profit=D(80000), gross_profit_3y=D(200000), profit_on_sales=D(90000),
    operating_profit=D(100000), depreciation=D(40000), interest=D(20000), net_profit=D(60000),
    operating_expenses=D(1800000), extraordinary_items=D(0), total_costs=D(1900000),
)


def test_every_ratio_has_an_alias_and_a_definition() -> None:
    assert len(SPECS) == 64 and ATTRS == tuple(f"Attr{i}" for i in range(1, 65))
    assert len(set(NAME_OF.values())) == 64


def test_acme_ratios() -> None:
    r = compute_ratios(ACME).values
    assert r["Attr1"] == pytest.approx(0.06)            # net profit / total assets
    assert r["Attr2"] == pytest.approx(0.5)             # total liabilities derived as 300k + 200k
    assert r["Attr3"] == pytest.approx(0.15)            # (450k - 300k) / 1m
    assert r["Attr4"] == pytest.approx(1.5)
    assert r["Attr5"] == pytest.approx((50 + 10 + 200 - 300) / (1800 - 40) * 365)
    assert r["Attr7"] == pytest.approx(0.1)             # EBIT derived as gross profit + interest
    assert r["Attr21"] == pytest.approx(1.25)
    assert r["Attr27"] == pytest.approx(5.0)            # financial expenses stand in for interest
    assert r["Attr29"] == pytest.approx(3.0)            # log10 of total assets in thousands
    assert r["Attr41"] == pytest.approx(500000 / (140000 * 12 / 365))
    assert r["Attr55"] == pytest.approx(150.0)          # working capital in thousands
    assert r["Attr56"] == pytest.approx(0.25)
    assert compute_ratios(ACME).available() == 64


def test_zero_denominator_and_missing_item_are_none_with_a_note() -> None:
    no_inventory = StatementItems(**{**ACME.amounts(), "inventory": D(0)})
    rs = compute_ratios(no_inventory)
    assert rs.values["Attr60"] is None and rs.notes["Attr60"] == "zero denominator: inventory"
    no_sales = StatementItems(**{**ACME.amounts(), "sales": None})
    rs = compute_ratios(no_sales)
    assert rs.values["Attr9"] is None and "missing: sales" in rs.notes["Attr9"]
    assert rs.values["Attr1"] == pytest.approx(0.06)


def test_amounts_are_never_float() -> None:
    with pytest.raises(TypeError):
        StatementItems(total_assets=1000.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("column,attr", [("Attr7", "Attr7"), ("attr07", "Attr7"), ("ATTR64", "Attr64"),
                                         ("ebit_to_total_assets", "Attr7"), ("Attr65", None), ("id", None)])
def test_column_names(column: str, attr: str | None) -> None:
    assert canonical_attr(column) == attr


amounts = st.one_of(st.none(), st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))


@given(st.fixed_dictionaries({name: amounts for name in ITEM_NAMES}))
def test_ratios_are_finite_or_none(items: dict) -> None:
    rs = compute_ratios(StatementItems(**items))
    for attr, value in rs.values.items():
        assert value is None or abs(value) < float("inf")
        assert (value is None) == (attr in rs.notes)


def test_the_batch_ratios_equal_the_decimal_ones_to_the_last_digit() -> None:
    """`ratio_matrix` (whole books) against `compute_ratios` (Decimal): same missing ratios, same values
    within a few units in the last place (one rounding more); amounts that are not whole cents go the
    Decimal way."""
    import random
    from datetime import date
    from decimal import Decimal

    import numpy as np

    from arguard.risk.model import ITEM_NAMES, StatementItems
    from arguard.risk.ratios import ATTRS, compute_ratios, ratio_matrix

    seed = 20261128
    print("seed", seed)
    rng = random.Random(seed)
    statements = []
    for k in range(200):
        amounts = {n: (Decimal(rng.randint(-10**9, 10**10)) / 100 if rng.random() < 0.8 else None)
                   for n in ITEM_NAMES}
        amounts["total_assets"] = Decimal(rng.randint(1, 10**10)) / 100
        if k % 7 == 0:
            amounts["sales"] = Decimal("1234.5678")  # not whole cents
        if k % 11 == 0:
            amounts["inventory"] = Decimal(0)  # zero denominators
        statements.append(StatementItems(date(2025, 12, 31), "EUR", **amounts))
    values, unreported = ratio_matrix(statements)
    for i, statement in enumerate(statements):
        ref = compute_ratios(statement)
        for j, a in enumerate(ATTRS):
            expected = ref.values[a]
            assert unreported[i, j] == ref.notes.get(a, "").startswith("missing"), (i, a)
            if expected is None:
                assert np.isnan(values[i, j]), (i, a)
            else:
                assert abs(values[i, j] - expected) <= 4 * abs(np.spacing(expected)), (i, a, values[i, j], expected)
