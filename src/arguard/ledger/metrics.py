"""Receivables metrics: aging buckets, DSO (simple and count-back), best possible DSO, ADD, CEI.

Pure functions over plain data with an explicit `as_of`: no database, clock or files. Two paths compute
the same numbers:

- item path: `age_items(open_items, as_of)` over `OpenItem`s, for small ledgers and tests;
- column path: `aging_columns(...)` over numpy columns of due-date ordinals and open minor units, and
  `bucket_due_ranges(as_of)`, which turns the bucket rule into due-date ranges so that the database
  can sum a million items with one GROUP BY (see `ledger.reports`). The bucket rule lives only here.

Sums are kept in integer minor units (exact); Money is made at the edges.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from arguard.core.money import Money
from arguard.ledger.model import BUCKET_NAMES, AgingRow, DsoFigures, OpenItem

# Inclusive days-past-due bounds of each bucket (None = unbounded), in BUCKET_NAMES order.
BUCKET_BOUNDS: tuple[tuple[int | None, int | None], ...] = (
    (None, 0), (1, 30), (31, 60), (61, 90), (91, 180), (181, 365), (366, None))
_UPPER_EDGES = np.array([0, 30, 60, 90, 180, 365], dtype=np.int64)
DAYS = Decimal("0.1")
PERCENT = Decimal("0.01")


def bucket_index(days_past_due: int) -> int:
    """Index into BUCKET_NAMES of an item `days_past_due` days past its due date (≤ 0: current)."""
    for i, (_, hi) in enumerate(BUCKET_BOUNDS):
        if hi is None or days_past_due <= hi:
            return i
    raise AssertionError("unreachable")


def bucket_due_ranges(as_of: date) -> tuple[tuple[date | None, date | None], ...]:
    """Inclusive due-date ranges (earliest, latest) of each bucket as of `as_of`.

    An item is in bucket k when earliest ≤ due_date ≤ latest; None is unbounded."""
    ranges = []
    for lo, hi in BUCKET_BOUNDS:
        latest = None if lo is None else as_of - timedelta(days=lo)
        earliest = None if hi is None else as_of - timedelta(days=hi)
        ranges.append((earliest, latest))
    return tuple(ranges)


def open_as_of(amount_minor: int, issue_date: date, settlements: Iterable[tuple[date, int]],
               as_of: date) -> int:
    """Open minor units of one document as of a date: its amount less the allocations and adjustments
    dated on or before as_of (0 if it was not yet issued). `settlements`: (date, minor) pairs."""
    if issue_date > as_of:
        return 0
    return amount_minor - sum(m for on, m in settlements if on <= as_of)


# ---------------------------------------------------------------- aging, item path

def age_items(items: Iterable[OpenItem], as_of: date,
              unapplied: Iterable[tuple[str, Money]] = ()) -> list[AgingRow]:
    """One row per (customer, currency), sorted; `unapplied`: (customer_code, Money) of unapplied cash."""
    sums: dict[tuple[str, str], list[int]] = {}
    counts: dict[tuple[str, str], int] = {}
    for it in items:
        if it.open.is_zero():
            continue
        key = (it.customer_code, it.open.currency)
        sums.setdefault(key, [0] * len(BUCKET_NAMES))[bucket_index(it.days_past_due(as_of))] += it.open.minor
        counts[key] = counts.get(key, 0) + 1
    cash: dict[tuple[str, str], int] = {}
    for code, money in unapplied:
        key = (code, money.currency)
        cash[key] = cash.get(key, 0) + money.minor
        sums.setdefault(key, [0] * len(BUCKET_NAMES))
    return [aging_row(code, cur, sums[(code, cur)], cash.get((code, cur), 0), counts.get((code, cur), 0))
            for code, cur in sorted(sums)]


def aging_row(customer_code: str | None, currency: str, bucket_minor: Sequence[int], unapplied_minor: int,
              items: int) -> AgingRow:
    return AgingRow(customer_code, currency, tuple(int(m) for m in bucket_minor), int(unapplied_minor), int(items))


def totals_of_minor(sums: Iterable[tuple[str, Sequence[int], int, int]]) -> list[AgingRow]:
    """Total rows per currency from (currency, bucket minor units, unapplied, items) of every customer."""
    acc: dict[str, tuple[list[int], int, int]] = {}
    for cur, buckets, cash, n in sums:
        b, c, k = acc.get(cur, ([0] * len(BUCKET_NAMES), 0, 0))
        acc[cur] = ([x + y for x, y in zip(b, buckets, strict=True)], c + cash, k + n)
    return [aging_row(None, cur, b, cash, n) for cur, (b, cash, n) in sorted(acc.items())]


def aging_totals(rows: Iterable[AgingRow]) -> list[AgingRow]:
    """Total row per currency (customer_code None): currencies are never added together."""
    return totals_of_minor((r.currency, r.bucket_minor, r.unapplied_minor, r.items) for r in rows)


def convert_total(totals: Iterable[AgingRow], to: str, rate_of: dict[str, Decimal]) -> AgingRow:
    """Sum per-currency totals into `to`, each converted at its dated rate (`rate_of[currency]`, units of
    `to` per unit). Each bucket is converted and rounded separately; the total is their sum."""
    buckets = [0] * len(BUCKET_NAMES)
    cash = n = 0
    for r in totals:
        rate = rate_of[r.currency]
        buckets = [acc + Money(b.amount * rate, to).minor for acc, b in zip(buckets, r.buckets, strict=True)]
        cash += Money(r.unapplied.amount * rate, to).minor
        n += r.items
    return AgingRow(None, to, tuple(buckets), cash, n)


# ---------------------------------------------------------------- aging, column path

def aging_columns(due_ordinal: np.ndarray, open_minor: np.ndarray, group: np.ndarray, n_groups: int,
                  as_of: date) -> np.ndarray:
    """Vectorised aging: an (n_groups, 7) int64 array of open minor units per group and bucket.

    due_ordinal: due dates as `date.toordinal()` ints; open_minor: int64; group: ints in [0, n_groups)
    (e.g. customer × currency). Exact: sums stay in int64."""
    dpd = as_of.toordinal() - due_ordinal.astype(np.int64)
    bucket = np.where(open_minor < 0, 0, np.searchsorted(_UPPER_EDGES, dpd, side="left"))  # credits: current
    out = np.zeros(n_groups * len(BUCKET_NAMES), dtype=np.int64)
    np.add.at(out, group.astype(np.int64) * len(BUCKET_NAMES) + bucket, open_minor.astype(np.int64))
    return out.reshape(n_groups, len(BUCKET_NAMES))


# ---------------------------------------------------------------- DSO and CEI

def add_months(d: date, months: int) -> date:
    """The same day `months` later (earlier if negative), clamped to the month's last day."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def count_back_windows(as_of: date, months: int = 24) -> list[tuple[date, date]]:
    """Monthly windows (start exclusive, end inclusive), newest first: (as_of − k months, as_of − (k−1)]."""
    return [(add_months(as_of, -k), add_months(as_of, -(k - 1))) for k in range(1, months + 1)]


