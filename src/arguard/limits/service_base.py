"""Limits services: policy and appetite, limit requests and decisions, buyer credit state, exposure,
recommendation and terms. The order check and the hold queue are in `service_orders` (re-exported).

Reactions offered to monitoring: `request_review(ctx, code, reason, cause)` and
`set_order_block(ctx, code, blocked, reason, cause)`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, and_, bindparam, func, or_, select, text

from arguard.core.errors import ValidationError
from arguard.core.money import MissingRate, Money, check_currency
from arguard.db.driver import DriverStatement
from arguard.db.session import upsert_insert
from arguard.ledger import interface as ledger
from arguard.ledger.interface import CustomerRef
from arguard.limits import sources
from arguard.limits.exposure import credit_line, order_part
from arguard.limits.model import (
    SCOPES,
    Appetite,
    CheckPolicy,
    CreditLine,
    Exposure,
    LimitDecision,
)
from arguard.limits.tables import (
    AppetiteCap,
    BuyerCreditState,
    CreditOrder,
    LimitDecisionRow,
    LimitPolicy,
    ReleasedByDay,
)
from arguard.platform import caches
from arguard.platform.context import ServiceContext
from arguard.platform.interface import company_base_currency

LIVE = ("released", "shipped")


# ---------------------------------------------------------------- audit

def audit(ctx: ServiceContext, action: str, entity: str, entity_id: str | int | None, **kw: Any) -> None:
    """`ctx.audit` (the platform serialises appends per company until commit, so callers append last)."""
    ctx.audit(action, entity, entity_id, **kw)


# ---------------------------------------------------------------- policy and appetite

@dataclass(frozen=True)
class Policy:
    currency: str
    check: CheckPolicy
    cost_of_capital: Decimal


def _memo(ctx: ServiceContext) -> dict[str, Any]:
    """Per-unit-of-work memo of the policy and appetite (read several times by one check)."""
    memo: dict[str, Any] = ctx.__dict__.setdefault("_limits_memo", {})
    return memo


# Each company's policy and appetite are cached per process (`caches.LIMITS_SETTINGS`), keyed by
# database and company and kept while the settings token (read by the check's lock statement:
# `SETTINGS_TOKEN_SQL`) is unchanged; a change made in this process also drops them at once.


SETTINGS_TOKEN_SQL = """
    (SELECT p.updated_at FROM limits_policy p WHERE p.company_id = :company),
    (SELECT p.currency FROM limits_policy p WHERE p.company_id = :company),
    (SELECT m.base_currency FROM companies m WHERE m.id = :company),
    (SELECT count(*) FROM limits_appetite a WHERE a.company_id = :company),
    (SELECT coalesce(sum(a.max_minor), 0) FROM limits_appetite a WHERE a.company_id = :company),
    (SELECT max(a.id) FROM limits_appetite a WHERE a.company_id = :company)"""
"""Scalar subqueries whose values change whenever the policy, the base currency or a cap changes."""


def _settings_key(ctx: ServiceContext) -> tuple[Any, ...]:
    engine = ctx.session.get_bind().engine
    return (id(engine), str(engine.url), ctx.company_id)


def use_cached_settings(ctx: ServiceContext, token: tuple[Any, ...]) -> None:
    """Fill this unit of work's memo from the process cache when `token` still matches, else read the
    policy and appetite once and cache them under `token`."""
    key = _settings_key(ctx)
    memo = _memo(ctx)
    hit = caches.LIMITS_SETTINGS.get(key)
    if hit is not None and hit[0] == token:
        memo["policy"], memo["appetite"] = hit[1], hit[2]
        return
    memo.clear()
    policy, appetite = get_policy(ctx), get_appetite(ctx)
    caches.LIMITS_SETTINGS.put(key, (token, policy, appetite))


def _settings_changed(ctx: ServiceContext) -> None:
    _memo(ctx).clear()
    caches.LIMITS_SETTINGS.pop(_settings_key(ctx))


def get_policy(ctx: ServiceContext) -> Policy:
    memo = _memo(ctx)
    if "policy" not in memo:
        memo["policy"] = _read_policy(ctx)
    return memo["policy"]  # type: ignore[no-any-return]


def _read_policy(ctx: ServiceContext) -> Policy:
    row = ctx.session.scalar(select(LimitPolicy).where(LimitPolicy.company_id == ctx.company_id))
    if row is None:
        return Policy(company_base_currency(ctx), CheckPolicy(), Decimal("0.08"))
    params = dict(row.params or {})
    if "guarantee_excess_share" in params:
        params["guarantee_excess_share"] = Decimal(str(params["guarantee_excess_share"]))
    return Policy(row.currency, CheckPolicy(**params), Decimal(row.cost_of_capital))


def set_policy(ctx: ServiceContext, *, currency: str | None = None, cost_of_capital: Decimal | None = None,
               **params: Any) -> Policy:
    """Change the limit currency, cost of capital or check-policy parameters (admin; audited)."""
    ctx.require("admin")
    _settings_changed(ctx)
    before = get_policy(ctx)
    known = set(CheckPolicy.__slots__)  # type: ignore[attr-defined]
    unknown = set(params) - known
    if unknown:
        raise ValidationError(f"unknown policy parameters: {', '.join(sorted(unknown))}", code="invalid_policy")
    check = replace(before.check, **params)
    row = ctx.session.scalar(select(LimitPolicy).where(LimitPolicy.company_id == ctx.company_id))
    if row is None:
        row = LimitPolicy(company_id=ctx.company_id)
        ctx.session.add(row)
    row.currency = check_currency(currency) if currency else before.currency
    row.cost_of_capital = str(cost_of_capital if cost_of_capital is not None else before.cost_of_capital)
    row.params = check.as_dict()
    row.updated_at = datetime.now(UTC)
    ctx.session.flush()
    _settings_changed(ctx)
    after = get_policy(ctx)
    audit(ctx, "limits.policy", "limits_policy", ctx.company_id, before=policy_json(before),
          after=policy_json(after))
    return after


def policy_json(p: Policy) -> dict[str, Any]:
    return {"currency": p.currency, "cost_of_capital": str(p.cost_of_capital), **p.check.as_dict()}


def get_appetite(ctx: ServiceContext) -> Appetite:
    memo = _memo(ctx)
    if "appetite" not in memo:
        currency = get_policy(ctx).currency
        rows = ctx.session.scalars(select(AppetiteCap).where(AppetiteCap.company_id == ctx.company_id))
        memo["appetite"] = Appetite(currency, {(r.scope, r.key): Money.from_minor(r.max_minor, r.currency)
                                               for r in rows})
    return memo["appetite"]  # type: ignore[no-any-return]


def set_appetite(ctx: ServiceContext, scope: str, key: str, cap: Money | None, reason: str | None = None) -> None:
    """Set (or with None remove) the most the company will have at stake in one scope and key."""
    ctx.require("credit_manager")
    if scope not in SCOPES:
        raise ValidationError(f"unknown scope {scope!r}; scopes are {', '.join(SCOPES)}", code="invalid_scope")
    key = (key or "*").strip() or "*"
    if scope in ("total", "discretionary"):
        key = "*"
    elif scope == "country" and key != "*":
        key = key.upper()
    currency = get_policy(ctx).currency
    if cap is not None and cap.currency != currency:
        raise ValidationError(f"caps are in the limit currency {currency}", code="invalid_currency")
    _memo(ctx).pop("appetite", None)
    row = ctx.session.scalar(select(AppetiteCap).where(
        AppetiteCap.company_id == ctx.company_id, AppetiteCap.scope == scope, AppetiteCap.key == key))
    before = None if row is None else str(Money.from_minor(row.max_minor, row.currency).amount)
    if cap is None:
        if row is not None:
            ctx.session.delete(row)
    elif row is None:
        ctx.session.add(AppetiteCap(company_id=ctx.company_id, scope=scope, key=key, max_minor=cap.minor,
                                    currency=cap.currency))
    else:
        row.max_minor = cap.minor
    ctx.session.flush()
    _settings_changed(ctx)
    audit(ctx, "limits.appetite", "appetite", f"{scope}:{key}", reason=reason, before={"cap": before},
          after={"cap": None if cap is None else str(cap.amount), "currency": currency})


# ---------------------------------------------------------------- customers, FX, locks

def customer_by_code(ctx: ServiceContext, code: str) -> CustomerRef:
    return ledger.customer_ref(ctx, code)


def group_parent(ctx: ServiceContext, customer: CustomerRef) -> CustomerRef | None:
    if not customer.parent_code or customer.parent_code == customer.code:
        return None
    return ledger.find_customer(ctx, customer.parent_code)


class Rates:
    """Dated rates into the limit currency, read one pair at a time (the latest on or before `on`) and
    kept for this object's life (one unit of work). A per-process cache of rates paid less than a tenth
    of the check's CPU and was removed (docs/benchmarks.md, issue 10 item 5)."""

    def __init__(self, ctx: ServiceContext, to: str, on: date) -> None:
        self.ctx, self.to, self.on = ctx, to, on
        self._cache: dict[str, Decimal] = {to: Decimal(1)}

    def rate(self, currency: str) -> Decimal:
        found = self._cache.get(currency)
        if found is None:
            found = self._cache[currency] = self._lookup(currency)
        return found

    def _lookup(self, currency: str) -> Decimal:
        q = prebuilt("fx_rate", ledger.newest_rate_select)
        found = self.ctx.connection().execute(q, {"company": self.ctx.company_id, "on": self.on,
                                                          "currency": currency, "to": self.to}).first()
        if found is None:
            raise MissingRate(currency, self.to, self.on)
        rate = Decimal(found.rate)
        return rate if found.base == currency else Decimal(1) / rate

    def minor(self, minor: int, currency: str) -> Money:
        return Money(Money.from_minor(minor, currency).amount * self.rate(currency), self.to)

    def convert(self, money: Money) -> Money:
        return Money(money.amount * self.rate(money.currency), self.to)


