"""Materiality: which open leftovers a credit manager ignores when judging a buyer (ledger rule 12).

Real books are full of leftovers — a bank charge deducted, rounding, a few cents of FX. An open amount
is **immaterial** when it is at most the company's tolerance amount (in the base currency, converted
at the dated rate into the invoice's currency) **and** at most the tolerance share of the invoice:
the lower of the two tolerances applies (the convention of ERP payment-difference tolerances). Both
conditions matter: a EUR 40 invoice left wholly unpaid is small but not a leftover (100 % of it is
open), and 5 % of a EUR 1,000,000 invoice is not small.

Defaults: EUR 50 and 5 %. A SWIFT payment's deducted charges (SHA/BEN) are typically EUR 10–35 per
transfer, so one deduction — the commonest leftover — falls under EUR 50, while every invoice worth
more than EUR 1,000 keeps EUR 50 as its tolerance; on smaller invoices the 5 % share keeps a real
unpaid part material.

An immaterial leftover stays in aging, statements of account and reminders (it is still owed); it
does not make the buyer overdue for grades, payment-terms advice, order checks or alerts, and it is
offered for write-off in bulk. Credits (negative open amounts) are never overdue.

Pure: no database, clock or files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from arguard.core.money import Money, exponent


@dataclass(frozen=True, slots=True)
class Materiality:
    """The company's tolerance. amount: in the base currency, > 0 or 0 (no amount tolerance); share: of
    the invoice's amount, 0 ≤ share < 1."""

    amount: Money
    share: Decimal

    def __post_init__(self) -> None:
        if self.amount.amount < 0:
            raise ValueError("a materiality amount is not negative")
        if not Decimal(0) <= self.share < Decimal(1):
            raise ValueError("a materiality share lies in [0, 1)")


DEFAULT_AMOUNT = Decimal(50)
DEFAULT_SHARE = Decimal("0.05")


def default_materiality(base_currency: str) -> Materiality:
    """About EUR 50 in the base currency (`default_amount`) and 5 % of the invoice."""
    return Materiality(Money(default_amount(base_currency), base_currency), DEFAULT_SHARE)


_DEFAULT_IN = {"EUR": Decimal(50), "USD": Decimal(50), "GBP": Decimal(40), "CHF": Decimal(50),
               "CNY": Decimal(400), "JPY": Decimal(8000), "AUD": Decimal(80), "HKD": Decimal(400),
               "SGD": Decimal(75)}


def default_amount(base_currency: str) -> Decimal:
    """The default tolerance in a base currency: about EUR 50, rounded to a number people use."""
    return _DEFAULT_IN.get(base_currency, DEFAULT_AMOUNT)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The tolerance as of one date in every currency the ledger uses: `minor[c]` is the amount
    tolerance in minor units of c (floor of the converted amount); `missing` names the currencies without
    a rate on or before the date (their amount tolerance is 0: only the share applies — strict)."""

    as_of: date
    share: Decimal
    minor: Mapping[str, int]
    missing: tuple[str, ...] = ()

    def amount_minor(self, currency: str) -> int:
        return self.minor.get(currency, 0)


def thresholds(m: Materiality, as_of: date, rates: Mapping[str, Decimal | None]) -> Thresholds:
    """`rates[c]`: units of c per one unit of the base currency on `as_of` (None: no rate)."""
    minor: dict[str, int] = {m.amount.currency: m.amount.minor}
    missing = []
    for currency, rate in rates.items():
        if currency == m.amount.currency:
            continue
        if rate is None:
            missing.append(currency)
            continue
        converted = (m.amount.amount * rate).scaleb(exponent(currency))
        minor[currency] = int(converted.to_integral_value(ROUND_FLOOR))
    return Thresholds(as_of, m.share, minor, tuple(sorted(missing)))


def is_material(open_minor: int, amount_minor: int, currency: str, t: Thresholds) -> bool:
    """Whether an open amount counts when judging the buyer: positive, and above the amount tolerance
    or above the share of the invoice (immaterial = within both)."""
    if open_minor <= 0:
        return False
    return open_minor > t.amount_minor(currency) or Decimal(open_minor) > t.share * Decimal(abs(amount_minor))


@dataclass(frozen=True, slots=True)
class Leftover:
    """An immaterial open amount of an invoice past its due date, offered for write-off."""

    customer_code: str
    number: str
    due_date: date
    open: Money
    amount: Money

    def days_past_due(self, as_of: date) -> int:
        return (as_of - self.due_date).days


@dataclass(frozen=True, slots=True)
class MaterialOverdue:
    """A buyer's overdue position with leftovers set aside. oldest_due: due date of the oldest material
    overdue item (None: nothing material is overdue); material_minor: material overdue open amount per
    currency; leftovers: immaterial overdue items (count)."""

    oldest_due: date | None
    material_minor: Mapping[str, int]
    leftovers: int = 0

    def oldest_days(self, as_of: date) -> int:
        return (as_of - self.oldest_due).days if self.oldest_due is not None else 0


NOTHING_OVERDUE = MaterialOverdue(None, {}, 0)
