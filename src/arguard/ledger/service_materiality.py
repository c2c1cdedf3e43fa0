"""Materiality in the ledger's service layer (rules 12–14): the company's tolerance, the material overdue
position of buyers, immaterial leftovers and their write-off in bulk.

The ledger is the one home of "material open amount as of a date": other capabilities ask
`ledger.interface.material_overdue` (oldest material overdue item per buyer) or, inside a query of the
ledger's own tables, `material_clause` (the same rule written in SQL). The rule itself is
`ledger.materiality.is_material`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, and_, bindparam, case, literal, or_, select

from arguard.core.errors import ArguardError, ValidationError
from arguard.core.money import Money
from arguard.ledger.materiality import (
    Leftover,
    Materiality,
    MaterialOverdue,
    Thresholds,
    default_materiality,
    is_material,
    thresholds,
)
from arguard.ledger.tables import Adjustment, Customer, DailySales, Invoice, LedgerSettings
from arguard.platform.context import ServiceContext
from arguard.platform.events import publish

_CHUNK = 500

# Statements read by every order check of a buyer with anything past due (limits rule 42): built once.
_SETTINGS = (select(LedgerSettings.materiality_minor, LedgerSettings.materiality_currency,
                    LedgerSettings.materiality_share_bp).where(LedgerSettings.company_id == bindparam("company")))
_OVERDUE = (select(Invoice.customer_id, Invoice.due_date, Invoice.currency, Invoice.open_minor, Invoice.amount_minor)
            .where(Invoice.company_id == bindparam("company"), Invoice.open_minor > 0,
                   Invoice.document_type == "invoice", Invoice.due_date < bindparam("as_of", type_=Date)))
_OVERDUE_OF = _OVERDUE.where(Invoice.customer_id.in_(bindparam("ids", expanding=True)))


def _base(ctx: ServiceContext) -> str:
    from arguard.ledger.service_views import base_currency

    return base_currency(ctx)


def get_materiality(ctx: ServiceContext) -> Materiality:
    """The company's tolerance (the defaults until a credit manager sets one)."""
    row = ctx.connection().execute(_SETTINGS, {"company": ctx.company_id}).first()
    if row is None:
        return default_materiality(_base(ctx))
    return Materiality(Money.from_minor(row.materiality_minor, row.materiality_currency),
                       Decimal(row.materiality_share_bp) / 10000)


def set_materiality(ctx: ServiceContext, amount: Decimal, share: Decimal, reason: str) -> Materiality:
    """Set the tolerance (amount in the base currency, share of the invoice 0…0.5); audited."""
    ctx.require("credit_manager")
    if not (reason or "").strip():
        raise ValidationError("say why the tolerance changes (a reason is required)", code="reason_required")
    if amount < 0 or not Decimal(0) <= share <= Decimal("0.5"):
        raise ValidationError("the amount is not negative and the share lies between 0 and 0.5",
                              code="invalid_materiality")
    before = get_materiality(ctx)
    new = Materiality(Money(amount, _base(ctx)), share.quantize(Decimal("0.0001")))
    row = ctx.session.scalar(select(LedgerSettings).where(LedgerSettings.company_id == ctx.company_id))
    if row is None:
        row = LedgerSettings(company_id=ctx.company_id)
        ctx.session.add(row)
    row.materiality_minor, row.materiality_currency = new.amount.minor, new.amount.currency
    row.materiality_share_bp, row.updated_by = int(new.share * 10000), ctx.actor
    ctx.session.flush()
    ctx.audit("ledger.materiality", "ledger_settings", None, reason=reason,
              before=_record(before), after=_record(new))
    return new


def _record(m: Materiality) -> dict[str, str]:
    return {"amount": str(m.amount.amount), "currency": m.amount.currency, "share": str(m.share)}


def materiality_thresholds(ctx: ServiceContext, as_of: date, currencies: Sequence[str] | None = None) -> Thresholds:
    """The tolerance in `currencies` (default: every currency the ledger's documents use, read from the
    per-day sales kept with them — a few thousand rows, not the documents), at the rates valid on `as_of`."""
    from arguard.ledger.service_views import fx_table

    m = get_materiality(ctx)
    base = m.amount.currency
    if currencies is None:
        currencies = ctx.session.scalars(select(DailySales.currency).where(
            DailySales.company_id == ctx.company_id).distinct()).all()
        fx = fx_table(ctx)
        rates: dict[str, Decimal | None] = {}
        for c in currencies:
            try:
                rates[c] = fx.rate(base, c, as_of)
            except ArguardError:
                rates[c] = None
        return thresholds(m, as_of, rates)
    # A few currencies (the order check: one buyer's): their newest rate each, not the whole rate table
    # (loading every stored rate was most of the check's CPU for a buyer with anything overdue).
    return thresholds(m, as_of, {c: None if c == base else _newest_rate(ctx, base, c, as_of) for c in currencies})


def _newest_rate(ctx: ServiceContext, base: str, quote: str, on: date) -> Decimal | None:
    """Units of `quote` per unit of `base` on `on` by the one FX rule (`newest_rate_select`); None: no rate."""
    from arguard.ledger.reads import newest_rate_select

    found = ctx.connection().execute(newest_rate_select(), {"company": ctx.company_id, "on": on, "currency": base,
                                                      "to": quote}).first()
    if found is None:
        return None
    rate = Decimal(found.rate)
    return rate if found.base == base else Decimal(1) / rate


def material_clause(t: Thresholds, open_col: Any, amount_col: Any, currency_col: Any) -> Any:
    """`is_material` as a SQL condition over a row's open amount, amount and currency (minor units)."""
    if t.minor:
        tolerance: Any = case(dict(t.minor), value=currency_col, else_=0)
    else:
        tolerance = literal(0)
    bp = int(t.share * 10000)
    return and_(open_col > 0, or_(open_col > tolerance, open_col * 10000 > amount_col * bp))


