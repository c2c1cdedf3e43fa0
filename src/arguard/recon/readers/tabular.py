"""Bank CSV/XLSX exports read through a saved column mapping.

Banks export transactions as spreadsheets with their own headers, date formats and decimal marks. A
`ColumnMapping` says once, per bank export layout, which column is what; it is saved and reused.
Rows that cannot be read become `Issue`s (file, line, column, reason); the rest are kept.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from arguard.core.errors import ImportRejected, Issue
from arguard.recon.model import Entry, Party, Remittance, Statement, TransactionDetail
from arguard.recon.readers.base import ReadResult

MAX_ROWS = 1_000_000


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which column holds what in one bank's export. Column names are matched case-insensitively.

    booking_date: column of the booking date; `date_format` its strptime format.
    amount: one signed amount column; or `credit` and `debit` columns (unsigned).
    decimal_mark: ',' for '1.234,56', '.' for '1,234.56'.
    remittance: columns joined into the remittance text.
    currency: a column, or `fixed_currency` for all rows; `account` a column or `fixed_account`.
    """

    booking_date: str
    amount: str | None = None
    credit: str | None = None
    debit: str | None = None
    value_date: str | None = None
    currency: str | None = None
    fixed_currency: str | None = None
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    remittance: tuple[str, ...] = ()
    bank_ref: str | None = None
    account: str | None = None
    fixed_account: str | None = None
    date_format: str = "%Y-%m-%d"
    decimal_mark: str = "."
    delimiter: str | None = None
    encoding: str = "utf-8-sig"
    skip_rows: int = 0
    name: str = field(default="custom")

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in
                ((f, getattr(self, f)) for f in self.__dataclass_fields__)}

    @classmethod
    def from_dict(cls, data: dict) -> ColumnMapping:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "remittance" in values:
            rem = values["remittance"]
            values["remittance"] = tuple([rem] if isinstance(rem, str) else rem)
        return cls(**values)


def read_tabular(data: bytes, source: str, mapping: ColumnMapping, xlsx: bool = False) -> ReadResult:
    rows: list[list[Any]] = _xlsx_rows(data, source) if xlsx else list(_csv_rows(data, source, mapping))
    rows = rows[mapping.skip_rows:]
    if not rows:
        raise ImportRejected(f"{source}: empty file", code="tabular_empty")
    header = [str(h or "").strip().lower() for h in rows[0]]
    col = {name: i for i, name in enumerate(header)}
    needed = [mapping.booking_date] + ([mapping.amount] if mapping.amount else [mapping.credit or "", mapping.debit or ""])
    missing = [n for n in needed if n and n.lower() not in col]
    if missing or not (mapping.amount or mapping.credit or mapping.debit):
        raise ImportRejected(f"{source}: columns {missing} of mapping '{mapping.name}' not in header {header}",
                             code="mapping_mismatch")
    issues: list[Issue] = []
    by_account: dict[tuple[str, str], list[Entry]] = {}
    for lineno, row in enumerate(rows[1:MAX_ROWS], start=2 + mapping.skip_rows):
        if not any(str(c or "").strip() for c in row):
            continue
        try:
            account, entry = _entry(row, col, mapping, lineno)
        except ValueError as exc:
            issues.append(Issue(source, lineno, exc.args[1] if len(exc.args) > 1 else None, str(exc.args[0])))
            continue
        by_account.setdefault((account, entry.currency), []).append(entry)
    statements = tuple(
        Statement(format="tabular", account=acc, currency=cur,
                  entries=tuple(_reindex(e, i) for i, e in enumerate(entries)), statement_id=None)
        for (acc, cur), entries in by_account.items()
    )
    if not statements:
        raise ImportRejected(f"{source}: no readable row ({len(issues)} rejected)", code="tabular_empty")
    return ReadResult(statements, tuple(issues))


def _reindex(e: Entry, i: int) -> Entry:
    return Entry(**{**{f: getattr(e, f) for f in e.__dataclass_fields__}, "index": i})


