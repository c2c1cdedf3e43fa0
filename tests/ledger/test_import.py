"""CSV/XLSX import: every bad row reported, good rows in one transaction, dry run, idempotent re-import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from arguard.core.errors import ImportRejected
from arguard.core.money import Money
from arguard.ledger import service
from arguard.ledger.model import InvoiceRecord
from arguard.ledger.tables import Allocation, ImportBatch, Invoice

CUSTOMERS = """\ufeffcustomer_id,name,country,iban,language,terms_days,email,extra_column
C1,Müller GmbH,DE,DE89 3704 0044 0532 0130 00,,30,ap@mueller.de,ignored
C2,上海明远贸易有限公司,CN,,,60,,
C3,Bad Country Ltd,XX,,,,,
C4,Bad Mail Ltd,GB,,,,not-an-email,
"""

INVOICES = """invoice_number;customer_id;issue_date;due_date;currency;amount;open_amount;document_type
INV-1;C1;2026-01-05;2026-02-04;EUR;1.234,50;;
INV-2;C2;2026/01/10;2026/03/11;CNY;88000.00;8000.00;
CN-1;C1;2026-01-20;2026-01-20;EUR;-100.00;;credit_note
INV-3;C9;2026-01-05;2026-02-04;EUR;10.00;;
INV-4;C1;2026-01-05;2025-12-01;EUR;10.00;;
INV-5;C1;05/03/2026;2026-04-01;EUR;10.00;;
INV-6;C1;2026-01-05;2026-02-04;EURO;10.00;;
INV-7;C1;2026-01-05;2026-02-04;EUR;10.005;;
"""

PAYMENTS = """payment_id,customer_id,date,currency,amount,invoice_number,reference
P-1,C1,2026-02-10,EUR,1000.00,INV-1;INV-404,remittance INV-1
P-2,C2,2026-03-01,CNY,8000,INV-2,
P-3,C1,2026-02-11,EUR,-5,,
"""


def write(tmp_path: Path, name: str, content: str) -> str:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    return str(p)


@pytest.fixture
def files(tmp_path):
    return {k: write(tmp_path, f"{k}.csv", v) for k, v in
            (("customers", CUSTOMERS), ("invoices", INVOICES), ("payments", PAYMENTS))}


def import_all(ctx_factory, files, dry_run=False):
    out = {}
    for kind in ("customers", "invoices", "payments"):
        with ctx_factory(role="analyst") as ctx:
            out[kind] = service.import_file(ctx, kind, files[kind], dry_run=dry_run)
    return out


def test_every_bad_row_is_reported_and_good_rows_imported(ctx_factory, files):
    r = import_all(ctx_factory, files)
    cust, inv, pay = r["customers"], r["invoices"], r["payments"]
    assert (cust.rows_read, cust.inserted, cust.rejected) == (4, 2, 2)
    assert [(i.line, i.field) for i in cust.issues] == [(4, "country"), (5, "email")]
    assert all(i.source == "customers.csv" for i in cust.issues)
    assert (inv.rows_read, inv.inserted, inv.rejected) == (8, 3, 5)
    assert [(i.line, i.field) for i in inv.issues] == [
        (5, "customer_id"), (6, "due_date"), (7, "issue_date"), (8, "currency"), (9, "amount")]
    assert "ambiguous" in inv.issues[2].reason
    assert (pay.inserted, pay.rejected) == (2, 1) and pay.issues[0].line == 4
    assert [w.reason for w in pay.warnings] == ["invoice INV-404 is not in the ledger; left unapplied"]
    with ctx_factory() as ctx:
        c2 = service.get_customer(ctx, "C2")
        assert c2.name == "上海明远贸易有限公司" and c2.language == "zh-CN" and c2.terms_days == 60
        assert service.customer_ibans(ctx, service.get_customer(ctx, "C1").id) == ["DE89370400440532013000"]
        inv1 = service.get_invoice(ctx, "INV-1")
        assert inv1.amount_minor == 123450 and inv1.open_minor == 123450 - 100000
        assert service.get_invoice(ctx, "CN-1", "credit_note").amount_minor == -10000
        assert service.get_invoice(ctx, "INV-2").open_minor == 0  # 8,000 open on import, then P-2 paid it
        assert service.verify_projections(ctx) == []
        aging = service.aging_report(ctx, date(2026, 3, 31))
        assert [t.currency for t in aging.totals] == ["EUR"]  # nothing open in CNY


def test_reimport_changes_nothing(ctx_factory, files):
    import_all(ctx_factory, files)
    with ctx_factory() as ctx:
        batches = ctx.session.scalar(select(func.count()).select_from(ImportBatch)
                                     .where(ImportBatch.company_id == ctx.company_id))
        allocs = ctx.session.scalar(select(func.count()).select_from(Allocation)
                                    .where(Allocation.company_id == ctx.company_id))
    again = import_all(ctx_factory, files)
    assert [again[k].inserted + again[k].updated for k in again] == [0, 0, 0]
    assert again["invoices"].unchanged == 3 and again["payments"].unchanged == 2
    with ctx_factory() as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(ImportBatch)
                                  .where(ImportBatch.company_id == ctx.company_id)) == batches
        assert ctx.session.scalar(select(func.count()).select_from(Allocation)
                                  .where(Allocation.company_id == ctx.company_id)) == allocs


def test_same_key_other_content_is_an_issue_not_an_overwrite(ctx_factory, files, tmp_path):
    import_all(ctx_factory, files)
    changed = write(tmp_path, "changed.csv", "invoice_number,customer_id,issue_date,due_date,currency,amount\n"
                                             "INV-1,C1,2026-01-05,2026-02-04,EUR,999.00\n"
                                             "INV-9,C1,2026-01-05,2026-02-04,EUR,5.00\n"
                                             "INV-9,C1,2026-01-05,2026-02-04,EUR,6.00\n")
    with ctx_factory() as ctx:
        r = service.import_file(ctx, "invoices", changed)
    assert r.inserted == 1 and [i.line for i in r.issues] == [2, 4]
    assert "already exists with other content" in r.issues[0].reason and "repeats line 3" in r.issues[1].reason
    with ctx_factory() as ctx:
        assert service.get_invoice(ctx, "INV-1").amount_minor == 123450


def test_dry_run_validates_only(ctx_factory, files):
    r = import_all(ctx_factory, files, dry_run=True)
    assert r["customers"].inserted == 2 and r["customers"].dry_run
    with ctx_factory() as ctx:
        _rows, total = service.list_customers(ctx)
        n = ctx.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.company_id == ctx.company_id))
    assert total == 0 and n == 0


def test_xlsx_import(ctx_factory, files, tmp_path):
    import_all(ctx_factory, {"customers": files["customers"], "invoices": files["invoices"],
                             "payments": write(tmp_path, "none.csv", "payment_id,customer_id,date,currency,amount\n")})
    wb = Workbook()
    ws = wb.active
    ws.append(["Invoice Number", "Customer ID", "Issue Date", "Due Date", "Currency", "Amount"])
    ws.append(["X-1", "C1", date(2026, 2, 1), date(2026, 3, 3), "EUR", 1999.99])
    ws.append(["X-2", "C2", "2026-02-01", "2026-03-03", "CNY", 12])
    ws.append([None, None, None, None, None, None])
    ws.append(["X-3", "C2", "not a date", "2026-03-03", "CNY", 12])
    path = tmp_path / "inv.xlsx"
    wb.save(path)
    with ctx_factory() as ctx:
        r = service.import_file(ctx, "invoices", str(path))
        assert r.inserted == 2 and [(i.line, i.field) for i in r.issues] == [(5, "issue_date")]
        assert service.get_invoice(ctx, "X-1").amount_minor == 199999


def test_missing_column_and_unreadable_files(ctx_factory, tmp_path):
    with ctx_factory() as ctx:
        r = service.import_file(ctx, "invoices", write(tmp_path, "x.csv", "invoice_number,amount\nA,1\n"))
        assert r.inserted == 0 and {i.field for i in r.issues} >= {"customer_id", "currency"}
        bad = tmp_path / "latin1.csv"
        bad.write_bytes("customer_id,name,country\nC1,Café,FR\n".encode("latin-1"))
        with pytest.raises(ImportRejected, match="not UTF-8"):
            service.import_file(ctx, "customers", str(bad))


def test_import_records_bulk_path(ctx_factory, files):
    import_all(ctx_factory, files)
    recs = [InvoiceRecord(f"B-{i}", "C1", date(2026, 1, 1), date(2026, 1, 31), Money.of("10.00", "EUR"))
            for i in range(1000)]
    with ctx_factory() as ctx:
        r = service.import_records(ctx, "invoices", recs, source="demo")
    assert r.inserted == 1000 and not r.issues
    with ctx_factory() as ctx:
        assert service.get_invoice(ctx, "B-7").amount_minor == 1000
    with ctx_factory() as ctx:
        assert service.import_records(ctx, "invoices", recs).unchanged == 1000


def test_viewer_cannot_import(ctx_factory, files):
    from arguard.core.errors import Forbidden

    with ctx_factory(role="viewer") as ctx, pytest.raises(Forbidden):
        service.import_file(ctx, "customers", files["customers"])
