"""File readers for imports: CSV (UTF-8 with or without BOM; ',', ';' or tab) and XLSX (openpyxl, read-only).

A reader yields the header (canonical column names) and then (line, cells) for each non-empty row, where
line is the 1-based line of the file (CSV: the physical line the record starts on; XLSX: the row number),
so that every issue can point at the exact place. Values stay as the file has them (XLSX cells may be
dates and numbers); `importer` validates them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arguard.core.errors import ImportRejected

csv.field_size_limit(1 << 20)

# Headers commonly found in ERP exports, mapped to the canonical column names.
_ALIASES = {
    "customer_code": "customer_id", "customer_no": "customer_id", "customer_number": "customer_id",
    "invoice_no": "invoice_number", "invoice": "invoice_number", "document_number": "invoice_number",
    "number": "invoice_number", "payment_no": "payment_id", "payment_number": "payment_id",
    "country_code": "country", "legal_name": "name",
    "open": "open_amount", "open_balance": "open_amount", "type": "document_type", "doc_type": "document_type",
    "received_on": "date", "payment_date": "date", "value_date": "date", "payment_terms": "terms_days",
    "terms": "terms_days", "e_mail": "email", "vat_id": "tax_id", "ibans": "iban",
    "客户编号": "customer_id", "客户名称": "name", "国家": "country", "发票号": "invoice_number",
    "开票日期": "issue_date", "到期日": "due_date", "币种": "currency", "金额": "amount",
    "未结金额": "open_amount", "收款编号": "payment_id", "收款日期": "date",
}


def canonical_column(name: Any) -> str:
    text = unicodedata.normalize("NFKC", str(name or "")).strip().lstrip("\ufeff").lower()
    text = re.sub(r"[\s\-./]+", "_", text).strip("_")
    return _ALIASES.get(text, text)


@dataclass
class Table:
    """A file read as rows: header (canonical names), rows (line, cells), sha256 of the bytes."""

    source: str
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    sha256: str


def read_table(data: bytes, source: str) -> Table:
    """Read CSV or XLSX bytes (XLSX recognised by its ZIP signature or the file name)."""
    digest = hashlib.sha256(data).hexdigest()
    if data[:2] == b"PK" or source.lower().endswith((".xlsx", ".xlsm")):
        header, rows = _xlsx(data, source)
    else:
        header, rows = _csv(data, source)
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        raise ImportRejected(f"{source}: column(s) {', '.join(dupes)} appear more than once")
    return Table(source, header, rows, digest)


MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest import file read from disk (the API's uploads are capped lower, ARGUARD_MAX_UPLOAD_BYTES)."""


def read_path(path: str | Path) -> Table:
    p = Path(path)
    try:
        with p.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ImportRejected(f"cannot read {p}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ImportRejected(f"{p.name}: larger than {MAX_FILE_BYTES // 2**20} MiB; split it",
                             code="file_too_large")
    return read_table(data, p.name)


def _csv(data: bytes, source: str) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ImportRejected(f"{source}: line {line} is not UTF-8; save the file as 'CSV UTF-8'") from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected(f"{source}: the file is empty") from None
    header_names = [canonical_column(h) for h in header]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        start = reader.line_num + 1
        for cells in reader:
            if any(cells):
                yield start, cells
            start = reader.line_num + 1

    return header_names, rows()


def _xlsx(data: bytes, source: str) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    from arguard.core.archives import MAX_XLSX_ROWS, check_xlsx, too_many_rows

    check_xlsx(data, source)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001  (openpyxl raises many kinds for a broken file)
        raise ImportRejected(f"{source}: not a readable XLSX workbook ({type(exc).__name__})") from None
    if not wb.worksheets:
        raise ImportRejected(f"{source}: the workbook has no sheet")
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header: list[str] | None = None
    line = 0
    for values in it:
        line += 1
        if line > MAX_XLSX_ROWS:
            raise too_many_rows(source)
        if any(v not in (None, "") for v in values):
            header = [canonical_column(v) for v in values]
            break
    if header is None:
        wb.close()
        raise ImportRejected(f"{source}: the first sheet is empty")
    start = line

    def rows() -> Iterator[tuple[int, list[Any]]]:
        n = start
        try:
            for values in it:
                n += 1
                if n > MAX_XLSX_ROWS:
                    raise too_many_rows(source)
                if any(v not in (None, "") for v in values):
                    yield n, list(values)
        except ImportRejected:
            raise
        except Exception as exc:  # noqa: BLE001  (a broken part shows only while the sheet is read)
            raise ImportRejected(f"{source}: row {n + 1} cannot be read ({type(exc).__name__})") from None
        finally:
            wb.close()

    return header, rows()
