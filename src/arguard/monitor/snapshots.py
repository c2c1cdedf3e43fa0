"""Service-layer loader: reads the ledger and the monitor's events in bulk and builds the frozen
`BuyerSnapshot`s and the `PortfolioSnapshot` the rules evaluate.

A whole-company run is a handful of set queries (no query per buyer), so a daily run over 20,000
buyers and a million invoices stays within seconds. The same code path, filtered to a few buyers,
serves the real-time evaluation of one event.

Open amount as of a date (ledger rule 5) is computed as today's projection `open_minor` plus the
allocations and adjustments dated after the date, which are few for a recent date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from arguard.core.errors import ArguardError
from arguard.core.money import FxTable, Money, exponent
from arguard.ledger import interface as ledger
from arguard.limits import interface as limits
from arguard.monitor.model import (
    BuyerEvent,
    BuyerSnapshot,
    CountryChange,
    CoverDecision,
    DbtWindow,
    Deadline,
    GradeChange,
    OverdueItem,
    PortfolioSnapshot,
    Promise,
)
from arguard.monitor.tables import MonitorEvent
from arguard.platform.context import ServiceContext

EVENT_HORIZON_DAYS = 400
"""Events older than this before as_of are not loaded (every look-back is shorter)."""
_CHUNK = 900
_FEW = 200
"""Up to this many buyers are read by code; more, and the whole customer list is read (it is cheap) so
that a batch touching a quarter of the book or more is served by whole-book set queries."""


def base_currency(ctx: ServiceContext) -> str:
    return ledger.base_currency(ctx)


def fx_table(ctx: ServiceContext) -> FxTable:
    return ledger.fx_table(ctx)


class Converter:
    """Converts minor units of any currency into base-currency Decimals at one date; a missing rate
    is reported once as an issue and the amount is left out."""

    def __init__(self, ctx: ServiceContext, base: str, as_of: date, issues: list[str]) -> None:
        self.base, self.as_of, self.issues = base, as_of, issues
        self._fx = fx_table(ctx)
        self._rates: dict[str, Decimal | None] = {base: Decimal(1)}
        self._factors: dict[str, Decimal | None] = {}

    def rate(self, currency: str) -> Decimal | None:
        if currency not in self._rates:
            try:
                self._rates[currency] = self._fx.rate(currency, self.base, self.as_of)
            except ArguardError:
                self._rates[currency] = None
                self.issues.append(f"no {currency}/{self.base} rate on or before {self.as_of}: "
                                   f"{currency} amounts left out")
        return self._rates[currency]

    def factor(self, currency: str) -> Decimal | None:
        """What one minor unit of `currency` is worth in the base currency (None: no rate)."""
        if currency not in self._factors:
            r = self.rate(currency)
            self._factors[currency] = None if r is None else r.scaleb(-exponent(currency))
        return self._factors[currency]

    def money(self, minor: int, currency: str) -> Money | None:
        f = self.factor(currency)
        return None if f is None else Money(minor * f, self.base)

    def convert(self, money: Money) -> Money | None:
        r = self.rate(money.currency)
        return None if r is None else Money(money.amount * r, self.base)


def _in_chunks(ids: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def _customers(ctx: ServiceContext, codes: Sequence[str] | None
               ) -> tuple[dict[int, tuple[str, str, str, str | None]], int | None]:
    """The buyers asked for (id → code, name, country, sector) and the size of the book when it was read
    whole (None when only the few buyers asked for were read)."""
    if codes is None or len(codes) > _FEW:
        book = {c.id: (c.code, c.name, c.country, c.sector) for c in ledger.customer_refs(ctx)}
        if codes is None:
            return book, len(book)
        wanted = set(codes)
        return {cid: c for cid, c in book.items() if c[0] in wanted}, len(book)
    return {c.id: (c.code, c.name, c.country, c.sector) for c in ledger.customer_refs(ctx, codes=codes)}, None


def _scoped(q: Any, column: Any, ids: Sequence[Any] | None) -> Iterable[Any]:
    if ids is None:
        yield q
    else:
        for chunk in _in_chunks(list(ids)):
            yield q.where(column.in_(chunk))


def _dbt_windows(ctx: ServiceContext, as_of: date, ids: Sequence[int] | None, conv: Converter,
                 windows: int, window_days: int) -> dict[int, list[DbtWindow]]:
    start = as_of - timedelta(days=windows * window_days)
    sums: dict[int, list[list[Decimal]]] = {}
    for cust, paid_on, due, minor, cur in ledger.allocations_between(ctx, start, as_of, ids):
        factor = conv.factor(cur)
        if factor is None:
            continue
        w = min((as_of - paid_on).days // window_days, windows - 1)
        amount = minor * factor
        acc = sums.setdefault(cust, [[Decimal(0), Decimal(0)] for _ in range(windows)])
        acc[windows - 1 - w][0] += amount
        acc[windows - 1 - w][1] += amount * max(0, (paid_on - due).days)
    out = {}
    for cust, acc in sums.items():
        out[cust] = [DbtWindow(as_of - timedelta(days=(windows - 1 - i) * window_days), Money(paid, conv.base),
                               (weighted / paid).quantize(Decimal("0.1")) if paid > 0 else Decimal(0))
                     for i, (paid, weighted) in enumerate(acc)]
    return out


def _events(ctx: ServiceContext, as_of: date, codes: Sequence[str] | None) -> dict[str, list[BuyerEvent]]:
    q = (select(MonitorEvent.id, MonitorEvent.customer_code, MonitorEvent.kind, MonitorEvent.occurred_on,
                MonitorEvent.details)
         .where(MonitorEvent.company_id == ctx.company_id, MonitorEvent.customer_code.is_not(None),
                MonitorEvent.occurred_on <= as_of,
                MonitorEvent.occurred_on > as_of - timedelta(days=EVENT_HORIZON_DAYS))
         .order_by(MonitorEvent.occurred_on, MonitorEvent.id))
    out: dict[str, list[BuyerEvent]] = defaultdict(list)
    for part in _scoped(q, MonitorEvent.customer_code, codes):
        for eid, code, kind, on, details in ctx.session.execute(part):
            out[code].append(BuyerEvent(eid, kind, on, details or {}))
    return out


def country_changes(ctx: ServiceContext, as_of: date) -> list[CountryChange]:
    """Differences between consecutive country classification tables posted up to as_of."""
    rows = ctx.session.execute(
        select(MonitorEvent.id, MonitorEvent.occurred_on, MonitorEvent.details)
        .where(MonitorEvent.company_id == ctx.company_id, MonitorEvent.kind == "country.classification",
               MonitorEvent.occurred_on <= as_of).order_by(MonitorEvent.occurred_on, MonitorEvent.id)).all()
    changes: list[CountryChange] = []
    previous: dict[str, int] = {}
    for i, (eid, on, details) in enumerate(rows):
        classes = {str(k).upper(): int(v) for k, v in (details.get("classes") or {}).items() if v is not None}
        if i > 0:
            changes += [CountryChange(c, previous.get(c), k, on, eid) for c, k in classes.items()
                        if previous.get(c) != k]
        previous = {**previous, **classes}
    return changes


@dataclass(frozen=True)
class LoadOptions:
    dbt_windows: int = 3
    dbt_window_days: int = 30


def load(ctx: ServiceContext, as_of: date, codes: Sequence[str] | None = None,
         options: LoadOptions = LoadOptions()) -> tuple[list[BuyerSnapshot], PortfolioSnapshot | None, list[str]]:
    """Snapshots of the named buyers (all buyers when `codes` is None) and, for a full run, the
    portfolio. Returns (snapshots, portfolio or None, issues)."""
    issues: list[str] = []
    base = base_currency(ctx)
    conv = Converter(ctx, base, as_of, issues)
    customers, book_size = _customers(ctx, codes)
    # a quarter of the book or more: set queries over the whole book, filtered here (no long id lists)
    whole = book_size is not None and len(customers) * 4 >= book_size
    ids = None if whole else list(customers)
    open_total: dict[int, Decimal] = defaultdict(Decimal)
    overdue: dict[int, list[OverdueItem]] = defaultdict(list)
    left_out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    tolerance = ledger.materiality_thresholds(ctx, as_of)
    for item in ledger.open_items_as_of(ctx, as_of, ids).values():
        cust, number, due, cur, minor, original = (item.customer_id, item.number, item.due_date, item.currency,
                                                   item.open_minor, item.amount_minor)
        if cust not in customers:
            continue
        factor = conv.factor(cur)
        if factor is None:
            left_out[cust][cur] += minor
            continue
        amount = minor * factor
        open_total[cust] += amount
        if due < as_of and ledger.is_material(minor, original, cur, tolerance):
            overdue[cust].append(OverdueItem(number, due, Money(amount, base)))
    dbt = _dbt_windows(ctx, as_of, ids, conv, options.dbt_windows, options.dbt_window_days)
    events = _events(ctx, as_of, None if whole else [c[0] for c in customers.values()])
    countries = country_changes(ctx, as_of)
    credit = credit_views(ctx, events, conv, customers, as_of, whole_book=whole)
    payments = _payments_for_promises(ctx, as_of, customers, events, conv)
    snaps = []
    no_credit = CreditView(None)
    for cid, (code, name, country, sector) in customers.items():
        total = Money(open_total.get(cid, Decimal(0)), base)
        snaps.append(_snapshot(code, name, country, sector, as_of, base, total, credit.get(code, no_credit),
                               tuple(sorted(overdue.get(cid, ()), key=lambda i: (i.due_date, i.number))),
                               tuple(dbt.get(cid, ())), events.get(code, []), countries, payments.get(cid, ()),
                               conv, tuple((c, Money.from_minor(m, c)) for c, m in sorted(left_out[cid].items())
                                           if m > 0) if cid in left_out else ()))
    portfolio = None
    if codes is None:
        portfolio = _portfolio(as_of, base, customers, open_total)
    return snaps, portfolio, issues


def _portfolio(as_of: date, base: str, customers: dict[int, tuple[str, str, str, str | None]],
               open_total: dict[int, Decimal]) -> PortfolioSnapshot:
    dims: dict[str, dict[str, Decimal]] = {"buyer": defaultdict(Decimal), "country": defaultdict(Decimal),
                                           "sector": defaultdict(Decimal)}
    total = Decimal(0)
    for cid, amount in open_total.items():
        if amount <= 0 or cid not in customers:
            continue
        code, _name, country, sector = customers[cid]
        total += amount
        dims["buyer"][code] += amount
        dims["country"][country] += amount
        dims["sector"][sector or "unknown"] += amount
    return PortfolioSnapshot(as_of, base, Money(total, base),
                             {d: {k: Money(v, base) for k, v in vals.items()} for d, vals in dims.items()})


def _money_of(details: dict[str, Any], key: str, conv: Converter) -> Money | None:
    if details.get(key) in (None, ""):
        return None
    try:
        raw = Money.of(str(details[key]), str(details.get("currency") or conv.base))
    except ArguardError:
        return None
    rate = conv.rate(raw.currency)
    return None if rate is None else Money(raw.amount * rate, conv.base)


def _date_of(details: dict[str, Any], key: str) -> date | None:
    try:
        return date.fromisoformat(str(details[key])) if details.get(key) else None
    except ValueError:
        return None


@dataclass(frozen=True)
class CreditView:
    """A buyer's limit in force and the order parts of its exposure (limits rule 17), base currency."""

    limit: Money | None
    shipped: Money | None = None
    orders: Money | None = None


