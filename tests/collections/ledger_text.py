"""Tiny ledgers written as text, recorded through the ledger's service (storage tests).

    customer K100 DE en k100@example.com "Müller & Söhne <GmbH>"   a buyer (country, language, e-mail, name)
    invoice K100 H-1 100.00 EUR due 2026-10-01                        issued 30 days before due
    credit K100 CN-1 -30.00 EUR on 2026-10-05                         a credit note
    pay K100 P-1 40.00 EUR on 2026-10-20 H-1                          a payment applied to H-1
    dispute H-1                                                       the buyer disputes H-1
    fx USD EUR 0.9 2026-01-01
"""

from __future__ import annotations

import shlex
from datetime import date, timedelta

from arguard.core.money import Money
from arguard.ledger import service as ledger
from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord
from arguard.platform.context import ServiceContext

POLICY = """
name: standard
currency: EUR
min_overdue_amount: "50.00"
levels:
  - {name: reminder,     days_overdue: 1,   channel: email,  fee: "0.00"}
  - {name: first_demand, days_overdue: 15,  channel: email,  fee: "5.00"}
  - {name: final_notice, days_overdue: 30,  channel: letter, fee: "15.00"}
  - {name: call,         days_overdue: 45,  channel: phone,  fee: "0.00"}
  - {name: agency,       days_overdue: 61,  channel: agency, fee: "0.00"}
  - {name: legal,        days_overdue: 120, channel: legal,  fee: "0.00"}
interest: {rate_pct: "10.50", basis: act/365}
compensation_per_invoice: "40.00"
"""


def write(ctx: ServiceContext, text: str) -> None:
    for raw in text.strip().splitlines():
        w = shlex.split(raw)
        if not w:
            continue
        kind, a = w[0], w[1:]
        if kind == "customer":
            ledger.upsert_customer(ctx, CustomerRecord(code=a[0], name=a[4] if len(a) > 4 else f"{a[0]} Ltd",
                                                       country=a[1], language=a[2] if len(a) > 2 else "en",
                                                       email=a[3] if len(a) > 3 else None))
        elif kind in ("invoice", "credit"):
            on = date.fromisoformat(a[5])
            due = on
            ledger.add_invoice(ctx, InvoiceRecord(
                number=a[1], customer_code=a[0], issue_date=due - timedelta(30) if kind == "invoice" else on,
                due_date=due, amount=Money.of(a[2], a[3]),
                document_type="invoice" if kind == "invoice" else "credit_note"))
        elif kind == "pay":
            ledger.add_payment(ctx, PaymentRecord(external_id=a[1], customer_code=a[0],
                                                  received_on=date.fromisoformat(a[5]), amount=Money.of(a[2], a[3]),
                                                  invoice_numbers=tuple(a[6:])))
        elif kind == "dispute":
            ledger.set_dispute(ctx, a[0], True, "test")
        elif kind == "fx":
            ledger.add_fx_rate(ctx, a[0], a[1], a[2], date.fromisoformat(a[3]))
        else:
            raise ValueError(raw)