def _csv_rows(data: bytes, source: str, mapping: ColumnMapping) -> list[list[str]]:
    try:
        text = data.decode(mapping.encoding)
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    delimiter = mapping.delimiter
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportRejected(f"{source}: not a readable CSV file ({exc})", code="tabular_unreadable") from None


def _xlsx_rows(data: bytes, source: str) -> list[list[object]]:
    import openpyxl

    from arguard.core.archives import MAX_XLSX_ROWS, check_xlsx, too_many_rows

    check_xlsx(data, source)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise ImportRejected(f"{source}: unreadable XLSX ({exc})", code="tabular_unreadable") from None
    if not book.worksheets:
        raise ImportRejected(f"{source}: the workbook has no sheet", code="tabular_unreadable")
    rows: list[list[object]] = []
    try:
        for r in book.worksheets[0].iter_rows(values_only=True):
            rows.append(list(r))
            if len(rows) > MAX_XLSX_ROWS:
                raise too_many_rows(source)
    except ImportRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken sheet fails while it is read, not when opened
        raise ImportRejected(f"{source}: unreadable XLSX ({type(exc).__name__})", code="tabular_unreadable") \
            from None
    return rows


def _cell(row: list, col: dict[str, int], name: str | None) -> object:
    if not name or name.lower() not in col or col[name.lower()] >= len(row):
        return None
    value = row[col[name.lower()]]
    return value.strip() if isinstance(value, str) else value


def _amount(value: object, mark: str, column: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))       # spreadsheet cells are floats; repr keeps the typed digits
    s = str(value).replace(" ", "").replace("\u00a0", "").replace("'", "")
    s = s.replace(".", "").replace(",", ".") if mark == "," else s.replace(",", "")
    try:
        return Decimal(s)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}", column) from None


def _date(value: object, fmt: str, column: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.strptime(str(value).strip(), fmt).date()
    except ValueError:
        raise ValueError(f"not a date in format {fmt}: {value!r}", column) from None


def _entry(row: list, col: dict[str, int], m: ColumnMapping, lineno: int) -> tuple[str, Entry]:
    booking = _date(_cell(row, col, m.booking_date), m.date_format, m.booking_date)
    if booking is None:
        raise ValueError("booking date missing", m.booking_date)
    if m.amount:
        amount = _amount(_cell(row, col, m.amount), m.decimal_mark, m.amount)
    else:
        credit = _amount(_cell(row, col, m.credit), m.decimal_mark, m.credit or "") or Decimal(0)
        debit = _amount(_cell(row, col, m.debit), m.decimal_mark, m.debit or "") or Decimal(0)
        amount = abs(credit) - abs(debit)
    if amount is None:
        raise ValueError("amount missing", m.amount)
    currency = str(_cell(row, col, m.currency) or m.fixed_currency or "").upper()
    if len(currency) != 3:
        raise ValueError(f"no currency (got {currency!r})", m.currency)
    name = _cell(row, col, m.counterparty_name)
    acct = _cell(row, col, m.counterparty_account)
    party = Party(name=str(name), account=str(acct).replace(" ", "") if acct else None) if (name or acct) else None
    texts = tuple(str(v) for v in (_cell(row, col, c) for c in m.remittance) if v not in (None, ""))
    detail = TransactionDetail(debtor=party if amount > 0 else None, creditor=party if amount <= 0 else None,
                               remittance=Remittance(unstructured=texts))
    account = str(_cell(row, col, m.account) or m.fixed_account or "").replace(" ", "")
    bank_ref = _cell(row, col, m.bank_ref)
    return account, Entry(index=0, amount=amount, currency=currency, booking_date=booking,
                          value_date=_date(_cell(row, col, m.value_date), m.date_format, m.value_date or ""),
                          bank_ref=str(bank_ref) if bank_ref else None, info=" ".join(texts),
                          details=(detail,))
