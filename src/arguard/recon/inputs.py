"""Files in and out of the stateless `arguard recon match`: canonical ledger CSVs in, matches CSV out.

Input columns are the ledger's canonical import columns:
- customers: customer_id, name [, iban (several separated by ';'), aliases (';')];
- invoices: invoice_number, customer_id, currency, amount [, open_amount, due_date, issue_date,
  payment_reference, order_number, document_type (invoice | credit_note)].
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from arguard.core.errors import ArguardError, ImportRejected, Issue
from arguard.core.money import FxRate, Money, exponent, parse_amount
from arguard.recon.model import OpenItem, Proposal
from arguard.recon.parties import CustomerInfo

MATCH_COLUMNS = ("entry_ref", "invoice_number", "applied_amount", "status", "confidence")


def _rows(data: bytes, source: str, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    text = data.decode("utf-8-sig", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise ImportRejected(f"{source}: missing column(s) {', '.join(missing)}", code="missing_columns")
        out = []
        for lineno, row in enumerate(reader, start=2):
            # cells beyond the header come as a list under the key None: not a column, left out
            out.append((lineno, {(k or "").strip().lower(): v.strip() for k, v in row.items()
                                 if isinstance(v, str)}))
    except csv.Error as exc:
        raise ImportRejected(f"{source}: not a readable CSV file ({exc})", code="unreadable_csv") from None
    return out


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def load_open_items(data: bytes, source: str = "invoices.csv") -> tuple[list[OpenItem], list[Issue]]:
    items: list[OpenItem] = []
    issues: list[Issue] = []
    for lineno, row in _rows(data, source, ("invoice_number", "customer_id", "currency", "amount")):
        try:
            currency = row["currency"].upper()
            amount = Money(parse_amount(row["amount"]), currency).amount
            open_text = row.get("open_amount", "")
            open_amount = Money(parse_amount(open_text), currency).amount if open_text else amount
        except (ArguardError, ArithmeticError) as exc:  # every bad row is reported, the rest kept
            issues.append(Issue(source, lineno, "amount", str(exc)))
            continue
        doc = (row.get("document_type") or "invoice").lower()
        if doc == "credit_note":
            amount, open_amount = -abs(amount), -abs(open_amount)
        items.append(OpenItem(
            number=row["invoice_number"], customer_id=row["customer_id"], currency=currency,
            open_amount=open_amount, amount=amount, due_date=_date(row.get("due_date", "")),
            issue_date=_date(row.get("issue_date", "")), payment_reference=row.get("payment_reference") or None,
            order_number=row.get("order_number") or None, document_type=doc,
        ))
    return items, issues


def load_customers(data: bytes, source: str = "customers.csv") -> list[CustomerInfo]:
    out = []
    for _, row in _rows(data, source, ("customer_id", "name")):
        ibans = tuple(x.strip() for x in (row.get("iban") or "").replace(",", ";").split(";") if x.strip())
        aliases = tuple(x.strip() for x in (row.get("aliases") or "").split(";") if x.strip())
        out.append(CustomerInfo(row["customer_id"], row["name"], ibans, aliases))
    return out


def load_rates(data: bytes, source: str = "rates.csv") -> list[FxRate]:
    out = []
    for lineno, row in _rows(data, source, ("base", "quote", "rate", "valid_on")):
        on = _date(row["valid_on"])
        if on is None:
            raise ImportRejected(f"{source}:{lineno}: valid_on is not a date", code="invalid_date")
        out.append(FxRate(row["base"].upper(), row["quote"].upper(), Decimal(row["rate"]), on))
    return out


def match_rows(proposals: Iterable[Proposal]) -> list[dict[str, str]]:
    """One row per application of automatic and suggested proposals."""
    rows = []
    for p in proposals:
        if p.status not in ("auto", "suggested"):
            continue
        for app in p.applications:
            q = Decimal(1).scaleb(-exponent(app.currency))
            rows.append({"entry_ref": p.entry_ref or f"#{p.entry_index + 1}", "invoice_number": app.invoice_number,
                         "applied_amount": str(app.amount.quantize(q)), "status": p.status,
                         "confidence": f"{p.confidence:.2f}"})
    return rows


def write_matches(proposals: Iterable[Proposal]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=MATCH_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(match_rows(proposals))
    return buf.getvalue()