def credit_views(ctx: ServiceContext, events: dict[str, list[BuyerEvent]], conv: Converter,
                 customers: dict[int, tuple[str, str, str, str | None]], as_of: date,
                 whole_book: bool) -> dict[str, CreditView]:
    """Limit in force and shipped-not-invoiced / released orders per buyer code: the limits
    capability's own services (its decisions, its exposure), else the latest `limit.changed` event.
    whole_book: one pass over the book (`exposure_report`); else the buyers' decisions and, for those
    with live orders, their exposure one by one."""
    out: dict[str, CreditView] = {}
    for code, evs in events.items():
        for e in evs:
            if e.kind == "limit.changed":
                m = _money_of(dict(e.details), "amount", conv)
                if m is not None:
                    out[code] = CreditView(m)
    found = limits.credit_positions(ctx, list(customers), as_of, whole_book=whole_book)
    for position in found.values():
        code = position.customer_code
        limit = None if position.limit is None else conv.convert(position.limit)
        view = CreditView(limit, None if position.shipped is None else conv.convert(position.shipped),
                          None if position.orders is None else conv.convert(position.orders))
        out[code] = view if view.limit is not None or code not in out else CreditView(
            out[code].limit, view.shipped, view.orders)
    return out


def _payments_for_promises(ctx: ServiceContext, as_of: date, customers: dict[int, tuple[str, str, str, str | None]],
                           events: dict[str, list[BuyerEvent]], conv: Converter) -> dict[int, tuple]:
    by_code = {c[0]: cid for cid, c in customers.items()}
    wanted = {by_code[code]: min(e.occurred_on for e in evs if e.kind == "promise.due")
              for code, evs in events.items() if code in by_code and any(e.kind == "promise.due" for e in evs)}
    if not wanted:
        return {}
    out: dict[int, list[tuple[date, Money]]] = defaultdict(list)
    for cust, on, minor, cur in ledger.payments_between(ctx, min(wanted.values()), as_of, list(wanted)):
        m = conv.money(minor, cur)
        if m is not None:
            out[cust].append((on, m))
    return {k: tuple(sorted(v, key=lambda p: p[0])) for k, v in out.items()}


