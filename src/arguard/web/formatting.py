"""How the dashboard writes amounts, dates and ratios. Pure: no clock, no database.

Amounts keep their currency and their exact decimals (`Money` is never turned into a float here);
dates are ISO 8601 (2025-03-31), which reads the same in Chinese and English.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from arguard.core.money import Money, exponent


def fmt_amount(value: Money | Decimal | int | str | None, currency: str | None = None) -> str:
    """`1,234.50` — the number with thousands separators and the currency's decimals, no code. A decimal
    string (as the API's JSON carries amounts) is written the same way; other text is left as it is."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Money):
        currency, value = value.currency, value.amount
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return str(value)
    places = exponent(currency) if currency else 2
    q = Decimal(value).quantize(Decimal(1).scaleb(-places))
    return f"{q:,}"


def fmt_money(value: Money | None) -> str:
    """`1,234.50 EUR` — amount and ISO currency code."""
    if value is None:
        return "—"
    return f"{fmt_amount(value)} {value.currency}"


def fmt_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fmt_number(value: Decimal | float | None, places: int = 1) -> str:
    """A ratio or a day count: `42.3`; `—` when it cannot be computed (no sales, no AR)."""
    if value is None:
        return "—"
    try:
        q = Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
    except ArithmeticError:
        return "—"
    return f"{q:,}"


def chart_number(value: Money | Decimal | int | None) -> str | None:
    """A value for a chart's JSON data: an exact decimal string (the browser parses it for drawing)."""
    if value is None:
        return None
    if isinstance(value, Money):
        return str(value.amount)
    return str(value)


FILTERS: dict[str, Any] = {
    "amount": fmt_amount, "money": fmt_money, "date": fmt_date, "number": fmt_number,
    "chart_number": chart_number,
}
