"""One money rule: amounts are read one way everywhere, Money compares only within its currency, codes
are ISO 4217, and the one FX rule (newest rate on or before the date, direct or inverse) — a missing rate
is a named condition."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arguard.core.errors import ValidationError
from arguard.core.money import (
    CurrencyMismatch,
    FxRate,
    FxTable,
    MissingRate,
    Money,
    check_currency,
    parse_amount,
)


@pytest.mark.parametrize(("text", "currency", "expected"), [
    ("1234.56", "EUR", "1234.56"),
    ("1,50", "EUR", "1.50"),                 # decimal comma
    ("1.234,56", "EUR", "1234.56"),          # German thousands and decimal comma
    ("1,234.56", "USD", "1234.56"),          # English thousands and decimal point
    ("1 234,56", "EUR", "1234.56"),          # French: space groups
    ("1\u00a0234,56", "EUR", "1234.56"),     # no-break space groups
    ("1'234.50", "CHF", "1234.50"),          # Swiss apostrophe groups
    ("1,234", "EUR", "1234"),                # a lone comma before three digits groups thousands
    ("1.234.567,89", "EUR", "1234567.89"),
    ("12,345,678", "USD", "12345678"),
    ("(12.50)", "EUR", "-12.50"),            # accounting negative
    ("-3", "JPY", "-3"),
    ("+7,5", "EUR", "7.5"),
    ("1.234", "KWD", "1.234"),               # three decimals where the currency has them
])
def test_amounts_as_people_write_them(text: str, currency: str, expected: str) -> None:
    assert parse_amount(text, currency) == Decimal(expected)


@pytest.mark.parametrize(("text", "currency", "why"), [
    ("1.234", "EUR", "more decimals than EUR"),    # never rounded: 1.23? 1234? say it
    ("1,005", "KWD", "ambiguous"),                 # 1005 or 1.005 — both are valid KWD
    ("12.5", "JPY", "more decimals than JPY"),
    ("12,34,567", "INR", "grouped by three"),
    ("1.23.4", "EUR", "grouped by three"),
    ("abc", None, "not an amount"),
    ("1e5", None, "not an amount"),
    ("", None, "not an amount"),
    ("NaN", None, "not an amount"),
    ("1000000000000000", None, "out of range"),
    ("--5", None, "not an amount"),
])
def test_ambiguous_or_wrong_amounts_are_refused_with_the_reason(text: str, currency: str | None, why: str) -> None:
    with pytest.raises(ValidationError, match=why) as refused:
        parse_amount(text, currency)
    assert refused.value.code == "invalid_amount"


def test_the_old_comma_bugs_are_gone() -> None:
    assert parse_amount("1,50") == Decimal("1.50")          # was 150
    assert parse_amount("1.234,56") == Decimal("1234.56")   # was 1.23456
    assert Money.of("1.234,56", "EUR").amount == Decimal("1234.56")


@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2))
def test_every_written_style_reads_back_the_same_amount(value: Decimal) -> None:
    english = f"{value:,.2f}"
    german = english.replace(",", "_").replace(".", ",").replace("_", ".")
    french = english.replace(",", " ").replace(".", ",")
    for text in (f"{value:.2f}", english, german, french):
        assert parse_amount(text, "EUR") == value, text


def test_money_compares_only_within_its_currency() -> None:
    assert Money.of("5", "EUR") < Money.of("10", "EUR")
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("5", "EUR") < Money.of("10", "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("5", "EUR") >= Money.of("10", "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("5", "EUR") + Money.of("10", "USD")
    assert Money.of("5", "EUR") != Money.of("5", "USD")


def test_currency_codes_are_iso_4217_normalised_at_the_door_and_strict_inside() -> None:
    assert check_currency(" eur ") == "EUR"
    assert Money.of("1", "eur").currency == "EUR"
    for bad in ("EU", "EURO", "ABC", "", "€"):
        with pytest.raises(ValidationError):
            check_currency(bad)
    with pytest.raises(ValidationError):
        Money(Decimal(1), "eur")        # the constructor takes the canonical code only
    with pytest.raises(ValidationError):
        Money(Decimal(1), "ABC")


def test_money_of_refuses_extra_decimals_and_the_constructor_rounds_computed_amounts() -> None:
    with pytest.raises(ValidationError, match="more decimals"):
        Money.of("10.005", "EUR")
    assert Money(Decimal(10) / 3, "EUR").amount == Decimal("3.33")   # a computed share, half-even
    assert Money.of("10.005", "BHD").amount == Decimal("10.005")


JAN, FEB, MAR = date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)


def test_one_fx_rule_newest_rate_on_or_before_the_date_either_way() -> None:
    fx = FxTable([FxRate("USD", "EUR", Decimal("0.90"), JAN),    # direct, older
                  FxRate("EUR", "USD", Decimal("1.25"), FEB)])   # inverse, newer: it wins
    assert fx.rate("USD", "EUR", FEB) == Decimal(1) / Decimal("1.25")
    assert fx.rate("USD", "EUR", JAN) == Decimal("0.90")        # on Jan 31 only the direct one existed
    assert fx.rate("EUR", "USD", MAR) == Decimal("1.25")
    same_day = FxTable([FxRate("USD", "EUR", Decimal("0.90"), FEB), FxRate("EUR", "USD", Decimal("1.25"), FEB)])
    assert same_day.rate("USD", "EUR", FEB) == Decimal("0.90")   # on one date, the direct quote


def test_a_missing_rate_is_a_named_condition() -> None:
    fx = FxTable([FxRate("USD", "EUR", Decimal("0.90"), FEB)])
    with pytest.raises(MissingRate) as missing:
        fx.rate("USD", "EUR", JAN)
    assert (missing.value.base, missing.value.quote, missing.value.on) == ("USD", "EUR", JAN)
    assert missing.value.code == "missing_fx_rate"
    with pytest.raises(MissingRate):
        fx.convert(Money.of("3000", "GBP"), "EUR", MAR)


def test_the_ledger_the_order_check_and_monitoring_use_the_same_rate(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    """The rule's SQL form (ledger.newest_rate_select, read by the order check's `Rates`) and its Python
    form (FxTable, read by the ledger's reports and monitoring's snapshots) answer alike."""
    from arguard.ledger import interface as ledger
    from arguard.limits.service import Rates

    with ctx_factory() as ctx:
        ledger.add_fx_rate(ctx, "USD", "EUR", "0.90", JAN)
        ledger.add_fx_rate(ctx, "EUR", "USD", "1.25", FEB)
        ledger.add_fx_rate(ctx, "GBP", "EUR", "1.10", FEB)
        ledger.add_fx_rate(ctx, "EUR", "GBP", "0.95", FEB)
    with ctx_factory() as ctx:
        table = ledger.fx_table(ctx)
        for on in (JAN, FEB, MAR):
            for currency in ("USD", "GBP"):
                try:
                    expected: Decimal | None = table.rate(currency, "EUR", on)
                except MissingRate:
                    expected = None
                try:
                    found: Decimal | None = Rates(ctx, "EUR", on).rate(currency)
                except ValidationError as exc:
                    assert exc.code == "missing_fx_rate"
                    found = None
                assert found == expected, (currency, on)
