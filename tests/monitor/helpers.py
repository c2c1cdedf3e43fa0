"""Tiny ledgers and event lists written as text in the tests, loaded through the real services.

    customer ACME DE machinery              code, country, sector
    invoice INV-1 ACME 2026-01-01 2026-01-31 10000.00 EUR     number, customer, issued, due, amount
    payment P-1 ACME 2026-02-10 4000.00 EUR INV-1             id, customer, received, amount, invoices…
    fx USD EUR 2026-01-01 0.9                                 base, quote, valid from, rate
    event grade.changed ACME 2026-03-01 from=4 to=8           type, customer (or -), date, details k=v
"""

from __future__ import annotations

import json
import shlex
from datetime import date
from decimal import Decimal

from arguard.core.money import Money
from arguard.ledger import service as ledger
from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord
from arguard.ledger.tables import FxRateRow
from arguard.monitor import service
from arguard.monitor.model import EventRecord
from arguard.platform.context import ServiceContext


def _value(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return text


def event_record(line: str) -> EventRecord:
    kind, code, on, *pairs = shlex.split(line)
    details = {k: _value(v) for k, v in (p.split("=", 1) for p in pairs)}
    return EventRecord(kind, None if code == "-" else code, date.fromisoformat(on), details)


def load(ctx: ServiceContext, text: str, as_of: date | None = None) -> list:
    """Write the ledger lines through the ledger service, the event lines through the monitor service;
    returns the alerts the events raised (evaluated as of `as_of`, default the event's date)."""
    alerts = []
    for raw in text.strip().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        word, rest = line.split(None, 1)
        f = rest.split()
        if word == "customer":
            ledger.upsert_customer(ctx, CustomerRecord(code=f[0], name=f"{f[0]} Ltd", country=f[1],
                                                       sector=f[2] if len(f) > 2 else None))
        elif word == "invoice":
            ledger.add_invoice(ctx, InvoiceRecord(number=f[0], customer_code=f[1],
                                                  issue_date=date.fromisoformat(f[2]),
                                                  due_date=date.fromisoformat(f[3]), amount=Money.of(f[4], f[5])))
        elif word == "payment":
            ledger.add_payment(ctx, PaymentRecord(external_id=f[0], customer_code=f[1],
                                                  received_on=date.fromisoformat(f[2]),
                                                  amount=Money.of(f[3], f[4]), invoice_numbers=tuple(f[5:])))
        elif word == "fx":
            ctx.session.add(FxRateRow(company_id=ctx.company_id, base=f[0], quote=f[1],
                                      valid_on=date.fromisoformat(f[2]), rate=str(Decimal(f[3]))))
            ctx.session.flush()
        elif word == "event":
            rec = event_record(rest)
            _, _, raised = service.post_event(ctx, rec, as_of or rec.occurred_on)
            alerts += raised
        else:
            raise ValueError(f"unknown line {line!r}")
    return alerts