def lock_buyers(ctx: ServiceContext, customer_ids: list[int]) -> dict[int, BuyerCreditState]:
    """Create-or-lock each buyer's credit-state row, in id order (no deadlocks between groups).

    An upsert takes the row lock on PostgreSQL and the write lock on SQLite, so concurrent checks of one
    buyer run one after the other and each sees the reservations of the one before."""
    insert = upsert_insert(ctx.session.get_bind().dialect.name)
    out: dict[int, BuyerCreditState] = {}
    for cid in sorted(set(customer_ids)):
        stmt = insert(BuyerCreditState).values(company_id=ctx.company_id, customer_id=cid, checks=1,
                                               order_block=False, in_collections=False)
        stmt = stmt.on_conflict_do_update(index_elements=["company_id", "customer_id"],
                                          set_={"checks": BuyerCreditState.checks + 1})
        out[cid] = ctx.session.scalars(stmt.returning(BuyerCreditState),
                                       execution_options={"populate_existing": True}).one()
    return out


def prebuilt(name: str, build: Any) -> Any:
    """A hot-path statement built once per process with bound parameters (`caches.LIMITS_STATEMENTS`;
    building SQLAlchemy expressions anew for every check was a sixth of its CPU)."""
    stmt = caches.LIMITS_STATEMENTS.get(name)
    if stmt is None:
        stmt = build()
        caches.LIMITS_STATEMENTS.put(name, stmt)
    return stmt


