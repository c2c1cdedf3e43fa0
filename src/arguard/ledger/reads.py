"""What other capabilities read of the ledger: customers by code or id, open amounts grouped the ways
exposure needs them, and the query pieces a caller's fast path embeds (the order check reads a buyer's
open items in the same statement as its own facts). Exposed through `arguard.ledger.interface`; the
ledger's tables stay private to it. Every function is scoped to `ctx.company_id` (query pieces to the
`company` they are given)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, and_, bindparam, case, func, or_, select, true
from sqlalchemy.orm import aliased

from arguard.core.errors import NotFound
from arguard.ledger.tables import Customer, CustomerAccount, FxRateRow, Invoice
from arguard.platform.context import ServiceContext

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class CustomerRef:
    """A customer as other capabilities need it: its row id (to key their own rows), code, name, where it
    is (ISO 3166 country), its sector, usual currency and terms, and the code of its group parent."""

    id: int
    code: str
    name: str
    country: str
    sector: str | None
    currency: str | None
    terms_days: int | None
    parent_code: str | None


_REF_COLUMNS = (Customer.id, Customer.code, Customer.name, Customer.country, Customer.sector, Customer.currency,
                Customer.terms_days, Customer.parent_code)


def _ref(row: Any) -> CustomerRef:
    return CustomerRef(*row)


def find_customer(ctx: ServiceContext, code: str) -> CustomerRef | None:
    """The customer with this code, or None."""
    row = ctx.session.execute(select(*_REF_COLUMNS).where(Customer.company_id == ctx.company_id,
                                                          Customer.code == code)).first()
    return None if row is None else _ref(row)


def customer_ref(ctx: ServiceContext, code: str) -> CustomerRef:
    """The customer with this code; NotFound (`customer_not_found`) when there is none."""
    found = find_customer(ctx, code)
    if found is None:
        raise NotFound(f"no customer {code!r}", code="customer_not_found")
    return found


def customer_refs(ctx: ServiceContext, *, codes: Iterable[str] | None = None,
                  ids: Iterable[int] | None = None) -> list[CustomerRef]:
    """Customers by code or by id (every customer when neither is given), in id order."""
    q = select(*_REF_COLUMNS).where(Customer.company_id == ctx.company_id)
    if codes is None and ids is None:
        return [_ref(r) for r in ctx.session.execute(q.order_by(Customer.id))]
    out: list[CustomerRef] = []
    for column, values in ((Customer.code, codes), (Customer.id, ids)):
        wanted: Sequence[Any] = sorted(set(values)) if values is not None else ()
        for i in range(0, len(wanted), _CHUNK):
            out += [_ref(r) for r in ctx.session.execute(q.where(column.in_(wanted[i:i + _CHUNK])))]
    return sorted(out, key=lambda c: c.id)


def customer_ids(ctx: ServiceContext, codes: Iterable[str] | None = None) -> dict[str, int]:
    """Code → id of the customers named (every customer when `codes` is None); unknown codes are absent."""
    q = select(Customer.code, Customer.id).where(Customer.company_id == ctx.company_id)
    if codes is None:
        return dict(ctx.session.execute(q).all())
    wanted = sorted(set(codes))
    out: dict[str, int] = {}
    for i in range(0, len(wanted), _CHUNK):
        out.update(ctx.session.execute(q.where(Customer.code.in_(wanted[i:i + _CHUNK]))).all())
    return out


def customer_codes(ctx: ServiceContext, ids: Iterable[int] | None = None) -> dict[int, str]:
    """Id → code of the customers named (every customer when `ids` is None); unknown ids are absent."""
    q = select(Customer.id, Customer.code).where(Customer.company_id == ctx.company_id)
    if ids is None:
        return dict(ctx.session.execute(q).all())
    wanted = sorted(set(ids))
    out: dict[int, str] = {}
    for i in range(0, len(wanted), _CHUNK):
        out.update(ctx.session.execute(q.where(Customer.id.in_(wanted[i:i + _CHUNK]))).all())
    return out


def customer_id_select(company: Any, code: Any) -> Any:
    """Query piece: the id of the customer `code` of company `company` (values or bind parameters), as a
    scalar subquery."""
    return select(Customer.id).where(Customer.company_id == company, Customer.code == code).scalar_subquery()


def customer_ids_select(company: Any, *, country: str | None = None, sector: str | None = None,
                        group: str | None = None, exclude_id: int | None = None) -> Any:
    """Query piece: the ids of the customers of `company` in a country, a sector, or a group (the parent
    `group` and every customer naming it as parent); all customers when nothing is named."""
    q = select(Customer.id).where(Customer.company_id == company)
    if country is not None:
        q = q.where(Customer.country == country)
    if sector is not None:
        q = q.where(Customer.sector == sector)
    if group is not None:
        q = q.where(or_(Customer.parent_code == group, Customer.code == group))
    if exclude_id is not None:
        q = q.where(Customer.id != exclude_id)
    return q


def open_by_customer(ctx: ServiceContext, ids: Iterable[int] | None = None) -> list[tuple[int, str, int]]:
    """(customer id, currency, open minor units) of every customer with something open, as of now; of the
    customers `ids` only when given (IN lists of at most `_CHUNK`)."""
    q = (select(Invoice.customer_id, Invoice.currency, func.sum(Invoice.open_minor))
         .where(Invoice.company_id == ctx.company_id, Invoice.open_minor != 0)
         .group_by(Invoice.customer_id, Invoice.currency))
    if ids is None:
        return [(int(c), cur, int(m)) for c, cur, m in ctx.session.execute(q)]
    wanted = sorted(set(ids))
    out: list[tuple[int, str, int]] = []
    for i in range(0, len(wanted), _CHUNK):
        out += [(int(c), cur, int(m)) for c, cur, m in
                ctx.session.execute(q.where(Invoice.customer_id.in_(wanted[i:i + _CHUNK])))]
    return out


def open_by_country_sector(ctx: ServiceContext) -> list[tuple[str | None, str | None, str, int, int]]:
    """(country, sector, currency, open minor units, number of open items) over every customer, as of now."""
    q = (select(Customer.country, Customer.sector, Invoice.currency, func.sum(Invoice.open_minor), func.count())
         .join(Customer, Customer.id == Invoice.customer_id)
         .where(Invoice.company_id == ctx.company_id, Invoice.open_minor != 0)
         .group_by(Customer.country, Customer.sector, Invoice.currency))
    return [(country, sector, cur, int(m), int(n)) for country, sector, cur, m, n in ctx.session.execute(q)]


def open_summary_select(company: Any, customers: Any, as_of: Any, name: str = "i") -> Any:
    """Query piece: per currency, the open amount, the oldest due date overdue on `as_of` and the
    disputed part of the customers `customers` (a customer id or bind parameter; a select of ids or an
    expanding bind parameter). Columns: currency, open_minor, oldest_due, disputed_minor. `name` is the
    table's alias in the SQL (a hot path keeps its statement short)."""
    inv = aliased(Invoice, name=name)
    many = isinstance(customers, Select) or getattr(customers, "expanding", False)
    who = inv.customer_id.in_(customers) if many else inv.customer_id == customers
    return (select(inv.currency.label("currency"), func.sum(inv.open_minor).label("open_minor"),
                   func.min(case((and_(inv.open_minor > 0, inv.due_date < as_of), inv.due_date))).label("oldest_due"),
                   func.sum(case((inv.disputed == true(), inv.open_minor), else_=0)).label("disputed_minor"))
            .where(inv.company_id == company, who, inv.open_minor != 0).group_by(inv.currency))


