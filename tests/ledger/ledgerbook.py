"""Tiny ledgers written as text, one fact per line, booked through the ledger service.

    customer C1 DE EUR [zh-CN]
    invoice I1 C1 2026-01-01 due 2026-01-31 100.00 EUR
    credit CN1 C1 2026-01-05 due 2026-01-05 -20.00 EUR
    payment P1 C1 2026-02-10 60.00 EUR -> I1 I2
    writeoff I1 10.00 EUR on 2026-03-01
    rate USD EUR 0.9 on 2026-01-01
"""

from __future__ import annotations

from datetime import date

from arguard.core.money import Money
from arguard.ledger import service
from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord
from arguard.platform.context import ServiceContext


def book(ctx: ServiceContext, text: str) -> None:
    for raw in text.strip().splitlines():
        w = raw.split()
        if not w or w[0].startswith("#"):
            continue
        if w[0] == "customer":
            lang = w[4] if len(w) > 4 else "en"
            service.upsert_customer(ctx, CustomerRecord(w[1], f"{w[1]} Ltd", w[2], currency=w[3], language=lang))
        elif w[0] in ("invoice", "credit"):
            service.add_invoice(ctx, InvoiceRecord(
                w[1], w[2], date.fromisoformat(w[3]), date.fromisoformat(w[5]), Money.of(w[6], w[7]),
                document_type="invoice" if w[0] == "invoice" else "credit_note"))
        elif w[0] == "payment":
            numbers = tuple(w[w.index("->") + 1:]) if "->" in w else ()
            service.add_payment(ctx, PaymentRecord(w[1], w[2], date.fromisoformat(w[3]), Money.of(w[4], w[5]),
                                                   numbers))
        elif w[0] == "writeoff":
            service.write_off(ctx, w[1], Money.of(w[2], w[3]), date.fromisoformat(w[5]), "test")
        elif w[0] == "rate":
            service.add_fx_rate(ctx, w[1], w[2], w[3], date.fromisoformat(w[5]))
        else:
            raise ValueError(f"unknown fact: {raw}")