def simple_dso(closing_ar: int, credit_sales: int, period_days: int) -> Decimal | None:
    """Closing AR / credit sales × period days (None without positive credit sales). A credit balance
    (closing AR below zero: the seller owes the customer) is 0 days, never negative (rule 15)."""
    if credit_sales <= 0:
        return None
    return (Decimal(max(closing_ar, 0)) / Decimal(credit_sales) * period_days).quantize(DAYS, ROUND_HALF_EVEN)


def count_back_dso(closing_ar: int, monthly: Sequence[tuple[int, int]]) -> Decimal | None:
    """Count-back DSO. monthly: (days in window, credit sales) newest first. Each month's sales consume
    the AR; the last month counts for the fraction it needed. If the AR outlasts every month, the days
    of all months are returned (a lower bound). None when nothing is owed or there were no sales."""
    if closing_ar <= 0 or not any(s > 0 for _, s in monthly):
        return None if closing_ar > 0 else Decimal(0).quantize(DAYS)
    remaining, days = Decimal(closing_ar), Decimal(0)
    for window_days, sales in monthly:
        if sales <= 0:
            days += window_days
            continue
        if remaining <= sales:
            days += Decimal(window_days) * remaining / Decimal(sales)
            return days.quantize(DAYS, ROUND_HALF_EVEN)
        remaining -= sales
        days += window_days
    return days.quantize(DAYS, ROUND_HALF_EVEN)


def best_possible_dso(current_ar: int, credit_sales: int, period_days: int) -> Decimal | None:
    """Current (not yet due) AR / credit sales × period days."""
    return simple_dso(current_ar, credit_sales, period_days)


