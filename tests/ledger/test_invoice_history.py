"""Every invoice with how and when it was settled, as of a date (the forecast's and provisions' read)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pytest

from arguard.core.errors import ValidationError
from arguard.ledger.interface import invoice_columns, invoice_history, invoice_positions
from tests.ledger.ledgerbook import book

pytestmark = pytest.mark.storage

LEDGER = """
customer C1 DE EUR
customer C2 FR EUR
invoice I1 C1 2026-01-01 due 2026-01-31 100.00 EUR
invoice I2 C1 2026-01-10 due 2026-02-09 50.00 EUR
invoice I3 C2 2026-02-01 due 2026-03-03 70.00 EUR
credit CN1 C2 2026-02-05 due 2026-02-05 -20.00 EUR
invoice I4 C2 2026-04-01 due 2026-05-01 30.00 EUR
payment P1 C1 2026-02-10 110.00 EUR -> I2 I1
writeoff I1 40.00 EUR on 2026-03-01
"""


def test_an_invoice_is_settled_on_the_day_of_the_fact_that_closed_it(ctx_factory: Callable) -> None:
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    with ctx_factory() as ctx:
        h = invoice_history(ctx, date(2026, 3, 31))
    # the credit note is not an invoice; I4 is issued after the date
    assert h.numbers == ("I1", "I2", "I3")
    assert h.open_minor == (0, 0, 7000) and h.paid_minor == (6000, 5000, 0)
    assert h.written_off_minor == (4000, 0, 0)
    # I1: 60.00 paid on 02-10, the rest written off on 03-01; I2 paid in full on 02-10; I3 still open
    assert h.settled_on == (date(2026, 3, 1), date(2026, 2, 10), None)
    assert h.issue_dates[0] == date(2026, 1, 1) and h.due_dates[2] == date(2026, 3, 3)


def test_facts_after_the_date_are_not_known_on_it(ctx_factory: Callable) -> None:
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    with ctx_factory() as ctx:
        before_payment = invoice_history(ctx, date(2026, 2, 9))
        before_writeoff = invoice_history(ctx, date(2026, 2, 28))
        since = invoice_history(ctx, date(2026, 4, 30), since=date(2026, 2, 1))
    assert before_payment.open_minor == (10000, 5000, 7000) and before_payment.settled_on == (None,) * 3
    assert before_writeoff.open_minor == (4000, 0, 7000)
    assert before_writeoff.settled_on == (None, date(2026, 2, 10), None)
    assert since.numbers == ("I3", "I4")


def test_the_columns_hold_what_the_history_holds(ctx_factory: Callable) -> None:
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    with ctx_factory() as ctx:
        h = invoice_history(ctx, date(2026, 4, 30))
        c = invoice_columns(ctx, date(2026, 4, 30))
        empty = invoice_columns(ctx, date(2025, 12, 31))
    assert len(c) == len(h) == 4 and len(empty) == 0
    assert tuple(c.numbers.tolist()) == h.numbers and tuple(c.customer_codes.tolist()) == h.customer_codes
    assert c.settled_on.dtype == np.dtype("datetime64[D]") and np.isnat(c.settled_on[2])
    assert tuple(c.settled_on.tolist()) == h.settled_on and tuple(c.open_minor.tolist()) == h.open_minor


def test_the_open_items_as_of_a_date_are_those_open_then_paid_or_written_off_later_included(
        ctx_factory: Callable) -> None:
    """`open_invoices_bulk` (credit insurance's book, the forecast's insured cover): an invoice closed
    after the date is open on it with its amount then; one closed before it is not listed."""
    from arguard.ledger.interface import open_invoices_bulk

    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    with ctx_factory() as ctx:
        def open_on(day: date) -> dict[str, int]:
            return {r.number: r.open_minor for r in open_invoices_bulk(ctx, day)}

        assert open_on(date(2026, 2, 9)) == {"I1": 10000, "I2": 5000, "I3": 7000}
        assert open_on(date(2026, 2, 28)) == {"I1": 4000, "I3": 7000}       # I2 paid on 02-10
        assert open_on(date(2026, 4, 30)) == {"I3": 7000, "I4": 3000}       # I1 written off on 03-01


def test_positions_at_many_dates_are_the_columns_at_each(ctx_factory: Callable) -> None:
    # Month-ends around every fact: before I1's payment, the payment day itself, the write-off, I4's issue.
    dates = [date(2026, 1, 31), date(2026, 2, 10), date(2026, 2, 28), date(2026, 3, 1), date(2026, 4, 30)]
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    with ctx_factory() as ctx:
        pos = invoice_positions(ctx, dates)
        columns = [invoice_columns(ctx, d) for d in dates]
    assert pos.numbers.tolist() == ["I1", "I2", "I3", "I4"]  # the credit note is not an invoice
    for k, h in enumerate(columns):
        rows = [pos.numbers.tolist().index(n) for n in h.numbers]
        assert pos.open_minor[rows, k].tolist() == h.open_minor.tolist(), dates[k]
        assert pos.written_off_minor[rows, k].tolist() == h.written_off_minor.tolist(), dates[k]
    # I1 by hand: 100.00 open, 60.00 of it paid on 02-10, 40.00 written off on 03-01; I4 not issued until 04-01
    assert pos.open_minor[0].tolist() == [10000, 4000, 4000, 0, 0]
    assert pos.written_off_minor[0].tolist() == [0, 0, 0, 4000, 4000]
    assert pos.open_minor[3].tolist() == [0, 0, 0, 0, 3000]


def test_positions_need_increasing_dates(ctx_factory: Callable) -> None:
    with ctx_factory() as ctx, pytest.raises(ValidationError, match="increasing"):
        invoice_positions(ctx, [date(2026, 3, 1), date(2026, 2, 1)])
