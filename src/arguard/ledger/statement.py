"""Statement of account (对账单) of one customer in one currency as of a date. Pure.

Lines: documents (invoice = debit, credit note = credit), payments (credit), write-offs and amounts
settled before import (credit), from `since` (exclusive of the opening balance) to `as_of`, with the
running balance. Identity: closing balance = open items as of − unapplied cash as of. Allocations do
not appear: they match payments to invoices but do not change what the customer owes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from arguard.core.money import Money
from arguard.ledger.model import CustomerRecord, OpenItem, StatementLine, StatementOfAccount


@dataclass(frozen=True, slots=True)
class Movement:
    """Anything that changes the customer's balance: signed minor units (+ owes more, − owes less).

    kind: 'invoice' | 'credit_note' | 'payment' | 'writeoff' | 'opening_settlement'."""

    on: date
    kind: str
    reference: str
    minor: int
    due_date: date | None = None


_ORDER = {"invoice": 0, "credit_note": 1, "opening_settlement": 2, "payment": 3, "writeoff": 4}


def build_statement(customer: CustomerRecord, currency: str, as_of: date, movements: Sequence[Movement],
                    open_items: Sequence[OpenItem], since: date | None = None) -> StatementOfAccount:
    """The statement from the customer's movements in `currency` (any dates; later ones are ignored)."""
    moves = sorted((m for m in movements if m.on <= as_of),
                   key=lambda m: (m.on, _ORDER.get(m.kind, 9), m.reference))
    opening = sum(m.minor for m in moves if since is not None and m.on < since)
    balance = opening
    lines = []
    for m in moves:
        if since is not None and m.on < since:
            continue
        balance += m.minor
        debit, credit = (m.minor, 0) if m.minor > 0 else (0, -m.minor)
        lines.append(StatementLine(on=m.on, kind=m.kind, reference=m.reference, due_date=m.due_date,
                                   debit=Money.from_minor(debit, currency),
                                   credit=Money.from_minor(credit, currency),
                                   balance=Money.from_minor(balance, currency)))
    items = tuple(sorted((i for i in open_items if i.open.currency == currency and not i.open.is_zero()),
                         key=lambda i: (i.due_date, i.number)))
    return StatementOfAccount(customer=customer, as_of=as_of, currency=currency,
                              opening_balance=Money.from_minor(opening, currency), lines=tuple(lines),
                              closing_balance=Money.from_minor(balance, currency), open_items=items)


LABELS: dict[str, tuple[str, str]] = {
    "title": ("Statement of account", "对账单"),
    "customer": ("Customer", "客户"),
    "customer_id": ("Customer ID", "客户编号"),
    "as_of": ("As of", "截至日期"),
    "currency": ("Currency", "币种"),
    "date": ("Date", "日期"),
    "type": ("Type", "类型"),
    "reference": ("Reference", "单据号"),
    "due_date": ("Due date", "到期日"),
    "debit": ("Debit", "借方"),
    "credit": ("Credit", "贷方"),
    "balance": ("Balance", "余额"),
    "opening_balance": ("Opening balance", "期初余额"),
    "closing_balance": ("Closing balance", "期末余额"),
    "open_items": ("Open items", "未结清项目"),
    "amount": ("Amount", "金额"),
    "open": ("Open", "未结金额"),
    "days_past_due": ("Days past due", "逾期天数"),
    "invoice": ("Invoice", "发票"),
    "credit_note": ("Credit note", "贷项通知单"),
    "payment": ("Payment", "收款"),
    "writeoff": ("Write-off", "核销"),
    "opening_settlement": ("Settled before import", "导入前已结清"),
    "confirm": ("Please confirm this balance or tell us of any difference.",
                "请核对上述余额，如有差异请告知我们。"),
}


def labels(language: str | None) -> dict[str, str]:
    """Labels in the customer's language: Chinese for 'zh*', English otherwise."""
    zh = (language or "").lower().startswith("zh")
    return {k: (v[1] if zh else v[0]) for k, v in LABELS.items()}