_LOCK_SQL = """
INSERT INTO limits_buyer_state (company_id, customer_id, checks, order_block, in_collections)
SELECT c.company_id, c.id, 1, false, false FROM customers c
WHERE c.company_id = :company AND (c.code = :code OR c.code = (
    SELECT b.parent_code FROM customers b WHERE b.company_id = :company AND b.code = :code))
ORDER BY c.id
ON CONFLICT (company_id, customer_id) DO UPDATE SET checks = limits_buyer_state.checks + 1
RETURNING customer_id,
    (SELECT x.code FROM customers x WHERE x.id = limits_buyer_state.customer_id),
    (SELECT x.country FROM customers x WHERE x.id = limits_buyer_state.customer_id),
    (SELECT x.sector FROM customers x WHERE x.id = limits_buyer_state.customer_id),
    (SELECT x.parent_code FROM customers x WHERE x.id = limits_buyer_state.customer_id),
    order_block, block_reason, in_collections,""" + SETTINGS_TOKEN_SQL
"""Create-or-lock the credit-state rows of a buyer (by code) and of its group parent, in id order, and
return with each the buyer's code, country, sector and parent, its flags and the settings token. Plain
SQL that PostgreSQL and SQLite (3.35+) both read: an upsert from a SELECT with RETURNING."""


