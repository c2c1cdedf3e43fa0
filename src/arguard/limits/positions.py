"""Credit positions of many buyers on a date (limit in force, shipped-not-invoiced and released orders),
for monitoring's snapshots. Reached through `arguard.limits.interface.credit_positions`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from arguard.core.errors import ArguardError
from arguard.core.money import Money
from arguard.ledger import interface as ledger
from arguard.limits.exposure import credit_line
from arguard.limits.model import CreditPosition, LimitDecision
from arguard.limits.service_base import LIVE, Rates, decision_record, exposure_facts, get_appetite, get_policy
from arguard.limits.service_reports import exposure_report
from arguard.limits.tables import CreditOrder, LimitDecisionRow
from arguard.platform.context import ServiceContext

_CHUNK = 900


def credit_positions(ctx: ServiceContext, customer_ids: Sequence[int], as_of: date, *, whole_book: bool = False,
                     ) -> dict[int, CreditPosition]:
    """Customer id → its credit position on `as_of`, for the buyers named that have a limit or live
    orders. whole_book: one pass over the book (`exposure_report`), kept to the buyers named; else their
    decisions and, for those with live orders, their exposure one by one."""
    if whole_book:
        return _from_report(ctx, customer_ids, as_of)
    decisions: dict[int, list[LimitDecision]] = defaultdict(list)
    with_orders: set[int] = set()
    ids = sorted(set(customer_ids))
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        for r in ctx.session.scalars(select(LimitDecisionRow).where(
                LimitDecisionRow.company_id == ctx.company_id, LimitDecisionRow.customer_id.in_(chunk))
                .order_by(LimitDecisionRow.id)):
            decisions[r.customer_id].append(decision_record(r))
        with_orders |= set(ctx.session.scalars(select(CreditOrder.customer_id).where(
            CreditOrder.company_id == ctx.company_id, CreditOrder.status.in_(LIVE),
            CreditOrder.customer_id.in_(chunk)).distinct()))
    policy = get_policy(ctx)
    cap = get_appetite(ctx).cap("discretionary", "*")
    rates = Rates(ctx, policy.currency, as_of)
    horizon_end = as_of + timedelta(days=policy.check.horizon_days)
    codes = ledger.customer_codes(ctx, set(decisions) | with_orders)
    out: dict[int, CreditPosition] = {}
    for cid, code in codes.items():
        limit = credit_line(decisions.get(cid, []), as_of, cap).amount
        shipped = orders = None
        if cid in with_orders:
            try:
                parts = exposure_facts(ctx, [cid], rates, horizon_end=horizon_end).exposure
                shipped, orders = parts.shipped, parts.orders
            except ArguardError:  # a rate is missing: the caller's converter names it
                shipped = orders = None
        if limit is not None or (shipped and shipped.amount) or (orders and orders.amount):
            out[cid] = CreditPosition(code, limit, shipped, orders)
    return out


def _from_report(ctx: ServiceContext, customer_ids: Sequence[int], as_of: date) -> dict[int, CreditPosition]:
    ids = ledger.customer_ids(ctx)
    wanted = set(customer_ids)
    rows, _ = exposure_report(ctx, as_of, limit=10**9)
    out = {}
    for r in rows:
        cid = ids.get(r["customer"])
        if cid is None or cid not in wanted:
            continue
        out[cid] = CreditPosition(r["customer"], _money(r["limit"], r["currency"]), _money(r["shipped"], r["currency"]),
                                  _money(r["orders"], r["currency"]))
    return out


def _money(text: str | None, currency: str) -> Money | None:
    return None if text in (None, "") else Money(Decimal(str(text)), currency)
