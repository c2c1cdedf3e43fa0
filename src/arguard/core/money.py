"""Money is a `Decimal` amount with an ISO 4217 currency; never a float.

Stored as integer minor units (cents, fen, yen) so that every database keeps it exactly and sums are
exact in SQL. Currencies are kept apart: adding, subtracting or comparing EUR with USD raises
`CurrencyMismatch`; conversion needs a dated rate (`FxTable`, one rule: see `FxTable.rate`).

Rules (one home for each, used by every entry point — importers, API models, CLI options):

1. `parse_amount(text, currency)` reads an amount as people write it: a decimal point or a decimal
   comma; thousands grouped by ',', '.', ' ', a no-break space or "'" (groups of three digits); a
   leading sign or accounting parentheses. Both marks present: the last one is the decimal mark.
   One separator alone: ',' followed by exactly three digits groups thousands ('1,234' = 1234), any
   other ',' is a decimal comma ('1234,5' = 1234.5); '.' is a decimal point. Refused with a clear
   message: text that is not an amount, groups that are not of three digits, a lone ',' + three digits
   in a currency with three decimals (ambiguous), more decimals than the currency has (never rounded),
   and |amount| ≥ 10^15.
2. Currency codes are ISO 4217 alphabetic codes. Text input ('eur', ' Eur ') is normalised to upper
   case by `check_currency` and `Money.of`; the `Money` constructor takes the canonical code only and
   refuses anything else (an unknown or lower-case code is a programming error there).
3. `Money(amount, currency)` rounds a computed amount (a conversion, a share) half-even to the
   currency's minor unit; amounts from outside go through `parse_amount`/`Money.of`, which refuse
   extra decimals instead.
4. A missing rate is `MissingRate` (code `missing_fx_rate`), naming the pair and the date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from arguard.core.errors import ValidationError

_CURRENCY_TEXT = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
    CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
    MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
    SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
    USD USN UYI UYU UYW UZS VED VES VND VUV WST XAD XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD
    XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG
"""
CURRENCIES: frozenset[str] = frozenset(_CURRENCY_TEXT.split())
"""ISO 4217 alphabetic currency codes, including funds and precious metals (X..)."""

# ISO 4217 minor-unit exponents that differ from 2; every other currency has 2 decimals.
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                     "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}
MAX_AMOUNT = Decimal(10) ** 15
"""Amounts are below 10^15 in absolute value (a quadrillion: far above any invoice, within BIGINT minor
units for every currency)."""


def exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit (ISO 4217)."""
    return _EXPONENTS.get(currency, 2)


def check_currency(code: str) -> str:
    """The ISO 4217 code written in `code` (case and surrounding spaces ignored), or ValidationError."""
    c = (code or "").strip().upper()
    if c not in CURRENCIES:
        raise ValidationError(f"not an ISO 4217 currency code: {code!r}", code="invalid_currency")
    return c


class AmountError(ValidationError):
    """Text that is not an amount, or not one the currency allows. Code `invalid_amount`."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_amount")


_SEPARATORS = re.compile(r"[\s\u00a0\u202f']")
_DIGITS = re.compile(r"\d+")


def _grouped(head: str, sep: str) -> str:
    """'1,234,567' → '1234567' when every group after the first has three digits, else AmountError."""
    parts = head.split(sep)
    if not (1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:]) and all(map(_DIGITS.fullmatch, parts))):
        raise AmountError(f"{head!r}: thousands are grouped by three digits")
    return "".join(parts)


def _normalise(text: str, currency: str | None) -> str:
    s = text.strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s[:1] and s[0] in "+-":
        negative, s = negative != (s[0] == "-"), s[1:].strip()
    had_space_groups = bool(_SEPARATORS.search(s))
    s = _SEPARATORS.sub("", s)
    if not s or not re.fullmatch(r"[\d.,]+", s):
        raise AmountError(f"not an amount: {text!r}")
    if "," in s and "." in s:
        mark = "," if s.rfind(",") > s.rfind(".") else "."
        other = "." if mark == "," else ","
        head, _, tail = s.rpartition(mark)
        number = _grouped(head, other) + "." + tail
    elif s.count(",") > 1:
        number = _grouped(s, ",")
    elif s.count(".") > 1:
        number = _grouped(s, ".")
    elif "," in s:
        head, _, tail = s.partition(",")
        if len(tail) == 3 and not had_space_groups:
            if currency is not None and exponent(currency) == 3:
                raise AmountError(f"{text!r} is ambiguous in {currency} (1234 or 1.234?); write the decimal "
                                  f"mark and every decimal, e.g. 1234.000 or 1,234.000")
            number = _grouped(s, ",")
        else:
            number = f"{head}.{tail}"
    else:
        number = s
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+|\d+\.", number):
        raise AmountError(f"not an amount: {text!r}")
    return ("-" if negative else "") + number.rstrip(".")