def _lock_statement() -> Any:
    return text(_LOCK_SQL).columns(customer_id=Integer, code=String, country=String, sector=String,
                                   parent_code=String, order_block=Boolean, block_reason=String,
                                   in_collections=Boolean)


_LOCK = DriverStatement(_lock_statement, flags=(5, 7))


def lock_for_check(ctx: ServiceContext, customer_code: str) -> tuple[list[Any], tuple[Any, ...]]:
    """The order check's first statement: lock the buyer's credit-state row and its group parent's (created
    where missing; in id order, so groups never deadlock) and read, with each, (customer id, code,
    country, sector, parent code, order block, block reason, in collections), plus the company's settings
    token (`SETTINGS_TOKEN_SQL`). No rows: no such customer."""
    rows = _LOCK.rows(ctx.connection(), {"company": ctx.company_id, "code": customer_code})
    return [r[:8] for r in rows], (tuple(rows[0][8:]) if rows else ())


def buyer_state(ctx: ServiceContext, customer: CustomerRef) -> BuyerCreditState:
    return lock_buyers(ctx, [customer.id])[customer.id]


# ---------------------------------------------------------------- exposure

@dataclass(frozen=True)
class ExposureFacts:
    """A buyer's (or a scope's) exposure in the limit currency with the facts the check needs."""

    exposure: Exposure
    oldest_due: date | None
    disputed: Money


def exposure_facts(ctx: ServiceContext, customers: Any, rates: Rates, *, horizon_end: date,
                   exclude_order: str | None = None, statuses: tuple[str, ...] = LIVE,
                   facts: CheckFacts | None = None) -> ExposureFacts:
    """`customers`: a list of customer ids or a select of ids (a country, a sector, the book);
    `facts`: the buyer's open items and order parts when already read (`check_facts`)."""
    lc = rates.to
    as_of = rates.on
    if facts is not None:
        found: Any = facts.open_items
    elif isinstance(customers, list):
        inv = prebuilt("open_items", lambda: _open_items(bindparam("ids", expanding=True)))
        found = ctx.connection().execute(inv, {"company": ctx.company_id, "as_of": as_of, "ids": customers})
    else:
        found = ctx.connection().execute(_open_items(customers), {"company": ctx.company_id, "as_of": as_of})
    receivables = disputed = Money.zero(lc)
    oldest: date | None = None
    for currency, open_minor, due, disp in found:
        receivables = receivables + rates.minor(int(open_minor or 0), currency)
        disputed = disputed + rates.minor(int(disp or 0), currency)
        if due is not None and (oldest is None or due < oldest):
            oldest = due
    shipped, released = (facts.orders if facts is not None
                         else _orders_exposure(ctx, customers, lc, horizon_end, exclude_order, statuses))
    return ExposureFacts(Exposure(receivables, shipped, released), oldest, disputed)


def _open_items(customers: Any) -> Any:
    return ledger.open_summary_select(bindparam("company"), customers, bindparam("as_of", type_=Date))


def _invoiced_of_order(order: Any = CreditOrder) -> Any:
    """What was invoiced against an order (its number on the invoices), as a correlated subquery."""
    return ledger.invoiced_against_order(order.company_id, order.customer_id, order.order_id, order.currency)





@dataclass(frozen=True)
class CheckFacts:
    """What the check reads about one buyer (`check_facts`): the order's own row (or None), the buyer's
    shipped-not-invoiced and released parts without that order (limit currency), its open items per
    currency (currency, open, oldest overdue due date, disputed) and its limit decisions."""

    existing: Any
    orders: tuple[Money, Money]
    open_items: list[tuple[str, int, date | None, int]]
    decisions: list[LimitDecision]
    released: dict[tuple[str, str], int]
    grade: sources.BuyerRisk | None
    """the newest stored grade (`sources.RiskServiceGrades`), None when ungraded"""


