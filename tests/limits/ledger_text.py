"""Tiny ledgers written as text, for the limits tests.

    customer ACME DE sector=C terms=30 parent=GRP     a buyer (country, optional sector/terms/parent)
    invoice ACME I-1 40000 EUR due 2026-02-01         an open invoice (issued 30 days before due)
    paid I-1 15000                                     a payment applied to the invoice
    order ACME SO-9 5000 EUR ship 2026-03-05 shipped  an order known from the order book
    limit ACME 100000 internal approved from 2026-01-01 [to …] [review …] [cover_stopped]
    fx USD EUR 0.9 2026-01-01                          1 USD = 0.9 EUR from that day
    appetite country DE 250000                         a risk-appetite cap (scope key amount)
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from arguard.core.money import Money
from arguard.ledger import service as ledger
from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord
from arguard.ledger.tables import Customer
from arguard.limits import service
from arguard.limits.orders_io import OrderLine
from arguard.platform.context import ServiceContext

AS_OF = date(2026, 3, 1)


def _opts(words: list[str]) -> dict[str, str]:
    return dict(w.split("=", 1) for w in words if "=" in w)


def _after(words: list[str], key: str) -> str | None:
    return words[words.index(key) + 1] if key in words else None


def write(ctx: ServiceContext, text: str, as_of: date = AS_OF) -> None:
    """Record the ledger, orders, limits and caps the text describes."""
    for raw in text.strip().splitlines():
        w = raw.split()
        if not w or w[0].startswith("#"):
            continue
        kind, args = w[0], w[1:]
        if kind == "customer":
            o = _opts(args)
            ledger.upsert_customer(ctx, CustomerRecord(code=args[0], name=f"{args[0]} Ltd", country=args[1],
                                                       sector=o.get("sector"), terms_days=int(o.get("terms", 30)),
                                                       parent_code=o.get("parent")))
        elif kind == "invoice":
            due = date.fromisoformat(args[5])
            ledger.add_invoice(ctx, InvoiceRecord(number=args[1], customer_code=args[0], issue_date=due - timedelta(30),
                                                  due_date=due, amount=Money.of(args[2], args[3]),
                                                  order_number=_opts(args).get("order")))
        elif kind == "paid":
            inv = ledger.find_invoice(ctx, args[0])
            assert inv is not None
            code = ctx.session.get(Customer, inv.customer_id).code
            ledger.add_payment(ctx, PaymentRecord(external_id=f"P-{args[0]}-{args[1]}", customer_code=code,
                                                  received_on=as_of, amount=Money.of(args[1], inv.currency),
                                                  invoice_numbers=(args[0],)))
        elif kind == "order":
            line = OrderLine(args[1], args[0], Money.of(args[2], args[3]), date.fromisoformat(args[5]),
                             "shipped" if "shipped" in args else "open")
            _, issues = service.import_orders(ctx, [line], as_of=as_of)
            assert not issues, issues
        elif kind == "limit":
            service.decide_limit(ctx, args[0], service.DecisionInput(
                kind=args[2], status=args[3], amount=Money.of(args[1], service.get_policy(ctx).currency),
                reason="test", effective_from=_date(_after(args, "from")), effective_to=_date(_after(args, "to")),
                review_on=_date(_after(args, "review")), cover_stopped="cover_stopped" in args),
                on=_date(_after(args, "on")) or as_of)
        elif kind == "fx":
            ledger.add_fx_rate(ctx, args[0], args[1], Decimal(args[2]), date.fromisoformat(args[3]))
        elif kind == "appetite":
            service.set_appetite(ctx, args[0], args[1], Money.of(args[2], service.get_policy(ctx).currency))
        else:
            raise ValueError(f"unknown line: {raw}")


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def check(ctx: ServiceContext, order_id: str, customer: str, amount: str, currency: str = "EUR",
          ship: str = "2026-03-10", as_of: date = AS_OF, grades=None) -> service.CheckAnswer:  # type: ignore[no-untyped-def]
    return service.check_order(ctx, service.OrderCheck(order_id, customer, Money.of(amount, currency),
                                                       date.fromisoformat(ship)), as_of=as_of, grades=grades)


def codes(answer: service.CheckAnswer) -> list[str]:
    return [r["code"] for r in answer.reasons]