def _snapshot(code: str, name: str, country: str, sector: str | None, as_of: date, base: str, total: Money,
              credit: CreditView, overdue: tuple[OverdueItem, ...], dbt: tuple[DbtWindow, ...],
              events: list[BuyerEvent], countries: list[CountryChange], payments: tuple, conv: Converter,
              missing_rates: tuple[tuple[str, Money], ...] = ()) -> BuyerSnapshot:
    grades, cover, promises, deadlines = [], [], [], {}
    for e in events:
        d = dict(e.details)
        if e.kind == "grade.changed" and isinstance(d.get("to"), int):
            grades.append(GradeChange(e.id, e.occurred_on, d.get("from") if isinstance(d.get("from"), int) else None,
                                      d["to"]))
        elif e.kind == "insurer.decision":
            cover.append(CoverDecision(e.id, e.occurred_on, str(d.get("decision", "")).lower(),
                                       _money_of(d, "amount", conv), _money_of(d, "previous_amount", conv),
                                       _date_of(d, "effective_on"), d.get("reference")))
        elif e.kind == "promise.due":
            amount, due = _money_of(d, "amount", conv), _date_of(d, "due_on")
            if amount is not None and due is not None:
                promises.append(Promise(e.id, str(d.get("promise_id") or e.id), e.occurred_on, due, amount,
                                        payments))
        elif e.kind == "insurance.deadline":
            due, ref = _date_of(d, "deadline_on"), str(d.get("reference") or e.id)
            met = str(d.get("status", "open")).lower() == "met"
            if due is not None:
                deadlines[ref] = Deadline(e.id, ref, str(d.get("kind") or "deadline"), due, met)
    exposure = total
    for part in (credit.shipped, credit.orders):
        if part is not None:
            exposure = exposure + part
    return BuyerSnapshot(code=code, name=name, country=country, sector=sector, as_of=as_of, currency=base,
                         open_total=total, exposure=exposure, limit=credit.limit, shipped=credit.shipped,
                         orders=credit.orders, overdue=overdue, dbt=dbt,
                         grade_changes=tuple(grades), cover=tuple(cover), promises=tuple(promises),
                         deadlines=tuple(deadlines.values()), events=tuple(events),
                         country_changes=tuple(c for c in countries if c.country == country),
                         missing_rates=missing_rates)