def invoiced_against_order(company: Any, customer_id: Any, order_number: Any, currency: Any,
                           name: str = "x") -> Any:
    """Query piece: what was invoiced against an order (its number on the customer's invoices, in the
    order's currency), as a scalar subquery correlated on the caller's columns."""
    inv = aliased(Invoice, name=name)
    return (select(func.coalesce(func.sum(inv.amount_minor), 0))
            .where(inv.company_id == company, inv.customer_id == customer_id, inv.order_number == order_number,
                   inv.currency == currency).scalar_subquery())


def newest_rate_select() -> Any:
    """Query piece, the one FX rule: the newest stored rate on or before :on between :currency and :to,
    quoted either way (base :currency → quote :to, or the inverse), for company :company. Columns: base,
    rate (units of quote per unit of base); on one date a direct quote wins over an inverse one. Without a
    row the rate is missing (`MissingRate`). The same rule as `arguard.core.money.FxTable.rate`."""
    return (select(FxRateRow.base, FxRateRow.rate).where(
        FxRateRow.company_id == bindparam("company"), FxRateRow.valid_on <= bindparam("on", type_=Date),
        or_(and_(FxRateRow.base == bindparam("currency"), FxRateRow.quote == bindparam("to")),
            and_(FxRateRow.base == bindparam("to"), FxRateRow.quote == bindparam("currency"))))
        .order_by(FxRateRow.valid_on.desc(), case((FxRateRow.base == bindparam("currency"), 0), else_=1))
        .limit(1))


