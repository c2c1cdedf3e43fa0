"""Bulk import into the ledger (service layer): validated rows → one transaction, idempotently.

The whole pipeline in one screen (`import_table`): read → parse and validate (`importer`, every bad row
an Issue) → drop in-file duplicates → resolve customers → stage → report "same key, other content"
→ insert-or-ignore → derived facts (opening settlements, allocations) → batch record + audit.

Speed: rows are staged in a temporary table (PostgreSQL: COPY; SQLite: executemany on the raw cursor),
then one `INSERT … SELECT … ON CONFLICT DO NOTHING` moves them into the ledger, and one join finds the
keys that already exist with other content. A million invoices never become ORM objects.

Atomicity: everything runs in the caller's unit of work; the shell commits once. A process killed before
the commit leaves nothing. `dry_run` runs the same steps inside a savepoint and rolls it back, so its
counts and issues are exactly those of the real run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import bindparam, exists, insert, select, text, update

from arguard.core.errors import Conflict, Issue, ValidationError
from arguard.ledger import importer, readers, reports
from arguard.ledger.importer import CustomerRow, InvoiceRow, PaymentRow
from arguard.ledger.model import CustomerRecord, ImportResult, InvoiceRecord, PaymentRecord
from arguard.ledger.tables import Allocation, Customer, CustomerAccount, ImportBatch, Invoice, Payment
from arguard.platform.context import ServiceContext
from arguard.platform.events import publish
from arguard.platform.interface import lock_company

Progress = Callable[[str, int, int | None], None]
"""progress(phase, done, total): phases 'read', 'stage', 'write', 'done'."""
CHUNK = 50_000


def _noop(_phase: str, _done: int, _total: int | None) -> None:
    return None


def import_file(ctx: ServiceContext, kind: str, path: str, *, dry_run: bool = False,
                progress: Progress | None = None) -> ImportResult:
    """Import a CSV or XLSX file of customers, invoices or payments."""
    return import_table(ctx, kind, readers.read_path(path), dry_run=dry_run, progress=progress)


def import_bytes(ctx: ServiceContext, kind: str, data: bytes, source: str, *, dry_run: bool = False,
                 progress: Progress | None = None) -> ImportResult:
    """Import an uploaded file's bytes (the API's multipart upload)."""
    return import_table(ctx, kind, readers.read_table(data, source), dry_run=dry_run, progress=progress)


def import_table(ctx: ServiceContext, kind: str, table: readers.Table, *, dry_run: bool = False,
                 progress: Progress | None = None) -> ImportResult:
    ctx.require("analyst")
    _check_kind(kind)
    progress = progress or _noop
    parse: Any = {"customers": importer.parse_customers, "invoices": importer.parse_invoices,
                  "payments": importer.parse_payments}[kind]
    rows, issues, n = parse(table.header, _counted(table.rows, progress), table.source)
    return _write(ctx, kind, rows, issues, n, table.source, table.sha256, dry_run, progress)


def import_records(ctx: ServiceContext, kind: str,
                   records: Iterable[CustomerRecord] | Iterable[InvoiceRecord] | Iterable[PaymentRecord], *,
                   source: str = "records", dry_run: bool = False, progress: Progress | None = None) -> ImportResult:
    """Bulk-load model records (the demo generator's fast path; line = 1-based position in `records`)."""
    ctx.require("analyst")
    _check_kind(kind)
    rows: list[Any] = []
    issues: list[Issue] = []
    n = 0
    for n, rec in enumerate(records, 1):
        try:
            rows.append(_record_row(kind, n, rec))
        except importer.Bad as bad:
            issues.append(Issue(source, n, bad.field, bad.reason))
    return _write(ctx, kind, rows, issues, n, source, "", dry_run, progress or _noop)


def _record_row(kind: str, line: int, rec: Any) -> Any:
    convert: Any = {"invoices": importer.invoice_rows, "payments": importer.payment_rows,
                    "customers": importer.customer_rows}[kind]
    (row,) = convert([rec])
    return row._replace(line=line)


def _check_kind(kind: str) -> None:
    if kind not in importer.KINDS:
        raise ValidationError(f"unknown import kind {kind!r}; use {', '.join(importer.KINDS)}", code="bad_kind")


def _counted(rows: Iterable[tuple[int, Any]], progress: Progress) -> Iterator[tuple[int, Any]]:
    n = 0
    for row in rows:
        n += 1
        if n % CHUNK == 0:
            progress("read", n, None)
        yield row
    progress("read", n, n)


def _write(ctx: ServiceContext, kind: str, rows: list[Any], issues: list[Issue], n: int, source: str,
           sha256: str, dry_run: bool, progress: Progress) -> ImportResult:
    writer = {"customers": _write_customers, "invoices": _write_invoices, "payments": _write_payments}[kind]
    savepoint = ctx.session.begin_nested() if dry_run else None
    try:
        batch = ImportBatch(company_id=ctx.company_id, kind=kind, source=source[:512], sha256=sha256,
                            rows_read=n, actor=ctx.actor)
        ctx.session.add(batch)
        ctx.session.flush()
        counts, warnings, touched = writer(ctx, rows, issues, source, batch.id, progress)  # type: ignore[operator]
        inserted, updated, unchanged = counts
        _refresh_statistics(ctx, kind, inserted + updated)
        rejected = len({i.line for i in issues}) if n else 0
        batch.rows_inserted, batch.rows_rejected, batch.rows_unchanged = inserted + updated, rejected, unchanged
        if inserted or updated:
            ctx.audit(f"import.{kind}", "import_batch", batch.id, reason=source,
                      after={"rows_read": n, "inserted": inserted, "updated": updated, "unchanged": unchanged,
                             "rejected": rejected, "sha256": sha256})
            if not dry_run:
                publish(ctx, f"ledger.import.{kind}", None, {"batch_id": batch.id, "customers": sorted(touched)})
        else:
            ctx.session.delete(batch)
            ctx.session.flush()
        batch_id = batch.id if (inserted or updated) and not dry_run else None
        progress("done", n, n)
    finally:
        if savepoint is not None:
            savepoint.rollback()
    return ImportResult(kind, source, n, inserted, updated, unchanged, rejected,
                        tuple(sorted(issues, key=lambda i: (i.line or 0))), tuple(warnings), dry_run, batch_id,
                        sha256)


def _customer_ids(ctx: ServiceContext) -> dict[str, int]:
    return {code: cid for code, cid in ctx.session.execute(
        select(Customer.code, Customer.id).where(Customer.company_id == ctx.company_id))}


def _known_customers(ctx: ServiceContext, rows: list[Any], issues: list[Issue], source: str
                     ) -> tuple[list[Any], dict[str, int]]:
    ids = _customer_ids(ctx)
    kept = []
    for r in rows:
        if r.customer_code in ids:
            kept.append(r)
        else:
            issues.append(Issue(source, r.line, "customer_id",
                                f"unknown customer {r.customer_code!r}; import it with the customers first"))
    return kept, ids


# ---------------------------------------------------------------- staging

def _stage(ctx: ServiceContext, name: str, columns: Sequence[tuple[str, str]], rows: Iterable[tuple[Any, ...]],
           total: int, progress: Progress) -> None:
    """Create the temporary table `name` and fill it fast (COPY on PostgreSQL)."""
    conn = ctx.session.connection()
    dbapi = conn.connection.dbapi_connection
    cols = ", ".join(f"{c} {t}" for c, t in columns)
    names = ", ".join(c for c, _ in columns)
    cur = dbapi.cursor()  # type: ignore[union-attr]
    try:
        if conn.dialect.name == "postgresql":
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({cols}) ON COMMIT DROP")
            cur.execute(f"TRUNCATE {name}")
            done = 0
            with cur.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    done += 1
                    if done % CHUNK == 0:
                        progress("stage", done, total)
        else:
            # A bigger page cache for this connection keeps the ledger's index pages in memory.
            cur.execute("PRAGMA cache_size = -262144")
            cur.execute(f"DROP TABLE IF EXISTS temp.{name}")
            cur.execute(f"CREATE TEMP TABLE {name} ({cols})")
            marks = ", ".join("?" for _ in columns)
            sql = f"INSERT INTO {name} ({names}) VALUES ({marks})"
            chunk: list[Any] = []
            done = 0
            dated = [i for i, (_, t) in enumerate(columns) if t == "DATE"]
            for row in rows:
                values: Any = list(row) if dated else row
                for i in dated:
                    values[i] = values[i].isoformat()
                chunk.append(values)
                if len(chunk) == CHUNK:
                    cur.executemany(sql, chunk)
                    done += len(chunk)
                    chunk.clear()
                    progress("stage", done, total)
            cur.executemany(sql, chunk)
        progress("stage", total, total)
    finally:
        cur.close()


def _sql(ctx: ServiceContext, sql: str, **params: Any) -> Any:
    return ctx.session.execute(text(sql), params)


# ---------------------------------------------------------------- invoices

_INV_STAGE = (("line", "INTEGER"), ("customer_id", "INTEGER"), ("number", "TEXT"), ("document_type", "TEXT"),
              ("issue_date", "DATE"), ("due_date", "DATE"), ("currency", "TEXT"), ("amount_minor", "BIGINT"),
              ("open_minor", "BIGINT"), ("payment_reference", "TEXT"), ("order_number", "TEXT"))


def _write_invoices(ctx: ServiceContext, rows: list[InvoiceRow], issues: list[Issue], source: str, batch_id: int,
                    progress: Progress) -> tuple[tuple[int, int, int], list[Issue], set[str]]:
    rows, dup_issues, same = importer.drop_duplicates(rows, lambda r: (r.document_type, r.number), source)
    issues += dup_issues
    rows, ids = _known_customers(ctx, rows, issues, source)
    if not rows:
        return (0, 0, same), [], set()
    c = ctx.company_id

    def values(some: Iterable[InvoiceRow]) -> Iterator[tuple[Any, ...]]:
        return ((r.line, ids[r.customer_code], r.number, r.document_type, r.issue_date, r.due_date, r.currency,
                 r.amount_minor, r.open_minor, r.payment_reference, r.order_number) for r in some)

    if ctx.session.get_bind().dialect.name == "sqlite":
        # SQLite: straight into the ledger (no staging copy); rows whose key was already there are then
        # staged to compare their content.
        inserted = _insert_direct(ctx, values(rows), batch_id, len(rows), progress)
        if inserted < len(rows):
            new_keys = set(ctx.session.execute(select(Invoice.document_type, Invoice.number)
                                               .where(Invoice.company_id == c, Invoice.batch_id == batch_id)).all())
            _stage(ctx, "stage_invoices", _INV_STAGE,
                   values(r for r in rows if (r.document_type, r.number) not in new_keys), len(rows), progress)
            matched, differing = _invoice_conflicts(ctx, source, issues)
        else:
            matched, differing = 0, 0
    elif _first_load(ctx):
        # PostgreSQL, nothing of this company's invoices yet (company row locked): no key can conflict,
        # so COPY goes straight into the ledger.
        inserted, matched, differing = _copy_direct(ctx, values(rows), batch_id, len(rows), progress), 0, 0
    else:
        _stage(ctx, "stage_invoices", _INV_STAGE, values(rows), len(rows), progress)
        matched, differing = _invoice_conflicts(ctx, source, issues)
        progress("write", 0, len(rows))
        inserted = _sql(ctx, "INSERT INTO invoices (company_id, customer_id, number, document_type, issue_date, "
                             "due_date, currency, amount_minor, open_minor, payment_reference, order_number, "
                             "batch_id, disputed) SELECT :c, customer_id, number, document_type, issue_date, "
                             "due_date, currency, amount_minor, open_minor, payment_reference, order_number, :b, :f "
                             "FROM stage_invoices WHERE true ON CONFLICT (company_id, document_type, number) "
                             "DO NOTHING", c=c, b=batch_id, f=False).rowcount
    if inserted == len(rows):
        reports.add_daily_sales(ctx, _sales_by_day(rows))
    elif inserted:
        reports.add_daily_sales_of_batch(ctx, batch_id)
    if inserted and any(r.open_minor != r.amount_minor for r in rows):
        # What was settled before the import becomes a dated fact, so that as-of views reconstruct it.
        _sql(ctx, "INSERT INTO adjustments (company_id, invoice_id, kind, amount_minor, currency, effective_on, "
                  "reason) SELECT :c, id, 'opening_settlement', amount_minor - open_minor, currency, issue_date, "
                  "'settled before import' FROM invoices WHERE company_id = :c AND batch_id = :b "
                  "AND amount_minor <> open_minor", c=c, b=batch_id)
    progress("write", len(rows), len(rows))
    touched = {r.customer_code for r in rows} if inserted else set()
    return (inserted, 0, same + matched - differing), [], touched


def _sales_by_day(rows: Iterable[InvoiceRow]) -> dict[tuple[str, Any], list[int]]:
    """{(currency, issue date): [minor units, documents]} of rows that were all inserted."""
    sums: dict[tuple[str, Any], list[int]] = {}
    for r in rows:
        v = sums.get((r.currency, r.issue_date))
        if v is None:
            sums[(r.currency, r.issue_date)] = [r.amount_minor, 1]
        else:
            v[0] += r.amount_minor
            v[1] += 1
    return sums


ANALYZE_AFTER = 10_000
"""Rows written by one import after which PostgreSQL's planner statistics are refreshed in the same
transaction: the import's own later statements (and the next chunk's) are planned for the table as it is
now. Without it a first load of a million invoices is planned as an empty table: each look-up of named
invoices became a sequential scan, and the large demo never finished loading."""


def _refresh_statistics(ctx: ServiceContext, kind: str, written: int) -> None:
    if written < ANALYZE_AFTER or ctx.session.get_bind().dialect.name != "postgresql":
        return
    tables = {"customers": ("customers",), "invoices": ("invoices",), "payments": ("payments", "allocations")}[kind]
    for table in tables:
        ctx.session.execute(text(f"ANALYZE {table}"))


def _first_load(ctx: ServiceContext) -> bool:
    """Lock the company row (imports of one company serialise) and tell whether it has no invoices yet."""
    lock_company(ctx)
    return not ctx.session.scalar(select(exists().where(Invoice.company_id == ctx.company_id)))


def _copy_direct(ctx: ServiceContext, rows: Iterable[tuple[Any, ...]], batch_id: int, total: int,
                 progress: Progress) -> int:
    c = ctx.company_id
    cur = ctx.session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    done = 0
    try:
        with cur.copy("COPY invoices (company_id, customer_id, number, document_type, issue_date, due_date, "
                      "currency, amount_minor, open_minor, payment_reference, order_number, batch_id, disputed) "
                      "FROM STDIN") as copy:
            for _line, cid, number, kind, issued, due, currency, amount, open_, ref, order in rows:
                copy.write_row((c, cid, number, kind, issued, due, currency, amount, open_, ref, order, batch_id,
                                False))
                done += 1
                if done % CHUNK == 0:
                    progress("write", done, total)
    finally:
        cur.close()
    return done


def _invoice_conflicts(ctx: ServiceContext, source: str, issues: list[Issue]) -> tuple[int, int]:
    """Staged rows whose key is already in the ledger: (how many, how many with other content → issues)."""
    join = ("FROM stage_invoices s JOIN invoices i ON i.company_id = :c AND i.document_type = s.document_type "
            "AND i.number = s.number")
    same_content = ("i.customer_id = s.customer_id AND i.currency = s.currency AND i.amount_minor = s.amount_minor "
                    "AND i.issue_date = s.issue_date AND i.due_date = s.due_date")
    c = ctx.company_id
    matched, n_differing = _sql(ctx, f"SELECT count(*), sum(CASE WHEN {same_content} THEN 0 ELSE 1 END) {join}",
                                c=c).one()
    if n_differing:
        for line, kind, number, amount, cur, due, issued, same_customer in _sql(
                ctx, f"SELECT s.line, s.document_type, s.number, i.amount_minor, i.currency, i.due_date, "
                     f"i.issue_date, i.customer_id = s.customer_id {join} WHERE NOT ({same_content}) "
                     "ORDER BY s.line", c=c):
            what = "another customer" if not same_customer else f"{cur} {amount} issued {issued} due {due}"
            issues.append(Issue(source, line, None, f"{kind} {number} already exists with other content ({what}); "
                                                    "correct it with a credit note, not a re-import"))
    return int(matched or 0), int(n_differing or 0)


def _insert_direct(ctx: ServiceContext, rows: Iterable[tuple[Any, ...]], batch_id: int, total: int,
                   progress: Progress) -> int:
    """SQLite: executemany INSERT … ON CONFLICT DO NOTHING on the raw cursor, in chunks; rows inserted."""
    dbapi = ctx.session.connection().connection.dbapi_connection
    cur = dbapi.cursor()  # type: ignore[union-attr]
    cur.execute("PRAGMA cache_size = -262144")  # keep the index pages of a big ledger in memory
    sql = ("INSERT INTO invoices (company_id, customer_id, number, document_type, issue_date, due_date, currency, "
           "amount_minor, open_minor, payment_reference, order_number, batch_id, disputed) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (company_id, document_type, number) DO NOTHING")
    c = ctx.company_id
    inserted = done = 0
    chunk: list[tuple[Any, ...]] = []
    try:
        for _line, cid, number, kind, issued, due, currency, amount, open_, ref, order in rows:
            chunk.append((c, cid, number, kind, issued.isoformat(), due.isoformat(), currency, amount, open_, ref,
                          order, batch_id))
            if len(chunk) == CHUNK:
                cur.executemany(sql, chunk)
                inserted += cur.rowcount
                done += len(chunk)
                chunk.clear()
                progress("write", done, total)
        if chunk:
            cur.executemany(sql, chunk)
            inserted += cur.rowcount
    finally:
        cur.close()
    return inserted


# ---------------------------------------------------------------- payments

_PAY_STAGE = (("line", "INTEGER"), ("customer_id", "INTEGER"), ("external_id", "TEXT"), ("received_on", "DATE"),
              ("currency", "TEXT"), ("amount_minor", "BIGINT"), ("reference", "TEXT"))


def _write_payments(ctx: ServiceContext, rows: list[PaymentRow], issues: list[Issue], source: str, batch_id: int,
                    progress: Progress) -> tuple[tuple[int, int, int], list[Issue], set[str]]:
    rows, dup_issues, same = importer.drop_duplicates(rows, lambda r: (r.external_id,), source)
    issues += dup_issues
    rows, ids = _known_customers(ctx, rows, issues, source)
    if not rows:
        return (0, 0, same), [], set()
    _stage(ctx, "stage_payments", _PAY_STAGE,
           ((r.line, ids[r.customer_code], r.external_id, r.received_on, r.currency, r.amount_minor, r.reference)
            for r in rows), len(rows), progress)
    c = ctx.company_id
    join = "FROM stage_payments s JOIN payments p ON p.company_id = :c AND p.external_id = s.external_id"
    matched = _sql(ctx, f"SELECT count(*) {join}", c=c).scalar_one()
    differing = _sql(ctx, f"SELECT s.line, s.external_id, p.amount_minor, p.currency, p.received_on {join} "
                          "WHERE NOT (p.customer_id = s.customer_id AND p.currency = s.currency AND "
                          "p.amount_minor = s.amount_minor AND p.received_on = s.received_on)", c=c).all()
    for line, ext, amount, cur, on in differing:
        issues.append(Issue(source, line, None, f"payment {ext} already exists with other content "
                                                f"({cur} {amount} received {on})"))
    inserted = _sql(ctx, "INSERT INTO payments (company_id, external_id, customer_id, received_on, currency, "
                         "amount_minor, unapplied_minor, reference, source, batch_id) SELECT :c, external_id, "
                         "customer_id, received_on, currency, amount_minor, amount_minor, reference, 'import', :b "
                         "FROM stage_payments WHERE true "
                         "ON CONFLICT (company_id, external_id) DO NOTHING", c=c, b=batch_id).rowcount
    warnings = _apply_named_invoices(ctx, rows, batch_id, source) if inserted else []
    touched = {r.customer_code for r in rows} if inserted else set()
    return (inserted, 0, same + matched - len(differing)), warnings, touched


def _apply_named_invoices(ctx: ServiceContext, rows: list[PaymentRow], batch_id: int, source: str) -> list[Issue]:
    """Allocate each new payment to the invoices it names, in the order named, each up to its open amount."""
    c = ctx.company_id
    new = {ext: (pid, cid, cur, amt) for pid, ext, cid, cur, amt in ctx.session.execute(
        select(Payment.id, Payment.external_id, Payment.customer_id, Payment.currency, Payment.amount_minor)
        .where(Payment.company_id == c, Payment.batch_id == batch_id))}
    named = sorted({n for r in rows if r.external_id in new for n in r.invoice_numbers})
    invoices: dict[str, list[Any]] = {}  # number → [id, customer id, currency, open minor]
    for i in range(0, len(named), 500):
        q = (select(Invoice.id, Invoice.number, Invoice.customer_id, Invoice.currency, Invoice.open_minor)
             .where(Invoice.company_id == c, Invoice.document_type == "invoice", Invoice.number.in_(named[i:i + 500]))
             .with_for_update())
        invoices.update({num: [iid, cid, cur, open_] for iid, num, cid, cur, open_ in ctx.session.execute(q)})
    warnings: list[Issue] = []
    allocs: list[dict[str, Any]] = []
    for r in rows:
        if r.external_id not in new:
            continue
        pid, cid, cur, left = new[r.external_id]
        for number in r.invoice_numbers:
            inv = invoices.get(number)
            why = ("is not in the ledger" if inv is None else "belongs to another customer" if inv[1] != cid
                   else f"is in {inv[2]}, the payment in {cur}" if inv[2] != cur
                   else "has nothing open" if inv[3] <= 0 else "" if left > 0 else "got nothing: the payment is used up")
            if why or inv is None:
                warnings.append(Issue(source, r.line, "invoice_number", f"invoice {number} {why}; left unapplied"))
                continue
            amount = min(left, inv[3])
            inv[3] -= amount
            left -= amount
            allocs.append({"company_id": c, "payment_id": pid, "invoice_id": inv[0], "amount_minor": amount,
                           "currency": cur, "allocated_on": r.received_on, "source": "import"})
    if allocs:
        _book_allocations(ctx, allocs)
    return warnings


def _book_allocations(ctx: ServiceContext, allocs: list[dict[str, Any]]) -> None:
    ctx.session.execute(insert(Allocation), allocs)
    per_invoice: dict[int, int] = {}
    per_payment: dict[int, int] = {}
    for a in allocs:
        per_invoice[a["invoice_id"]] = per_invoice.get(a["invoice_id"], 0) + a["amount_minor"]
        per_payment[a["payment_id"]] = per_payment.get(a["payment_id"], 0) + a["amount_minor"]
    # Conditional updates: never below zero, whatever a concurrent writer did.
    for table, sums in ((Invoice, per_invoice), (Payment, per_payment)):
        col: Any = Invoice.open_minor if table is Invoice else Payment.unapplied_minor
        stmt = (update(table).where(table.id == bindparam("k"), col >= bindparam("a"))
                .values({col.key: col - bindparam("a")}).execution_options(synchronize_session=False))
        done = ctx.session.connection().execute(stmt, [{"k": k, "a": a} for k, a in sums.items()]).rowcount
        if done != len(sums):
            raise Conflict("a concurrent allocation used the amount first; run the import again",
                           code="over_allocation")


# ---------------------------------------------------------------- customers

_FIELDS = {"name": "name", "country": "country", "sector": "sector", "currency": "currency",
           "terms_days": "terms_days", "tax_id": "tax_id", "email": "email", "language": "language",
           "parent_id": "parent_code"}


def _write_customers(ctx: ServiceContext, rows: list[CustomerRow], issues: list[Issue], source: str,
                     batch_id: int, progress: Progress) -> tuple[tuple[int, int, int], list[Issue], set[str]]:
    """New customers are inserted in bulk; an existing one is updated with the columns the file gives
    (master data changes; each change audited with before/after); new bank accounts are added."""
    rows, dup_issues, same = importer.drop_duplicates(rows, lambda r: (r.record.code,), source)
    issues += dup_issues
    c = ctx.company_id
    existing = {row.code: row for row in ctx.session.scalars(select(Customer).where(Customer.company_id == c))}
    new = [r.record for r in rows if r.record.code not in existing]
    if new:
        ctx.session.execute(insert(Customer), [
            {"company_id": c, "code": r.code, "name": r.name, "aliases": list(r.aliases), "country": r.country,
             "sector": r.sector, "currency": r.currency, "terms_days": r.terms_days, "tax_id": r.tax_id,
             "email": r.email, "language": r.language, "parent_code": r.parent_code} for r in new])
    ids = _customer_ids(ctx)
    known = {(cid, iban) for cid, iban in ctx.session.execute(
        select(CustomerAccount.customer_id, CustomerAccount.iban).where(CustomerAccount.company_id == c))}
    accounts: list[dict[str, Any]] = []
    updated = unchanged = 0
    for r in rows:
        code = r.record.code
        fresh = [iban for iban in r.record.ibans if (ids[code], iban) not in known]
        accounts += [{"company_id": c, "customer_id": ids[code], "iban": iban} for iban in fresh]
        row = existing.get(code)
        if row is None:
            continue
        changes: dict[str, Any] = {attr: getattr(r.record, attr) for col, attr in _FIELDS.items()
                                   if col in r.given and getattr(row, attr) != getattr(r.record, attr)}
        aliases = sorted(set(row.aliases or ()) | set(r.record.aliases))
        if aliases != sorted(row.aliases or ()):
            changes["aliases"] = aliases
        if not changes and not fresh:
            unchanged += 1
            continue
        before = {k: getattr(row, k) for k in changes}
        for k, v in changes.items():
            setattr(row, k, v)
        ctx.audit("customer.update", "customer", code, reason=f"import {source}", before=before,
                  after={**changes, **({"new_accounts": fresh} if fresh else {})})
        updated += 1
    if accounts:
        ctx.session.execute(insert(CustomerAccount), accounts)
    ctx.session.flush()
    progress("write", len(rows), len(rows))
    touched = {r.record.code for r in rows} if new or updated else set()
    return (len(new), updated, unchanged + same), [], touched