def material_overdue(ctx: ServiceContext, as_of: date, customer_ids: Sequence[int] | None = None,
                     t: Thresholds | None = None) -> dict[int, MaterialOverdue]:
    """Per buyer with anything open past due (all buyers, or the ids given): the oldest material overdue
    item, the material overdue amount per currency and how many immaterial leftovers it has. Open amounts
    are the ledger's current ones (the facts recorded up to now)."""
    conn = ctx.connection()  # plain rows, no ORM layer
    params = {"company": ctx.company_id, "as_of": as_of}
    if customer_ids is None:
        rows = list(conn.execute(_OVERDUE, params))
    else:
        ids = list(customer_ids)
        rows = [r for i in range(0, len(ids), _CHUNK)
                for r in conn.execute(_OVERDUE_OF, {**params, "ids": ids[i:i + _CHUNK]})]
    if not rows:
        return {}
    # A few buyers (the order check): the tolerance in their currencies only.
    t = t or materiality_thresholds(ctx, as_of, sorted({r[2] for r in rows}) if customer_ids is not None else None)
    oldest: dict[int, date | None] = {}
    amounts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    leftovers: dict[int, int] = defaultdict(int)
    for cid, due, currency, open_minor, amount_minor in rows:
        oldest.setdefault(cid, None)
        if is_material(int(open_minor), int(amount_minor), currency, t):
            amounts[cid][currency] += int(open_minor)
            known = oldest[cid]
            if known is None or due < known:
                oldest[cid] = due
        else:
            leftovers[cid] += 1
    return {cid: MaterialOverdue(o, dict(amounts.get(cid, {})), leftovers.get(cid, 0)) for cid, o in oldest.items()}


def leftovers(ctx: ServiceContext, as_of: date, customer_code: str | None = None,
              limit: int | None = None) -> list[Leftover]:
    """Immaterial open amounts of invoices past due on `as_of`, oldest first: what a credit manager may
    write off in bulk (they stay in aging and statements until then)."""
    t = materiality_thresholds(ctx, as_of)
    q = (select(Customer.code, Invoice.number, Invoice.due_date, Invoice.currency, Invoice.open_minor,
                Invoice.amount_minor).join(Customer, Customer.id == Invoice.customer_id)
         .where(Invoice.company_id == ctx.company_id, Invoice.document_type == "invoice", Invoice.open_minor > 0,
                Invoice.due_date < as_of, ~material_clause(t, Invoice.open_minor, Invoice.amount_minor,
                                                            Invoice.currency))
         .order_by(Invoice.due_date, Invoice.number))
    if customer_code:
        q = q.where(Customer.code == customer_code)
    if limit is not None:
        q = q.limit(limit)
    return [Leftover(code, number, due, Money.from_minor(int(o), cur), Money.from_minor(int(a), cur))
            for code, number, due, cur, o, a in ctx.session.execute(q)]


@dataclass(frozen=True)
class LeftoverWriteOff:
    """What a bulk write-off of leftovers did: the items written off and the sum per currency."""

    items: list[Leftover]
    totals: dict[str, Money]


def write_off_leftovers(ctx: ServiceContext, as_of: date, reason: str, customer_code: str | None = None,
                        numbers: Sequence[str] | None = None) -> LeftoverWriteOff:
    """Write off the immaterial leftovers past due on `as_of` (all, one buyer's, or the invoices named —
    each must still be an immaterial leftover): a credit manager's decision with a reason, booked as
    write-off adjustments dated `as_of`, audited once for the batch with every item."""
    ctx.require("credit_manager")
    if not (reason or "").strip():
        raise ValidationError("say why (a reason is required to write off)", code="reason_required")
    found = leftovers(ctx, as_of, customer_code)
    if numbers is not None:
        wanted = set(numbers)
        found = [lo for lo in found if lo.number in wanted]
        missing = wanted - {lo.number for lo in found}
        if missing:
            raise ValidationError(f"not an immaterial leftover past due: {', '.join(sorted(missing))}",
                                  code="not_a_leftover")
    rows = {inv.number: inv for i in range(0, len(found), _CHUNK) for inv in ctx.session.scalars(
        select(Invoice).where(Invoice.company_id == ctx.company_id, Invoice.document_type == "invoice",
                              Invoice.number.in_([lo.number for lo in found[i:i + _CHUNK]])).with_for_update())}
    totals: dict[str, Money] = {}
    done: list[Leftover] = []
    for lo in found:
        inv = rows.get(lo.number)
        if inv is None or inv.open_minor != lo.open.minor:
            continue  # changed meanwhile: left for the next run
        inv.open_minor = 0
        ctx.session.add(Adjustment(company_id=ctx.company_id, invoice_id=inv.id, kind="writeoff",
                                   amount_minor=lo.open.minor, currency=lo.open.currency, effective_on=as_of,
                                   reason=f"immaterial leftover: {reason}"))
        totals[lo.open.currency] = totals.get(lo.open.currency, Money.zero(lo.open.currency)) + lo.open
        done.append(lo)
    ctx.session.flush()
    if done:
        ctx.audit("ledger.leftovers_writeoff", "invoice", None, reason=reason,
                  after={"as_of": as_of.isoformat(), "count": len(done),
                         "totals": {c: str(m.amount) for c, m in sorted(totals.items())},
                         "items": [{"number": lo.number, "customer": lo.customer_code,
                                    "amount": str(lo.open.amount), "currency": lo.open.currency} for lo in done]})
        for code in sorted({lo.customer_code for lo in done}):
            publish(ctx, "ledger.writeoff", code, {"leftovers": True})
    return LeftoverWriteOff(done, totals)