def add_customer_account(ctx: ServiceContext, code: str, account: str) -> bool:
    """Record that customer `code` pays from bank account `account` (IBAN or other number); False when
    it was known already. Audited as a customer update."""
    from arguard.ledger.service import customer_ibans, customer_record, get_customer, upsert_customer

    customer = get_customer(ctx, code)
    ibans = customer_ibans(ctx, customer.id)
    if account in ibans:
        return False
    upsert_customer(ctx, customer_record(customer, [*ibans, account]))
    return True


@dataclass(frozen=True, slots=True)
class PayableInvoice:
    """An invoice with money open now, as a bank payment may settle it: number, customer code, currency,
    open and original amounts (minor units), due and issue dates, the payment reference printed on it and
    the buyer's order number."""

    number: str
    customer_code: str
    currency: str
    open_minor: int
    amount_minor: int
    due_date: date
    issue_date: date
    payment_reference: str | None
    order_number: str | None


def payable_invoices(ctx: ServiceContext) -> list[PayableInvoice]:
    """Every invoice with money open now (credit notes left out: allocations are positive), one query."""
    q = (select(Invoice.number, Customer.code, Invoice.currency, Invoice.open_minor, Invoice.amount_minor,
                Invoice.due_date, Invoice.issue_date, Invoice.payment_reference, Invoice.order_number)
         .join(Customer, Customer.id == Invoice.customer_id)
         .where(Invoice.company_id == ctx.company_id, Invoice.open_minor > 0, Invoice.document_type == "invoice"))
    return [PayableInvoice(*row) for row in ctx.session.execute(q)]


def open_credit_notes(ctx: ServiceContext) -> list[PayableInvoice]:
    """Every credit note with credit left now (a negative `open_minor`: the credit still to be applied),
    one query; a buyer may deduct it from what it pays (`service_credits.apply_credit_note` applies it)."""
    q = (select(Invoice.number, Customer.code, Invoice.currency, Invoice.open_minor, Invoice.amount_minor,
                Invoice.due_date, Invoice.issue_date, Invoice.payment_reference, Invoice.order_number)
         .join(Customer, Customer.id == Invoice.customer_id)
         .where(Invoice.company_id == ctx.company_id, Invoice.open_minor < 0,
                Invoice.document_type == "credit_note"))
    return [PayableInvoice(*row) for row in ctx.session.execute(q)]


def payers(ctx: ServiceContext) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """(code, name, bank accounts it pays from, other names it is known under) of every customer."""
    accounts: dict[int, list[str]] = {}
    for cid, iban in ctx.session.execute(select(CustomerAccount.customer_id, CustomerAccount.iban)
                                         .where(CustomerAccount.company_id == ctx.company_id)):
        accounts.setdefault(cid, []).append(iban)
    rows = ctx.session.execute(select(Customer.id, Customer.code, Customer.name, Customer.aliases)
                               .where(Customer.company_id == ctx.company_id))
    return [(code, name, tuple(accounts.get(cid, ())), tuple(aliases or ())) for cid, code, name, aliases in rows]
