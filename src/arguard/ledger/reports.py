"""Report queries of the ledger service (aging, DSO, open items as of a date). Service layer: queries here.

How a million open items are aged in well under a second: the database does the summing. The bucket
rule lives once in `metrics.bucket_due_ranges(as_of)`, which turns it into due-date bounds; this module
writes them as one `CASE` inside a `GROUP BY customer, currency, bucket`, so only a few rows per
customer leave the database (no million Python objects). Both SQLite and PostgreSQL compare dates
natively, and the sums stay integer minor units (exact).

As of a past date, open amounts are reconstructed from the facts: open_minor (today's projection) plus
the allocations and adjustments dated after as_of, for documents issued on or before as_of. When no fact
is dated after as_of (the usual "as of today"), the projection is used directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.sql import Subquery

from arguard.core.money import Money
from arguard.ledger import metrics
from arguard.ledger.model import BUCKET_NAMES, AgingRow, DsoFigures, OpenItem
from arguard.ledger.tables import Adjustment, Allocation, Customer, DailySales, Invoice, Payment
from arguard.platform.context import ServiceContext


@dataclass(slots=True)
class AgingScan:
    """What one aging pass returns, in minor units. rows: (customer id, currency, the seven buckets…, open
    items) per customer and currency, as the database sent them; unapplied: cash per (customer id,
    currency); opening: open AR per currency on the `opening_at` date asked for (else empty)."""

    rows: list[tuple[Any, ...]]
    unapplied: dict[tuple[int, str], int]
    opening: dict[str, int]


def _has_facts_after(ctx: ServiceContext, as_of: date) -> bool:
    c = ctx.company_id
    # Invoices issued after as_of are filtered by every query itself (they are scanned anyway), so only
    # the dated facts that change open amounts matter here; each has a (company_id, date) index.
    q = select(or_(
        exists().where(Allocation.company_id == c, Allocation.allocated_on > as_of),
        exists().where(Adjustment.company_id == c, Adjustment.effective_on > as_of),
        exists().where(Payment.company_id == c, Payment.received_on > as_of)))
    return bool(ctx.session.scalar(q))


def _later(ctx: ServiceContext, as_of: date, table: type[Allocation | Adjustment], key: str) -> Subquery:
    """Per invoice (or payment) sum of the facts dated after as_of."""
    on = table.allocated_on if table is Allocation else table.effective_on  # type: ignore[union-attr]
    col = getattr(table, key)
    return (select(col.label("ref"), func.sum(table.amount_minor).label("m"))
            .where(table.company_id == ctx.company_id, on > as_of).group_by(col).subquery())


def open_at_expr(ctx: ServiceContext, as_of: date, reconstruct: bool) -> tuple[Any, Select[Any]]:
    """(open-as-of expression, base select over invoices issued on or before as_of)."""
    base = select().select_from(Invoice).where(Invoice.company_id == ctx.company_id, Invoice.issue_date <= as_of)
    if not reconstruct:
        return Invoice.open_minor, base.where(Invoice.open_minor != 0)
    alloc, adj = _later(ctx, as_of, Allocation, "invoice_id"), _later(ctx, as_of, Adjustment, "invoice_id")
    expr = Invoice.open_minor + func.coalesce(alloc.c.m, 0) + func.coalesce(adj.c.m, 0)
    base = base.outerjoin(alloc, alloc.c.ref == Invoice.id).outerjoin(adj, adj.c.ref == Invoice.id)
    return expr, base


def bucket_sums(as_of: date, amount: ColumnElement[int]) -> list[ColumnElement[int]]:
    """Cumulative sums, one per bucket boundary of `metrics` (the rule): SUM(amount WHERE due_date ≥ the
    bucket's earliest due date, or a credit), newest bucket first, the last one the plain total. One
    comparison per boundary and row; `aging_sums` subtracts neighbours to get the seven buckets. A credit
    note (negative amount) is counted at every boundary, so it lands in `current`: credits never make
    an overdue bucket negative (rule 15)."""
    cols = [func.sum(case((or_(Invoice.due_date >= earliest, Invoice.amount_minor < 0), amount), else_=0))
            for earliest, _ in metrics.bucket_due_ranges(as_of) if earliest is not None]
    return [*cols, func.sum(amount)]


Customers = int | Sequence[int] | None
"""One customer id, some (a page of a work list), or None for every customer."""


def _of(column: Any, customers: Customers) -> Any:
    return column == customers if isinstance(customers, int) else column.in_(list(customers or ()))


def aging_sums(ctx: ServiceContext, as_of: date, customer_id: Customers = None,
               opening_at: date | None = None) -> AgingScan:
    """Bucket sums per (customer, currency) in one pass: the inner GROUP BY customer, currency follows the
    covering index `ix_invoices_aging`, so the database streams a million rows without sorting them; the
    outer query turns the cumulative sums into buckets.

    opening_at: also sum, per currency, what was open on that date (DSO's opening AR) in the same pass;
    returned beside the rows."""
    reconstruct = _has_facts_after(ctx, as_of)
    open_at, base = open_at_expr(ctx, as_of, reconstruct)
    extra: list[Any] = []
    if opening_at is not None:
        open_start: Any = Invoice.open_minor
        if _has_facts_after(ctx, opening_at):
            # Documents settled since then count at what was open then: every row is read, closed ones too.
            if not reconstruct:  # the base filtered on open_minor != 0: start again without it
                base = select().select_from(Invoice).where(Invoice.company_id == ctx.company_id,
                                                           Invoice.issue_date <= as_of)
            a0, j0 = _later(ctx, opening_at, Allocation, "invoice_id"), _later(ctx, opening_at, Adjustment, "invoice_id")
            base = base.outerjoin(a0, a0.c.ref == Invoice.id).outerjoin(j0, j0.c.ref == Invoice.id)
            open_start = open_start + func.coalesce(a0.c.m, 0) + func.coalesce(j0.c.m, 0)
        extra = [func.sum(case((Invoice.issue_date <= opening_at, open_start), else_=0)).label("opening")]
    if customer_id is not None:
        base = base.where(_of(Invoice.customer_id, customer_id))
    cumulative = bucket_sums(as_of, open_at)
    inner = (base.add_columns(Invoice.customer_id.label("cid"), Invoice.currency.label("cur"),
                              *[c.label(f"s{k}") for k, c in enumerate(cumulative)],
                              func.sum(case((open_at != 0, 1), else_=0)).label("n"), *extra)
             .group_by(Invoice.customer_id, Invoice.currency).subquery())
    col = [inner.c[f"s{k}"] for k in range(len(cumulative))]
    buckets = [col[0], *[b - a for a, b in pairwise(col)]]
    # CAST: PostgreSQL's SUM(bigint) is numeric; integers come back as Python ints on both databases.
    q = select(inner.c.cid, inner.c.cur, *[cast(b, BigInteger) for b in buckets], cast(inner.c.n, BigInteger),
               *([cast(inner.c.opening, BigInteger)] if extra else []))
    width = len(BUCKET_NAMES)
    # Core execution (no ORM row processing): 40,000 plain rows.
    rows = [tuple(r) for r in ctx.session.connection().execute(q)]
    opening: dict[str, int] = {}
    if extra:
        for r in rows:
            opening[r[1]] = opening.get(r[1], 0) + r[3 + width]
        rows = [r[:3 + width] for r in rows]
    # A row whose documents were all settled by as_of (reconstructed) is no aging row.
    rows = [r for r in rows if r[2 + width] or any(r[2:2 + width])]
    unapplied = {(cid, cur): cash for cid, cur, cash in unapplied_sums(ctx, as_of, reconstruct, customer_id)}
    return AgingScan(rows, unapplied, opening)


def unapplied_sums(ctx: ServiceContext, as_of: date, reconstruct: bool,
                   customer_id: Customers = None) -> list[tuple[int, str, int]]:
    """Unapplied cash per (customer id, currency) as of a date; payments of unknown payers are left out."""
    q = select(Payment.customer_id, Payment.currency).where(Payment.company_id == ctx.company_id,
                                                             Payment.customer_id.is_not(None))
    if reconstruct:
        later = _later(ctx, as_of, Allocation, "payment_id")
        expr: Any = Payment.unapplied_minor + func.coalesce(later.c.m, 0)
        q = q.outerjoin(later, later.c.ref == Payment.id).where(Payment.received_on <= as_of)
    else:
        expr = Payment.unapplied_minor
        q = q.where(Payment.unapplied_minor != 0)
    if customer_id is not None:
        q = q.where(_of(Payment.customer_id, customer_id))
    rows: Any = ctx.session.execute(q.add_columns(func.sum(expr)).group_by(Payment.customer_id, Payment.currency))
    return [(int(cid), str(cur), int(m)) for cid, cur, m in rows if m]


def customer_codes(ctx: ServiceContext, ids: Sequence[int] | None = None) -> dict[int, str]:
    q = select(Customer.id, Customer.code).where(Customer.company_id == ctx.company_id)
    if ids is not None and len(ids) < 500:
        q = q.where(Customer.id.in_(list(ids)))
    return {int(i): c for i, c in ctx.session.connection().execute(q)}


def aging_rows(ctx: ServiceContext, as_of: date, customer_id: int | None = None) -> list[AgingRow]:
    return aging_rows_and_totals(ctx, as_of, customer_id)[0]


def aging_rows_and_totals(ctx: ServiceContext, as_of: date,
                          customer_id: Customers = None) -> tuple[list[AgingRow], list[AgingRow]]:
    """Rows per customer and currency (sorted by code and currency) and the totals per currency."""
    return rows_and_totals(ctx, aging_sums(ctx, as_of, customer_id))


def rows_and_totals(ctx: ServiceContext, scan: AgingScan) -> tuple[list[AgingRow], list[AgingRow]]:
    """AgingRows per customer and currency (sorted by code, currency) and the total rows per currency."""
    width = len(BUCKET_NAMES)
    cash = dict(scan.unapplied)
    ids = {r[0] for r in scan.rows} | {cid for cid, _ in cash}
    codes = customer_codes(ctx, sorted(ids))
    rows = [AgingRow(codes[r[0]], r[1], r[2:2 + width], cash.pop((r[0], r[1]), 0), r[2 + width]) for r in scan.rows]
    rows += [AgingRow(codes[cid], cur, (0,) * width, m, 0) for (cid, cur), m in cash.items()]
    rows.sort(key=attrgetter("customer_code", "currency"))
    per_currency: dict[str, list[AgingRow]] = {}
    for row in rows:
        per_currency.setdefault(row.currency, []).append(row)
    totals = [AgingRow(None, cur, tuple(sum(c) for c in zip(*(r.bucket_minor for r in group), strict=True)),
                       sum(r.unapplied_minor for r in group), sum(r.items for r in group))
              for cur, group in sorted(per_currency.items())]
    return rows, totals


def _as_date(v: date | str) -> date:
    return v if isinstance(v, date) else date.fromisoformat(v)


def dso_figures(ctx: ServiceContext, as_of: date, period_days: int, customer_id: int | None = None,
                customer_code: str | None = None, months: int = 12) -> list[DsoFigures]:
    """DSO, count-back DSO, BPDSO, ADD and CEI per currency (of one customer when given): one pass over
    the covering index sums the closing AR, its current part and the opening AR (open as of the period
    start, reconstructed) per currency; the period's and each count-back month's credit sales come from
    the per-day sales table (a customer's from its own documents); `metrics` divides."""
    start = as_of - timedelta(days=period_days)
    q = select().select_from(Invoice).where(Invoice.company_id == ctx.company_id, Invoice.issue_date <= as_of)
    open_end: Any = Invoice.open_minor
    if _has_facts_after(ctx, as_of):
        a1, j1 = _later(ctx, as_of, Allocation, "invoice_id"), _later(ctx, as_of, Adjustment, "invoice_id")
        q = q.outerjoin(a1, a1.c.ref == Invoice.id).outerjoin(j1, j1.c.ref == Invoice.id)
        open_end = open_end + func.coalesce(a1.c.m, 0) + func.coalesce(j1.c.m, 0)
    open_start: Any = Invoice.open_minor
    if _has_facts_after(ctx, start):
        a0, j0 = _later(ctx, start, Allocation, "invoice_id"), _later(ctx, start, Adjustment, "invoice_id")
        q = q.outerjoin(a0, a0.c.ref == Invoice.id).outerjoin(j0, j0.c.ref == Invoice.id)
        open_start = open_start + func.coalesce(a0.c.m, 0) + func.coalesce(j0.c.m, 0)
    if customer_id is not None:
        q = q.where(Invoice.customer_id == customer_id)
    # Balances: the inner GROUP BY (customer, currency) streams over the covering index without a sort;
    # the outer one adds the customers up in the database, so two rows reach Python.
    inner = (q.add_columns(Invoice.currency.label("cur"), func.sum(open_end).label("closing"),
                           func.sum(case((or_(Invoice.due_date >= as_of, Invoice.amount_minor < 0), open_end),
                                         else_=0)).label("current"),
                           func.sum(case((Invoice.issue_date <= start, open_start), else_=0)).label("opening"))
             .group_by(Invoice.customer_id, Invoice.currency).subquery())
    balances = select(inner.c.cur, func.sum(inner.c.closing), func.sum(inner.c.current),
                      func.sum(inner.c.opening)).group_by(inner.c.cur)
    return figures_of_balances(ctx, as_of, period_days, _column_sums(ctx, balances), customer_id, customer_code,
                               months)


def figures_of_balances(ctx: ServiceContext, as_of: date, period_days: int, balances: dict[str, list[int]],
                        customer_id: int | None = None, customer_code: str | None = None,
                        months: int = 12) -> list[DsoFigures]:
    """DSO figures per currency from {currency: [closing AR, closing current AR, opening AR]} and the
    credit sales of the period and of each count-back month."""
    start = as_of - timedelta(days=period_days)
    windows = metrics.count_back_windows(as_of, months)
    # Sales issued after each boundary; a window's sales are the difference of its two boundaries' sums.
    bounds = sorted({start, *(lo for lo, _ in windows), *(hi for _, hi in windows)} - {as_of})
    acc = {cur: list(v) + [0] * len(bounds) for cur, v in balances.items()}
    if customer_id is None:
        # The whole company: credit sales per day are kept with the documents (no scan for sales).
        per_currency = sales_after(ctx, bounds, as_of)
    else:
        sales_q = (select(Invoice.currency,
                          *[func.sum(case((Invoice.issue_date > b, Invoice.amount_minor), else_=0)) for b in bounds])
                   .where(Invoice.company_id == ctx.company_id, Invoice.customer_id == customer_id,
                          Invoice.issue_date <= as_of, Invoice.issue_date > bounds[0])
                   .group_by(Invoice.currency))
        per_currency = _column_sums(ctx, sales_q)
    for cur, v in per_currency.items():
        acc.setdefault(cur, [0, 0, 0] + [0] * len(bounds))[3:] = v
    out = []
    for cur, (closing, current, opening, *after) in sorted(acc.items()):
        issued_after = dict(zip(bounds, after, strict=True))
        issued_after[as_of] = 0

        def sales(lo: date, hi: date, after_of: dict[date, int] = issued_after) -> int:
            return after_of[lo] - after_of[hi]

        monthly = tuple(((hi - lo).days, sales(lo, hi)) for lo, hi in windows)
        period_sales = sales(start, as_of)
        if not (closing or opening or period_sales or any(m for _, m in monthly)):
            continue
        inp = metrics.CollectionInputs(cur, closing, current, opening, period_sales, monthly, customer_code)
        out.append(metrics.dso_figures(inp, as_of, period_days))
    return out


def _column_sums(ctx: ServiceContext, q: Any) -> dict[str, list[int]]:
    """Run a query of (currency, sums…) rows and add the rows up per currency, column by column."""
    per_currency: dict[str, list[tuple[int, ...]]] = {}
    for row in ctx.session.execute(q):  # a Row is a tuple (Result.tuples() is deprecated in SQLAlchemy 2.1)
        per_currency.setdefault(row[0], []).append(row[1:])
    return {cur: [int(sum(v or 0 for v in col)) for col in zip(*rows, strict=True)]
            for cur, rows in per_currency.items()}


def open_items_as_of(ctx: ServiceContext, as_of: date | None, customer_id: int | None = None,
                     limit: int | None = None) -> list[OpenItem]:
    """Open documents as of a date (today's projection when as_of is None), oldest due first."""
    reconstruct = as_of is not None and _has_facts_after(ctx, as_of)
    open_at, base = open_at_expr(ctx, as_of or date.max, reconstruct)
    q = base.add_columns(Invoice, Customer.code, open_at.label("open_at")).join(
        Customer, Customer.id == Invoice.customer_id)
    if reconstruct:
        q = q.where(open_at != 0)
    if customer_id is not None:
        q = q.where(Invoice.customer_id == customer_id)
    q = q.order_by(Invoice.due_date, Invoice.number)
    if limit:
        q = q.limit(limit)
    return [OpenItem(number=i.number, customer_code=code, document_type=i.document_type, issue_date=i.issue_date,
                     due_date=i.due_date, amount=Money.from_minor(i.amount_minor, i.currency),
                     open=Money.from_minor(int(m), i.currency))
            for i, code, m in ctx.session.execute(q)]


NEVER_DUE = date(9999, 12, 31)


def credit_due() -> Any:
    """A document's due date for the current / overdue split: a credit note's is never reached (rule 15)."""
    return case((Invoice.amount_minor < 0, literal(NEVER_DUE, Date)), else_=Invoice.due_date)


def dso_series(ctx: ServiceContext, dates: Sequence[date], period_days: int, customer_id: int | None = None,
               customer_code: str | None = None, months: int = 12) -> list[list[DsoFigures]]:
    """`dso_figures` at several dates from two grouped scans instead of two per date: the documents
    grouped by (currency, issue date, due date) with their amounts and today's open amounts, and the
    allocations and adjustments dated after the earliest date needed, grouped by (currency, document's
    issue and due dates, date). `metrics.collection_inputs_at` reconstructs each date from the columns."""
    if not dates:
        return []
    earliest = min(dates) - timedelta(days=period_days)
    c = ctx.company_id
    due_col = credit_due()
    docs_q = (select(Invoice.currency, Invoice.issue_date, due_col, func.sum(Invoice.amount_minor),
                     func.sum(Invoice.open_minor))
              .where(Invoice.company_id == c, Invoice.issue_date <= max(dates))
              .group_by(Invoice.currency, Invoice.issue_date, due_col))
    if customer_id is not None:
        docs_q = docs_q.where(Invoice.customer_id == customer_id)
    docs: dict[str, list[tuple[int, int, int, int]]] = {}
    for cur, issued, due, amount, open_now in ctx.session.execute(docs_q):
        docs.setdefault(cur, []).append((_as_date(issued).toordinal(), _as_date(due).toordinal(), int(amount),
                                         int(open_now)))
    later: dict[str, list[tuple[int, int, int, int]]] = {}
    for table, on in ((Allocation, Allocation.allocated_on), (Adjustment, Adjustment.effective_on)):
        q = (select(Invoice.currency, Invoice.issue_date, due_col, on, func.sum(table.amount_minor))
             .join(Invoice, Invoice.id == table.invoice_id)
             .where(table.company_id == c, on > earliest, Invoice.company_id == c)
             .group_by(Invoice.currency, Invoice.issue_date, due_col, on))
        if customer_id is not None:
            q = q.where(Invoice.customer_id == customer_id)
        for cur, issued, due, d, m in ctx.session.execute(q):
            later.setdefault(cur, []).append((_as_date(issued).toordinal(), _as_date(due).toordinal(),
                                              _as_date(d).toordinal(), int(m)))
    columns = {cur: (_columns(rows, metrics.DocumentColumns), _columns(later.get(cur, []), metrics.SettlementColumns))
               for cur, rows in sorted(docs.items())}
    out = []
    for as_of in dates:
        figures = []
        for cur, (d, s) in columns.items():
            inp = metrics.collection_inputs_at(cur, d, s, as_of, period_days, months, customer_code)
            if inp is not None:
                figures.append(metrics.dso_figures(inp, as_of, period_days))
        out.append(figures)
    return out


def _columns(rows: Sequence[tuple[int, int, int, int]], kind: Any) -> Any:
    import numpy as np

    arr = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return kind(*(arr[:, k].copy() for k in range(4)))


# ---------------------------------------------------------------- credit sales per day (kept with the documents)

_ADD_SALES = text(
    "INSERT INTO ledger_daily_sales (company_id, currency, issue_date, amount_minor, documents) "
    "VALUES (:c, :currency, :day, :amount, :n) ON CONFLICT (company_id, currency, issue_date) DO UPDATE SET "
    "amount_minor = ledger_daily_sales.amount_minor + excluded.amount_minor, "
    "documents = ledger_daily_sales.documents + excluded.documents")


def add_daily_sales(ctx: ServiceContext, sums: dict[tuple[str, date], list[int]]) -> None:
    """Add documents just inserted to the per-day credit sales: {(currency, issue date): [minor, count]}."""
    if sums:
        ctx.session.execute(_ADD_SALES, [{"c": ctx.company_id, "currency": cur, "day": day, "amount": v[0],
                                          "n": v[1]} for (cur, day), v in sums.items()])


def add_daily_sales_of_batch(ctx: ServiceContext, batch_id: int) -> None:
    """The same for every document of an import batch, summed by the database."""
    q = (select(Invoice.currency, Invoice.issue_date, func.sum(Invoice.amount_minor), func.count())
         .where(Invoice.company_id == ctx.company_id, Invoice.batch_id == batch_id)
         .group_by(Invoice.currency, Invoice.issue_date))
    add_daily_sales(ctx, {(cur, _as_date(day)): [int(m), int(n)] for cur, day, m, n in ctx.session.execute(q)})


def daily_sales_differences(ctx: ServiceContext) -> list[str]:
    """Days whose kept credit sales differ from the documents (for `verify_projections`)."""
    c = ctx.company_id
    docs = {(cur, _as_date(d)): (int(m), int(n)) for cur, d, m, n in ctx.session.execute(
        select(Invoice.currency, Invoice.issue_date, func.sum(Invoice.amount_minor), func.count())
        .where(Invoice.company_id == c).group_by(Invoice.currency, Invoice.issue_date))}
    kept = {(cur, _as_date(d)): (int(m), int(n)) for cur, d, m, n in ctx.session.execute(
        select(DailySales.currency, DailySales.issue_date, DailySales.amount_minor, DailySales.documents)
        .where(DailySales.company_id == c))}
    return [f"credit sales {cur} {day}: kept {kept.get((cur, day))}, documents say {docs.get((cur, day))}"
            for cur, day in sorted(set(docs) | set(kept)) if docs.get((cur, day)) != kept.get((cur, day))]


def sales_after(ctx: ServiceContext, bounds: Sequence[date], as_of: date) -> dict[str, list[int]]:
    """Per currency, the credit sales issued after each bound and on or before as_of (from the day table)."""
    q = (select(DailySales.currency, DailySales.issue_date, DailySales.amount_minor)
         .where(DailySales.company_id == ctx.company_id, DailySales.issue_date > bounds[0],
                DailySales.issue_date <= as_of))
    out: dict[str, list[int]] = {}
    for cur, day, minor in ctx.session.execute(q):
        d = _as_date(day)
        acc = out.setdefault(cur, [0] * len(bounds))
        for k, b in enumerate(bounds):
            if d > b:
                acc[k] += int(minor)
    return out