def _orders_of_check() -> Any:
    """The order's own row and the buyer's live orders within the horizon, with what was invoiced
    against each: id, customer id, amount, limit-currency amount, version, invoiced, order id, status,
    currency, outcome, country, sector, ship date."""
    o = CreditOrder
    return select(o.id, o.customer_id, o.amount_minor, o.limit_minor, o.version, _invoiced_of_order(o), o.order_id,
                  o.status, o.currency, o.outcome, o.country, o.sector, o.ship_date).where(
        o.company_id == bindparam("company"), or_(o.order_id == bindparam("oid"), and_(
            o.customer_id == bindparam("cid"), or_(o.status == "released", o.status == "shipped"),  # LIVE
            or_(o.status == "shipped", o.ship_date <= bindparam("horizon", type_=Date)))))


def _decisions_of_check() -> Any:
    d = LimitDecisionRow
    return (select(d.kind, d.status, d.amount_minor, d.requested_minor, d.currency, d.decided_on, d.effective_from,
                   d.effective_to, d.review_on, d.cover_stopped, d.conditions, d.id)
            .where(d.company_id == bindparam("company"), d.customer_id == bindparam("cid")).order_by(d.id))


# The check's reads of one buyer, one plain statement each, run on the driver's cursor (`db.driver`: it
# paid 12 % of the CPU per check on the large demo). Folding them into one UNION ALL paid 2–9 %, under
# the bar of issue 10, and was undone (docs/benchmarks.md).
_ORDERS = DriverStatement(_orders_of_check, dates=(12,))
_OPEN = DriverStatement(lambda: ledger.open_summary_select(bindparam("company"), bindparam("cid"),
                                                           bindparam("as_of", type_=Date)), dates=(2,))
_DECISIONS = DriverStatement(_decisions_of_check, dates=(5, 6, 7, 8), flags=(9,))
_SCOPES = DriverStatement(lambda: _released_query(select(ReleasedByDay.scope, ReleasedByDay.key,
                                                         func.sum(ReleasedByDay.minor))))
_GRADE = DriverStatement(lambda: sources.RiskServiceGrades().newest_grade_select())
GRADES_IN_FACTS = sources.RiskServiceGrades().newest_grade_select() is not None
"""Whether `check_facts` reads the risk capability's newest grade (it is installed)."""


@dataclass(frozen=True)
class _OrderRow:
    id: int
    customer_id: int
    amount_minor: int
    limit_minor: int
    version: int
    order_id: str
    status: str
    currency: str
    outcome: str | None
    country: str | None
    sector: str | None
    ship_date: date


def check_facts(ctx: ServiceContext, order_id: str, customer_id: int, as_of: date, horizon_end: date,
                country: str | None, sector: str | None) -> CheckFacts:
    """The buyer's facts for the check (call after `lock_for_check`): four reads, five with the grade."""
    lc = get_policy(ctx).currency
    conn = ctx.connection()
    params = {"company": ctx.company_id, "oid": order_id, "cid": customer_id, "horizon": horizon_end, "as_of": as_of,
              "country": country, "sector": sector}
    existing = None
    shipped = released_parts = 0
    for oid_, cid, amount, limit_minor, version, invoiced, oid, status, currency, outcome, ctry, sect, ship in (
            _ORDERS.rows(conn, params)):
        if oid == order_id:
            existing = _OrderRow(oid_, cid, amount, limit_minor, version, oid, status, currency, outcome, ctry, sect,
                                 ship)
        elif status == "shipped":
            shipped += order_part(amount, limit_minor, invoiced)
        else:
            released_parts += order_part(amount, limit_minor, invoiced)
    items = [(cur, int(open_minor or 0), due, int(disputed or 0))
             for cur, open_minor, due, disputed in _OPEN.rows(conn, params)]
    decisions = [_decision(*r) for r in _DECISIONS.rows(conn, params)]
    released = {(scope, key): int(minor or 0) for scope, key, minor in _SCOPES.rows(conn, params)}
    grade = None
    if GRADES_IN_FACTS:
        found = _GRADE.rows(conn, params)
        grade = sources.BuyerRisk(grade=int(found[0][0]), pd=float(found[0][1])) if found else None
    return CheckFacts(existing, (Money.from_minor(shipped, lc), Money.from_minor(released_parts, lc)), items,
                      decisions, released, grade)