def parse_amount(text: str | Decimal | float, currency: str | None = None) -> Decimal:
    """The amount written in `text` (rule 1 of this module); with `currency`, also refuse more decimals
    than it has. A float (a spreadsheet cell) is read by its shortest text, never by its binary value."""
    if isinstance(text, bool):
        raise AmountError(f"not an amount: {text!r}")
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, float):
        value = Decimal(repr(text))
    else:
        try:
            value = Decimal(_normalise(str(text), currency))
        except InvalidOperation:
            raise AmountError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise AmountError(f"not a finite amount: {text!r}")
    if abs(value) >= MAX_AMOUNT:
        raise AmountError(f"{text!r} is out of range (at most 15 digits before the decimal mark)")
    if currency is not None:
        exp = exponent(currency)
        if value != value.quantize(Decimal(1).scaleb(-exp), rounding=ROUND_HALF_EVEN):
            raise AmountError(f"{text!r} has more decimals than {currency} allows ({exp})")
    return value


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one currency.

    amount:   Decimal, quantised to the currency's minor unit (rule 3).
    currency: ISO 4217 code, upper case (rule 2).
    Money of one currency compares, adds and subtracts with Money of the same currency only.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money never takes a float; pass a Decimal or a string")
        if self.currency not in CURRENCIES:
            raise ValidationError(f"not an ISO 4217 currency code: {self.currency!r} (Money.of normalises text)",
                                  code="invalid_currency")
        q = Decimal(1).scaleb(-exponent(self.currency))
        object.__setattr__(self, "amount", Decimal(self.amount).quantize(q, rounding=ROUND_HALF_EVEN))

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Money from outside: the code normalised, the amount parsed strictly for that currency."""
        code = check_currency(currency)
        return cls(parse_amount(amount, code), code)

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

    def _same(self, other: Any) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if self.currency != other.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} and {other.currency} without a dated rate")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

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


class MissingRate(ValidationError):
    """No rate between two currencies on or before a date (code `missing_fx_rate`). Reports, checks and
    alerts name it; nothing is silently left out."""

    def __init__(self, base: str, quote: str, on: date) -> None:
        super().__init__(f"no {base}/{quote} rate on or before {on}", code="missing_fx_rate")
        self.base, self.quote, self.on = base, quote, on


@dataclass(frozen=True, slots=True)
class FxRate:
    """Units of `quote` per one unit of `base`, valid from `valid_on` until the next rate."""

    base: str
    quote: str
    rate: Decimal
    valid_on: date


class FxTable:
    """Dated exchange rates and the one FX rule of arguard (the ledger's `newest_rate_select` is its SQL
    form): the rate between A and B on a date is the newest stored quote on or before that date, quoted
    either way (A→B directly, or B→A inverted); on one date a direct quote wins over an inverse one."""

    def __init__(self, rates: list[FxRate]) -> None:
        self._rates: dict[tuple[str, str], list[FxRate]] = {}
        for r in sorted(rates, key=lambda r: r.valid_on):
            self._rates.setdefault((r.base, r.quote), []).append(r)

    def rate(self, base: str, quote: str, on: date) -> Decimal:
        """Units of `quote` per unit of `base` on `on`; MissingRate when neither way is quoted by then."""
        if base == quote:
            return Decimal(1)
        direct = self._latest(base, quote, on)
        inverse = self._latest(quote, base, on)
        if direct is not None and (inverse is None or direct.valid_on >= inverse.valid_on):
            return direct.rate
        if inverse is not None:
            return Decimal(1) / inverse.rate
        raise MissingRate(base, quote, on)

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