def cei(opening_ar: int, credit_sales: int, closing_ar: int, closing_current_ar: int) -> Decimal | None:
    """Collection effectiveness index, percent: what was collectible and was collected, 0…100 (rule 16).

    CEI = (opening AR + credit sales − closing AR) / (opening AR + credit sales − closing current AR),
    i.e. collected / (collected + closing overdue AR). Written that way it stays within its range when
    credits are in the books: the collected part and the overdue part each count at least 0 (a credit
    note larger than what is overdue does not make overdue negative, so CEI never exceeds 100 %; AR that
    grew beyond the period's sales collected nothing, 0 %). None when there was nothing to collect."""
    collected = max(opening_ar + credit_sales - closing_ar, 0)
    overdue = max(closing_ar - closing_current_ar, 0)
    if collected + overdue <= 0:
        return None
    return (Decimal(collected) / Decimal(collected + overdue) * 100).quantize(PERCENT, ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class CollectionInputs:
    """Minor-unit inputs of `dso_figures` for one currency (and optionally one customer)."""

    currency: str
    closing_ar: int
    closing_current_ar: int
    opening_ar: int
    period_sales: int
    monthly_sales: tuple[tuple[int, int], ...]
    customer_code: str | None = None


def dso_figures(inp: CollectionInputs, as_of: date, period_days: int) -> DsoFigures:
    dso = simple_dso(inp.closing_ar, inp.period_sales, period_days)
    bpdso = best_possible_dso(inp.closing_current_ar, inp.period_sales, period_days)
    m = lambda minor: Money.from_minor(minor, inp.currency)
    return DsoFigures(
        currency=inp.currency, as_of=as_of, period_days=period_days, closing_ar=m(inp.closing_ar),
        closing_current_ar=m(inp.closing_current_ar), opening_ar=m(inp.opening_ar),
        credit_sales=m(inp.period_sales), dso=dso, dso_count_back=count_back_dso(inp.closing_ar, inp.monthly_sales),
        bpdso=bpdso, add=None if dso is None or bpdso is None else max(dso - bpdso, Decimal(0).quantize(DAYS)),
        cei=cei(inp.opening_ar, inp.period_sales, inp.closing_ar, inp.closing_current_ar),
        customer_code=inp.customer_code)


# ---------------------------------------------------------------- DSO at several dates (one pass)

@dataclass(frozen=True, slots=True)
class DocumentColumns:
    """Documents of one currency as numpy columns (one row per document or per group of documents with
    the same dates): issue and due dates as ordinals, amount and today's open amount in minor units."""

    issue: np.ndarray
    due: np.ndarray
    amount: np.ndarray
    open_now: np.ndarray


@dataclass(frozen=True, slots=True)
class SettlementColumns:
    """Allocations and adjustments of one currency as columns: the settled document's issue and due dates,
    the settlement's date (ordinals) and its minor units (what it took off the open amount)."""

    issue: np.ndarray
    due: np.ndarray
    on: np.ndarray
    minor: np.ndarray


def _open_at(docs: DocumentColumns, later: SettlementColumns, x: int, due_from: int | None = None) -> int:
    """Σ open as of ordinal x of the documents issued on or before x (due on or after `due_from`):
    today's open amount plus what settlements dated after x took off."""
    mask = docs.issue <= x
    lmask = (later.on > x) & (later.issue <= x)
    if due_from is not None:
        mask &= docs.due >= due_from
        lmask &= later.due >= due_from
    return int(docs.open_now[mask].sum(dtype=np.int64)) + int(later.minor[lmask].sum(dtype=np.int64))


def _issued_between(docs: DocumentColumns, lo: int, hi: int) -> int:
    return int(docs.amount[(docs.issue > lo) & (docs.issue <= hi)].sum(dtype=np.int64))


def collection_inputs_at(currency: str, docs: DocumentColumns, later: SettlementColumns, as_of: date,
                         period_days: int, months: int = 12,
                         customer_code: str | None = None) -> CollectionInputs | None:
    """`CollectionInputs` as of one date from the columns of every document and of the settlements dated
    after the earliest date asked (None when nothing is owed and nothing was sold: no figures)."""
    x = as_of.toordinal()
    start = x - period_days
    closing = _open_at(docs, later, x)
    current = _open_at(docs, later, x, due_from=x)
    opening = _open_at(docs, later, start)
    monthly = tuple(((hi - lo).days, _issued_between(docs, lo.toordinal(), hi.toordinal()))
                    for lo, hi in count_back_windows(as_of, months))
    period_sales = _issued_between(docs, start, x)
    if not (closing or opening or period_sales or any(m for _, m in monthly)):
        return None
    return CollectionInputs(currency, closing, current, opening, period_sales, monthly, customer_code)