def _orders_query(customers: Any, statuses: tuple[str, ...]) -> Any:
    return (select(CreditOrder.status, CreditOrder.amount_minor, CreditOrder.limit_minor, _invoiced_of_order())
            .where(CreditOrder.company_id == bindparam("company"), CreditOrder.customer_id.in_(customers),
                   CreditOrder.status.in_(statuses), CreditOrder.order_id != bindparam("exclude"),
                   or_(CreditOrder.status == "shipped", CreditOrder.ship_date <= bindparam("horizon", type_=Date))))


def _orders_exposure(ctx: ServiceContext, customers: Any, lc: str, horizon_end: date,
                     exclude_order: str | None, statuses: tuple[str, ...] = LIVE) -> tuple[Money, Money]:
    params: dict[str, Any] = {"company": ctx.company_id, "horizon": horizon_end, "exclude": exclude_order or ""}
    if isinstance(customers, list) and statuses == LIVE:
        q = prebuilt("orders_of_buyers", lambda: _orders_query(bindparam("ids", expanding=True), LIVE))
        params["ids"] = customers
    else:
        q = _orders_query(customers, statuses)
    shipped = orders = 0
    for status, amount, limit_minor, inv in ctx.connection().execute(q, params):
        part = order_part(amount, limit_minor, inv)
        if status == "shipped":
            shipped += part
        else:
            orders += part
    return Money.from_minor(shipped, lc), Money.from_minor(orders, lc)


def _db_key(ctx: ServiceContext) -> str:
    bind = ctx.session.get_bind()
    return str(bind.engine.url)


def scope_uses(ctx: ServiceContext, keys: list[tuple[str, str]], rates: Rates, *, horizon_end: date,
               exclude: tuple[str | None, str | None, date, int] | None, max_age_s: float,
               released: dict[tuple[str, str], int]) -> dict[tuple[str, str], tuple[Money, int, tuple[str, ...]]]:
    """What is at stake in each (scope, key) — a country, a sector, the whole book: receivables and
    shipped-not-invoiced from a snapshot at most `max_age_s` old, plus `released`: what released orders
    shipping within the horizon reserve there, as `check_facts` read it from `limits_released_by_day`
    (kept with every change of a released order, so an order released a moment ago always counts).
    exclude: (country, sector, ship date, minor) of the checked order's own reservation, which a re-check
    does not count twice. Each answer is (amount, open items left out for want of a rate, their
    currencies): a missing rate is named, never silently left out."""
    if not keys:
        return {}
    to, on = rates.to, rates.on
    book, unrated = caches.LIMITS_SNAPSHOTS.read((_db_key(ctx), ctx.company_id, "book", on, to, horizon_end),
                                                 max_age_s, lambda: settled_by_scope(ctx, rates))
    live = dict(released)
    if exclude is not None and exclude[2] <= horizon_end:
        for scope_key in _scope_keys(exclude[0], exclude[1]):
            if scope_key in live:
                live[scope_key] -= exclude[3]
    return {k: (Money.from_minor(book.get(k, 0) + live.get(k, 0), rates.to), *unrated.get(k, (0, ()))) for k in keys}


def _released_query(columns: Any, r: Any = ReleasedByDay) -> Any:
    """What released orders shipping by :horizon reserve in the buyer's :country, :sector and the book."""
    return (columns.where(
        r.company_id == bindparam("company"), r.ship_date <= bindparam("horizon", type_=Date),
        or_(and_(r.scope == "country", r.key == bindparam("country")),
            and_(r.scope == "sector", r.key == bindparam("sector")), and_(r.scope == "total", r.key == "*")))
        .group_by(r.scope, r.key))


def _scope_keys(country: str | None, sector: str | None) -> list[tuple[str, str]]:
    return [(scope, key) for scope, key in (("country", country), ("sector", sector), ("total", "*"))
            if key is not None]


def _released_upsert(dialect: str) -> Any:
    t: Any = ReleasedByDay.__table__
    stmt = upsert_insert(dialect)(t).values(company_id=bindparam("company"), scope=bindparam("scope"), key=bindparam("key"),
                            ship_date=bindparam("day", type_=Date), minor=bindparam("minor"))
    return stmt.on_conflict_do_update(index_elements=["company_id", "scope", "key", "ship_date"],
                                      set_={"minor": t.c.minor + stmt.excluded.minor})


