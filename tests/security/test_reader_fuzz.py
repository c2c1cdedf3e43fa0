"""Rows 3, 12 and 16 of issue 11, and the readers' half of the fuzzer: random bytes (and random mutations
of real statements) fed to every statement reader and import reader give a result or a clear rejection
(`ArguardError`), never another exception; nested zips, zip bombs, huge XLSX and impossible dates or
amounts are refused with a reason."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arguard.core.errors import ArguardError, ImportRejected
from arguard.ledger import importer, readers
from arguard.recon.readers import read_statement
from arguard.recon.readers.camt import read_camt
from arguard.recon.readers.mt940 import read_mt940
from arguard.recon.readers.tabular import ColumnMapping, read_tabular

MT940 = (":20:STMT1\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C260101EUR1000,00\n"
         ":61:2601020102C150,00NTRFINV-1001//REF1\n:86:INV-1001 ACME GmbH\n:62F:C260102EUR1150,00\n-\n")
CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-01-02T10:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Dt><Dt>2026-01-01</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{booked}</Dt></BookgDt>
<ValDt><Dt>2026-01-02</Dt></ValDt><NtryDtls><TxDtls><RmtInf><Ustrd>INV-1001</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""
MAPPING = ColumnMapping(booking_date="date", amount="amount", fixed_currency="EUR", remittance=("text",))
SAMPLES = Path("/work/shared/data/bank_statements")


def _clear(fn, *args) -> None:  # type: ignore[no-untyped-def]
    """A result or a clear rejection; anything else fails the test."""
    try:
        fn(*args)
    except ArguardError:
        pass


def _import_table(data: bytes, source: str) -> None:
    table = readers.read_table(data, source)
    for kind in ("customers", "invoices", "payments"):
        table = readers.read_table(data, source)
        parse = {"customers": importer.parse_customers, "invoices": importer.parse_invoices,
                 "payments": importer.parse_payments}[kind]
        parse(table.header, table.rows, source)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_to_every_statement_reader(data):
    _clear(read_statement, data, "fuzz")
    _clear(read_mt940, data, "fuzz")
    _clear(read_camt, data, "fuzz")
    _clear(read_tabular, data, "fuzz", MAPPING)
    _clear(read_tabular, data, "fuzz", MAPPING, True)


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_to_every_import_reader(data):
    _clear(_import_table, data, "fuzz.csv")
    _clear(_import_table, data, "fuzz.xlsx")


def _mutate(text: str) -> st.SearchStrategy[bytes]:
    return st.lists(st.tuples(st.integers(0, len(text)), st.text(max_size=6)), max_size=4).map(
        lambda edits: _apply(text, edits).encode())


def _apply(text: str, edits: list[tuple[int, str]]) -> str:
    for pos, piece in edits:
        text = text[:pos] + piece + text[pos + len(piece):]
    return text


@FUZZ
@given(st.one_of(_mutate(MT940), _mutate(CAMT.format(amount="150.00", booked="2026-01-02")),
                 _mutate("customer_id,name,country,currency,terms_days\nC1,Acme,DE,EUR,30\n"),
                 _mutate("invoice_number,customer_id,issue_date,due_date,currency,amount\n"
                         "I1,C1,2026-01-01,2026-01-31,EUR,100.00\n")))
def test_mutated_real_files_read_or_are_rejected(data):
    _clear(read_statement, data, "fuzz")
    _clear(_import_table, data, "fuzz.csv")


def test_sample_statements_still_read():
    files = [p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix.lower() in (".sta", ".mt940", ".xml")]
    if not files:
        pytest.skip("no sample statements in /work/shared/data")
    for p in files[:40]:
        _clear(read_statement, p.read_bytes(), p.name)


def test_mt940_month_42_is_a_clear_rejection():
    bad = MT940.replace(":61:2601020102C", ":61:2601024202C")
    with pytest.raises(ArguardError):
        result = read_statement(bad.encode(), "bad.sta")
        assert not result.issues, "a month 42 must be reported"
        raise AssertionError("month 42 read without complaint")


@pytest.mark.parametrize("amount,booked", [("150.00", "2026-02-30"), ("NaN", "2026-01-02"),
                                           ("1e999999", "2026-01-02"), ("Infinity", "2026-01-02"),
                                           ("1e30", "2026-01-02")])
def test_camt_impossible_dates_and_amounts_are_rejected(amount, booked):
    with pytest.raises(ImportRejected):
        read_statement(CAMT.format(amount=amount, booked=booked).encode(), "bad.xml")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_nested_zips_are_refused():
    inner = _zip({f"s{i}.sta": MT940.encode() for i in range(3)})
    with pytest.raises(ImportRejected) as caught:
        read_statement(_zip({"a.zip": inner, "b.sta": MT940.encode()}), "upload.zip")
    assert caught.value.code == "nested_archive"
    assert len(read_statement(_zip({"a.sta": MT940.encode()}), "ok.zip").statements) == 1


def test_a_zip_bomb_stops_at_the_budget(monkeypatch):
    from arguard.core import archives

    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 1 << 20)
    bomb = _zip({f"s{i}.sta": MT940.encode() + b" " * (400 << 10) for i in range(4)})
    assert len(bomb) < 100_000
    with pytest.raises(ImportRejected) as caught:
        read_statement(bomb, "bomb.zip")
    assert caught.value.code == "file_too_large"


def test_too_many_entries_in_a_zip_are_refused():
    with pytest.raises(ImportRejected):
        read_statement(_zip({f"s{i}.sta": MT940.encode() for i in range(201)}), "many.zip")


def test_xlsx_expanding_beyond_the_bound_is_refused():
    from arguard.core.archives import check_xlsx

    book = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b" " * (2 << 20)})
    with pytest.raises(ImportRejected):
        check_xlsx(book, "big.xlsx", max_bytes=1 << 20)
    with pytest.raises(ImportRejected):
        readers.read_table(_zip({"[Content_Types].xml": b"<Types/>", "x": b"\0" * (301 << 20)}), "big.xlsx")


def test_a_file_larger_than_the_cap_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1000)
    p = tmp_path / "customers.csv"
    p.write_bytes(b"customer_id,name\n" + b"C1,Acme\n" * 500)
    with pytest.raises(ImportRejected) as caught:
        readers.read_path(p)
    assert caught.value.code == "file_too_large"


def _other_readers() -> list[tuple[str, object]]:
    """Every other file reader of the capabilities: (name, function of (bytes, source))."""
    from arguard.monitor.files import parse as parse_events
    from arguard.recon.inputs import load_open_items

    readers_: list[tuple[str, object]] = [("monitor events", parse_events), ("recon open items", load_open_items)]
    text_readers = [("insurance.policy_io", "load_policy_text"), ("collections.policy", "parse_policy"),
                    ("portfolio.files", "read_buyers"), ("portfolio.files", "read_factors")]
    import importlib

    for module, name in text_readers:
        try:
            fn = getattr(importlib.import_module(f"arguard.{module}"), name)
        except (ImportError, AttributeError):  # a capability still being built
            continue
        readers_.append((f"{module}.{name}", lambda data, source, fn=fn: fn(data.decode("utf-8", "replace"),
                                                                            source)))
    return readers_


@FUZZ
@given(st.one_of(st.binary(max_size=2048), st.text(max_size=512).map(str.encode),
                 _mutate("customer_id,type,occurred_on,details\nC1,legal.action,2026-01-05,x\n")))
def test_random_bytes_to_every_other_capability_reader(data):
    for name, fn in _other_readers():
        try:
            fn(data, "fuzz")  # type: ignore[operator]
        except ArguardError:
            pass
        except Exception as exc:
            raise AssertionError(f"{name} raised {type(exc).__name__}: {exc}") from exc
