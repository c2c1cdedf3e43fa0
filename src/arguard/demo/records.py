"""Turn the simulated columns into the ledger's records: numbers, dates, references. Pure.

Numbering: invoices `INV-<year>-<nnnnnn>` in issue order, credit notes `CN-<year>-<nnnnnn>`, payments
`PAY-<yyyymmdd>-<nnnnnn>`. Euro invoices carry an ISO 11649 creditor reference (RF…) built from the
invoice number; payers quote it, or the invoice number in one of the ways people write it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from arguard.core.money import Money
from arguard.demo.history import LedgerHistory
from arguard.demo.model import DemoBuyer, DemoWorld
from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord


def rf_reference(reference: str) -> str:
    """ISO 11649 creditor reference for an alphanumeric reference (at most 21 characters)."""
    body = "".join(ch for ch in reference.upper() if ch.isalnum())[:21]
    numeric = body if body.isdigit() else "".join(str(int(ch, 36)) for ch in body)
    digits = numeric + "271500"  # then R=27, F=15 and check digits 00
    return f"RF{98 - int(digits) % 97:02d}{body}"


def customer_record(b: DemoBuyer) -> CustomerRecord:
    return CustomerRecord(code=b.code, name=b.name, country=b.country, sector=b.sector, currency=b.currency,
                          terms_days=b.terms_days, tax_id=b.tax_id, email=b.email, language=b.language,
                          ibans=b.ibans, aliases=b.aliases, parent_code=b.parent_code)


def _dates(start_on: date, days: np.ndarray) -> list[date]:
    return (np.datetime64(start_on, "D") + days.astype("timedelta64[D]")).astype(object).tolist()


def _numbers(prefix: str, start_on: date, days: np.ndarray, width: int = 6) -> list[str]:
    """Numbers by year of the (sorted) days: PREFIX-YYYY-000001 …"""
    years = (np.datetime64(start_on, "D") + days.astype("timedelta64[D]")).astype("datetime64[Y]").astype(int)
    years += 1970
    first = np.searchsorted(years, years, side="left")
    seq = np.arange(len(days)) - first + 1
    return [f"{prefix}-{y}-{s:0{width}d}" for y, s in zip(years.tolist(), seq.tolist())]


@dataclass(frozen=True)
class Numbered:
    """Document numbers of a history, computed once."""

    invoices: list[str]
    credit_notes: list[str]
    payments: list[str]


def number_documents(world: DemoWorld, h: LedgerHistory) -> Numbered:
    cn_order = np.argsort(h.cn_day, kind="stable")
    cn_numbers_sorted = _numbers("CN", world.start_on, h.cn_day[cn_order])
    cn_numbers = [""] * len(cn_order)
    for pos, i in enumerate(cn_order.tolist()):
        cn_numbers[i] = cn_numbers_sorted[pos]
    pay_dates = _dates(world.start_on, h.pay_day)
    payments = [f"PAY-{d:%Y%m%d}-{i + 1:07d}" for i, d in enumerate(pay_dates)]
    return Numbered(_numbers("INV", world.start_on, h.inv_issue), cn_numbers, payments)


def credited(h: LedgerHistory) -> np.ndarray:
    """Per invoice: what its credit notes credit (minor units)."""
    return np.bincount(h.cn_invoice, weights=h.cn_amount, minlength=len(h.inv_amount)).astype(np.int64)


def invoice_records(world: DemoWorld, h: LedgerHistory, nums: Numbered, lo: int, hi: int,
                    credit: np.ndarray | None = None) -> list[InvoiceRecord]:
    """Invoices lo…hi-1 as ledger records. An invoice with a credit note comes with the credited part
    already settled (`open_amount`), the credit note fully used: see `credit_note_records`."""
    credit = credited(h) if credit is None else credit
    issue = _dates(world.start_on, h.inv_issue[lo:hi])
    due = _dates(world.start_on, h.inv_due[lo:hi])
    out = []
    for k, i in enumerate(range(lo, hi)):
        b = world.buyers[int(h.inv_buyer[i])]
        number = nums.invoices[i]
        ref = rf_reference(number.replace("INV-", "").replace("-", "")) if b.currency == "EUR" else number
        amount = int(h.inv_amount[i])
        cleared = int(credit[i])
        out.append(InvoiceRecord(number=number, customer_code=b.code, issue_date=issue[k], due_date=due[k],
                                 amount=Money.from_minor(amount, b.currency),
                                 open_amount=Money.from_minor(amount - cleared, b.currency) if cleared else None,
                                 payment_reference=ref, order_number=f"SO-{i + 100001:07d}"))
    return out


def credit_note_records(world: DemoWorld, h: LedgerHistory, nums: Numbered) -> list[InvoiceRecord]:
    """Credit notes, each quoting the invoice it credits as its payment reference; due when issued.

    The ledger has no application of a credit note to an invoice yet, so the pair is written as
    cleared: the credit note with nothing open, its invoice with the credited part settled (the
    import's `open_amount`, an opening settlement). Balances, aging and overdue days are then those
    of a ledger whose clerk cleared the credit note."""
    days = _dates(world.start_on, h.cn_day)
    out = []
    for k in np.argsort(h.cn_day, kind="stable").tolist():
        inv = int(h.cn_invoice[k])
        b = world.buyers[int(h.inv_buyer[inv])]
        out.append(InvoiceRecord(number=nums.credit_notes[k], customer_code=b.code, issue_date=days[k],
                                 due_date=days[k], document_type="credit_note",
                                 amount=Money.from_minor(-int(h.cn_amount[k]), b.currency),
                                 open_amount=Money.zero(b.currency),
                                 payment_reference=nums.invoices[inv], order_number=f"SO-{inv + 100001:07d}"))
    return out


def _reference(style: int, numbers: list[str]) -> str:
    if style == 0:
        text = " ".join(numbers)
    elif style == 1:
        text = "INVOICE " + ", ".join(numbers)
    elif style == 2:
        text = "RE " + " ".join(n.replace("INV-", "").replace("-", "/", 1) for n in numbers)
    else:
        text = "/".join(n.replace("-", "") for n in numbers)
    return text[:140]


def payment_records(world: DemoWorld, h: LedgerHistory, nums: Numbered, lo: int, hi: int) -> list[PaymentRecord]:
    """Payments lo…hi-1 as ledger records, naming the invoices they settle (partial one last)."""
    days = _dates(world.start_on, h.pay_day[lo:hi])
    a_lo, a_hi = np.searchsorted(h.al_payment, [lo, hi])
    starts = np.searchsorted(h.al_payment[a_lo:a_hi], np.arange(lo, hi + 1)) + a_lo
    out = []
    for k, p in enumerate(range(lo, hi)):
        b_ix = int(h.pay_buyer[p])
        b = world.buyers[b_ix]
        numbers = [nums.invoices[i] for i in h.al_invoice[starts[k]:starts[k + 1]].tolist()]
        out.append(PaymentRecord(external_id=nums.payments[p], customer_code=b.code, received_on=days[k],
                                 amount=Money.from_minor(int(h.pay_amount[p]), b.currency),
                                 invoice_numbers=tuple(numbers), reference=_reference(b_ix % 4, numbers)))
    return out


def invoices_csv(records: Sequence[InvoiceRecord]) -> bytes:
    """Invoices and credit notes in the ledger's canonical CSV import format (docs/formats.md)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["invoice_number", "customer_id", "issue_date", "due_date", "currency", "amount", "open_amount",
                "document_type", "payment_reference", "order_number"])
    w.writerows([r.number, r.customer_code, r.issue_date.isoformat(), r.due_date.isoformat(), r.amount.currency,
                 str(r.amount.amount), "" if r.open_amount is None else str(r.open_amount.amount), r.document_type,
                 r.payment_reference or "", r.order_number or ""] for r in records)
    return buf.getvalue().encode()