def reserve(ctx: ServiceContext, changes: list[tuple[str | None, str | None, date, int]]) -> None:
    """Add what released orders reserve (negative: free) to `limits_released_by_day`: each change is
    (country, sector, ship date, minor units of the limit currency). Rows are written in key order, so
    concurrent writers never wait on each other in a circle. Call with every change of a released order."""
    merged: dict[tuple[str, str, date], int] = {}
    for country, sector, day, minor in changes:
        for scope, key in _scope_keys(country, sector):
            merged[(scope, key, day)] = merged.get((scope, key, day), 0) + int(minor)
    params = [{"company": ctx.company_id, "scope": scope, "key": key, "day": day, "minor": minor}
              for (scope, key, day), minor in sorted(merged.items()) if minor]
    if params:
        c = ctx.connection()
        c.execute(prebuilt("released_upsert." + c.dialect.name, lambda: _released_upsert(c.dialect.name)), params)


def settled_by_scope(ctx: ServiceContext, rates: Rates) -> tuple[dict[tuple[str, str], int],
                                                                   dict[tuple[str, str], tuple[int, tuple[str, ...]]]]:
    """Receivables and shipped-not-invoiced of the whole book by country, by sector and in total (minor
    units of the limit currency), in one pass over the open items and one over the shipped orders; and,
    per (scope, key), the open items left out because their currency has no rate (count, currencies)."""
    out: dict[tuple[str, str], int] = {}
    unrated: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}

    def add(country: str | None, sector: str | None, minor: int) -> None:
        for scope, key in (("country", country), ("sector", sector), ("total", "*")):
            if key is not None:
                out[(scope, key)] = out.get((scope, key), 0) + minor

    for country, sector, currency, minor, items in ledger.open_by_country_sector(ctx):
        try:
            add(country, sector, rates.minor(int(minor), currency).minor)
        except MissingRate:  # named in the check's answer (ScopeUse.unrated_*), not silently left out
            for scope, key in (("country", country), ("sector", sector), ("total", "*")):
                if key is not None:
                    n, currencies = unrated.get((scope, key), (0, ()))
                    unrated[(scope, key)] = (n + items, tuple(sorted({*currencies, currency})))
    shipped = ctx.session.execute(select(CreditOrder.customer_id, CreditOrder.amount_minor, CreditOrder.limit_minor,
                                         _invoiced_of_order())
                                  .where(CreditOrder.company_id == ctx.company_id, CreditOrder.status == "shipped")).all()
    where = {c.id: (c.country, c.sector) for c in ledger.customer_refs(ctx, ids={r[0] for r in shipped})}
    for cid, amount, limit_minor, inv in shipped:
        country, sector = where.get(cid, (None, None))
        add(country, sector, order_part(amount, limit_minor, inv))
    return out, unrated


def group_members(ctx: ServiceContext, parent_code: str, max_age_s: float) -> list[int]:
    """Ids of the buyers of a group (the parent and every buyer naming it), from a short-lived snapshot."""
    return list(caches.LIMITS_SNAPSHOTS.read((_db_key(ctx), ctx.company_id, "group", parent_code), max_age_s,
                                             lambda: _group_of(ctx, parent_code)))


def _group_of(ctx: ServiceContext, parent_code: str) -> list[int]:
    return list(ctx.session.scalars(ledger.customer_ids_select(ctx.company_id, group=parent_code)))


def scope_customers(ctx: ServiceContext, scope: str, key: str, exclude_id: int | None = None) -> Any:
    """A select of the ids of the buyers in a scope: a country, a sector, or the whole book ('total')."""
    if scope not in ("country", "sector", "total"):
        raise ValueError(scope)
    return ledger.customer_ids_select(ctx.company_id, country=key if scope == "country" else None,
                                      sector=key if scope == "sector" else None, exclude_id=exclude_id)


def decisions_of(ctx: ServiceContext, customer_id: int) -> list[LimitDecision]:
    q = prebuilt("decisions_of", lambda: (
        select(LimitDecisionRow.kind, LimitDecisionRow.status, LimitDecisionRow.amount_minor,
               LimitDecisionRow.currency, LimitDecisionRow.decided_on, LimitDecisionRow.effective_from,
               LimitDecisionRow.effective_to, LimitDecisionRow.review_on, LimitDecisionRow.requested_minor,
               LimitDecisionRow.cover_stopped, LimitDecisionRow.conditions, LimitDecisionRow.id)
        .where(LimitDecisionRow.company_id == bindparam("company"), LimitDecisionRow.customer_id == bindparam("cid"))
        .order_by(LimitDecisionRow.id)))
    return [decision_record(r) for r in ctx.connection().execute(q, {"company": ctx.company_id,
                                                                             "cid": customer_id})]


