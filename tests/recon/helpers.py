"""Tiny ledgers and bank statements written as tables, for the service, API and page tests."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from arguard.core.money import Money
from arguard.ledger import service as ledger
from arguard.ledger.model import CustomerRecord, InvoiceRecord

CUSTOMERS = """
code  iban                    name
C1    DE89370400440532013000  Müller Maschinenbau GmbH
C2    -                       Acme Trading Co., Ltd.
C3    -                       Nordwind Logistik AG
"""

INVOICES = """
number          customer  amount   payment_reference
INV-2024-00123  C1        1000.00  -
INV-2024-00124  C1        250.00   -
INV-2024-00200  C2        500.00   RF18539007547034
INV-2024-00300  C3        700.00   -
INV-2024-00301  C3        420.00   -
"""


def rows(table: str) -> list[dict[str, str]]:
    """Columns are separated by two or more spaces, so that names may hold single spaces."""
    lines = [ln.strip() for ln in table.strip().splitlines() if ln.strip()]
    header = re.split(r"\s{2,}", lines[0])
    return [dict(zip(header, re.split(r"\s{2,}", ln), strict=True)) for ln in lines[1:]]


def seed_ledger(ctx: Any, customers: str = CUSTOMERS, invoices: str = INVOICES) -> None:
    for c in rows(customers):
        ledger.upsert_customer(ctx, CustomerRecord(code=c["code"], name=c["name"], country="DE", currency="EUR",
                                                   ibans=() if c["iban"] == "-" else (c["iban"],)))
    for i in rows(invoices):
        ledger.add_invoice(ctx, InvoiceRecord(
            number=i["number"], customer_code=i["customer"], issue_date=date(2024, 1, 1), due_date=date(2024, 1, 31),
            amount=Money.of(i["amount"], "EUR"),
            payment_reference=None if i["payment_reference"] == "-" else i["payment_reference"]))


def _mt_amount(value: Decimal) -> str:
    return f"{abs(value):.2f}".replace(".", ",")


def mt940(entries: str, number: int = 1, opening: str = "1000.00", account: str = "NL34RABO0142623393",
          day: date = date(2024, 2, 1), closing: str | None = None) -> bytes:
    """An MT940 statement from a table: ref, amount (negative = debit), payer, iban ('-' none), remittance."""
    yymmdd = day.strftime("%y%m%d")
    lines = [":20:STMT" + str(number), f":25:{account} EUR", f":28C:{number}/1",
             f":60F:C{yymmdd}EUR{_mt_amount(Decimal(opening))}"]
    total = Decimal(opening)
    for r in rows(entries):
        amount = Decimal(r["amount"])
        total += amount
        mark = "C" if amount > 0 else "D"
        lines.append(f":61:{yymmdd}{day.strftime('%m%d')}{mark}{_mt_amount(amount)}NTRFNONREF//{r['ref']}")
        iban = "" if r["iban"] == "-" else f"/IBAN/{r['iban']}"
        lines.append(f":86:/TRTP/SEPA OVERBOEKING{iban}/NAME/{r['payer']}/REMI/{r['remittance']}")
    end = Decimal(closing) if closing is not None else total
    lines.append(f":62F:{'C' if end >= 0 else 'D'}{yymmdd}EUR{_mt_amount(end)}")
    lines.append("-")
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")