def payments_csv(records: Sequence[PaymentRecord]) -> bytes:
    """Payments in the ledger's canonical CSV import format; the invoices they settle joined by ';'."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["payment_id", "customer_id", "date", "currency", "amount", "invoice_number", "reference"])
    w.writerows([r.external_id, r.customer_code, r.received_on.isoformat(), r.amount.currency,
                 str(r.amount.amount), ";".join(r.invoice_numbers), r.reference or ""] for r in records)
    return buf.getvalue().encode()


def chunks(n: int, size: int) -> Iterator[tuple[int, int]]:
    for lo in range(0, n, size):
        yield lo, min(n, lo + size)


def fx_rates(world: DemoWorld, rates: dict[str, str], rng: np.random.Generator) -> list[tuple[str, str, date]]:
    """Monthly EUR→currency rates over the history: a gentle random walk around the reference rate."""
    out = []
    months = (world.as_of.year - world.start_on.year) * 12 + world.as_of.month - world.start_on.month + 1
    for quote, ref in sorted(rates.items()):
        if quote == world.base_currency:
            continue
        walk = np.exp(np.cumsum(rng.normal(0, 0.015, months)))
        for m in range(months):
            y, mo = divmod(world.start_on.month - 1 + m, 12)
            on = date(world.start_on.year + y, mo + 1, 1)
            out.append((quote, f"{float(ref) * walk[m]:.6g}", max(on, world.start_on - timedelta(days=0))))
    return out
