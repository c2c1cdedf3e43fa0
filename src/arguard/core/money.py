"""Money is a `Decimal` amount with an ISO 4217 currency; never a float.

Stored as integer minor units (cents, fen, yen) so that every database keeps it exactly and sums are
exact in SQL. Currencies are kept apart: adding EUR to USD raises, conversion needs a dated rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from arguard.core.errors import ValidationError

# ISO 4217 minor-unit exponents that differ from 2; every other currency has 2 decimals.
_EXPONENTS: dict[str, int] = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "PYG": 0, "XOF": 0, "XAF": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
}


def exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit (ISO 4217)."""
    return _EXPONENTS.get(currency, 2)


def check_currency(code: str) -> str:
    """Return the upper-cased three-letter code or raise ValidationError."""
    c = (code or "").strip().upper()
    if len(c) != 3 or not c.isalpha():
        raise ValidationError(f"not an ISO 4217 currency code: {code!r}", code="invalid_currency")
    return c


def parse_amount(text: str | int | Decimal) -> Decimal:
    """Parse an amount written with '.' as the decimal mark (thousands ',' or ' ' allowed)."""
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int):
        value = Decimal(text)
    else:
        s = str(text).strip().replace(" ", "").replace("\u00a0", "").replace(",", "")
        try:
            value = Decimal(s)
        except InvalidOperation:
            raise ValidationError(f"not an amount: {text!r}", code="invalid_amount") from None
    if not value.is_finite():
        raise ValidationError(f"not a finite amount: {text!r}", code="invalid_amount")
    return value


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An exact amount of one currency.

    amount:   Decimal, quantised to the currency's minor unit.
    currency: ISO 4217 code, upper case.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money never takes a float; pass a Decimal or a string")
        q = Decimal(1).scaleb(-exponent(self.currency))
        object.__setattr__(self, "amount", Decimal(self.amount).quantize(q, rounding=ROUND_HALF_EVEN))

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        return cls(parse_amount(amount), check_currency(currency))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        return cls(Decimal(int(minor)).scaleb(-exponent(currency)), currency)

    @property
    def minor(self) -> int:
        """The amount in integer minor units, as stored."""
        return int(self.amount.scaleb(exponent(self.currency)))

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} and {other.currency} without a dated rate")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise TypeError("Money never multiplies by a float")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.amount:,} {self.currency}"


class CurrencyMismatch(ValidationError):
    http_status = 422


@dataclass(frozen=True, slots=True)
class FxRate:
    """Units of `quote` per one unit of `base`, valid from `valid_on` until the next rate."""

    base: str
    quote: str
    rate: Decimal
    valid_on: date


class FxTable:
    """Dated exchange rates; `convert` uses the latest rate on or before `on`."""

    def __init__(self, rates: list[FxRate]) -> None:
        self._rates: dict[tuple[str, str], list[FxRate]] = {}
        for r in sorted(rates, key=lambda r: r.valid_on):
            self._rates.setdefault((r.base, r.quote), []).append(r)

    def rate(self, base: str, quote: str, on: date) -> Decimal:
        if base == quote:
            return Decimal(1)
        direct = self._latest(base, quote, on)
        if direct is not None:
            return direct.rate
        inverse = self._latest(quote, base, on)
        if inverse is not None:
            return Decimal(1) / inverse.rate
        raise ValidationError(f"no {base}/{quote} rate on or before {on}", code="missing_fx_rate")

    def _latest(self, base: str, quote: str, on: date) -> FxRate | None:
        found = None
        for r in self._rates.get((base, quote), []):
            if r.valid_on <= on:
                found = r
            else:
                break
        return found

    def convert(self, money: Money, to: str, on: date) -> Money:
        return Money(money.amount * self.rate(money.currency, to, on), to)