def decision_record(r: Any) -> LimitDecision:
    """A decision from a `LimitDecisionRow` or a plain row with its columns."""
    return _decision(r.kind, r.status, r.amount_minor, r.requested_minor, r.currency, r.decided_on, r.effective_from,
                     r.effective_to, r.review_on, r.cover_stopped, r.conditions, r.id)


def _decision(kind: str, status: str, amount_minor: int, requested_minor: int | None, currency: str,
              decided_on: date, effective_from: date, effective_to: date | None, review_on: date | None,
              cover_stopped: Any, conditions: str | None, seq: int) -> LimitDecision:
    return LimitDecision(
        kind=kind, status=status, amount=Money.from_minor(amount_minor, currency), decided_on=decided_on,
        effective_from=effective_from, effective_to=effective_to, review_on=review_on,
        requested=None if requested_minor is None else Money.from_minor(requested_minor, currency),
        cover_stopped=bool(cover_stopped), conditions=conditions, seq=seq)


def line_of(ctx: ServiceContext, customer_id: int, on: date, appetite: Appetite | None = None,
            decisions: list[LimitDecision] | None = None) -> CreditLine:
    """The credit line in force on `on` (`decisions`: the buyer's, when already read)."""
    appetite = appetite or get_appetite(ctx)
    found = decisions if decisions is not None else decisions_of(ctx, customer_id)
    return credit_line(found, on, appetite.cap("discretionary", "*"))


def buyer_exposure(ctx: ServiceContext, code: str, as_of: date) -> dict[str, Any]:
    """A buyer's exposure, limit in force and headroom (limit currency), with its group's."""
    policy = get_policy(ctx)
    customer = customer_by_code(ctx, code)
    rates = Rates(ctx, policy.currency, as_of)
    horizon_end = as_of + timedelta(days=policy.check.horizon_days)
    facts = exposure_facts(ctx, [customer.id], rates, horizon_end=horizon_end)
    line = line_of(ctx, customer.id, as_of)
    out: dict[str, Any] = {"customer": code, "as_of": as_of, "currency": policy.currency, **exposure_json(facts.exposure),
           "limit": _amount(line.amount), "limit_kind": line.source, "insured": _amount(line.insured),
           "cover_stopped": line.cover_stopped, "review_on": line.review_on,
           "available": _amount(None if line.amount is None else line.amount - facts.exposure.total),
           "disputed": str(facts.disputed.amount),
           "oldest_overdue_days": _oldest_days(ctx, customer.id, as_of, facts.oldest_due)}
    parent = group_parent(ctx, customer)
    if customer.parent_code:
        members = ledger.customer_ids_select(ctx.company_id, group=customer.parent_code)
        group = exposure_facts(ctx, members, rates, horizon_end=horizon_end).exposure
        out["group"] = {"parent": customer.parent_code, "exposure": str(group.total.amount),
                        "limit": _amount(line_of(ctx, parent.id, as_of).amount) if parent else None}
        from arguard.limits.service_groups import group_flag

        flag = group_flag(ctx, customer, as_of)
        out["group"]["member_limit_above_group"] = None if flag is None else {
            "limit": str(flag.member_limit.amount), "group_limit": str(flag.group_limit.amount),
            "excess": str(flag.excess.amount)}
    return out


def _oldest_days(ctx: ServiceContext, customer_id: int, as_of: date, oldest_due: date | None) -> int:
    from arguard.limits.service_overdue import oldest_material_overdue_days

    return oldest_material_overdue_days(ctx, customer_id, as_of, anything_overdue=oldest_due is not None)


def exposure_json(e: Exposure) -> dict[str, str]:
    return {"receivables": str(e.receivables.amount), "shipped": str(e.shipped.amount),
            "orders": str(e.orders.amount), "exposure": str(e.total.amount)}


def _amount(m: Money | None) -> str | None:
    return None if m is None else str(m.amount)
