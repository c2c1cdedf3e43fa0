"""The customers work list shows each buyer's count-back DSO (issue 12): the months of the buyer's own
credit sales, newest first, that its balance represents — not the simple 90-day ratio, which reads 90
days for a buyer whose only invoice was issued 10 days ago and hundreds of days for a buyer whose balance
outgrew its last 90 days of sales. Nothing owed or a credit balance is 0 days, never negative; and a
page sorted by DSO is the same page the whole board sorted by DSO gives."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from arguard.core.money import Money
from arguard.ledger import service as ledger
from arguard.ledger import worklist
from arguard.ledger.metrics import add_months
from arguard.ledger.model import CustomerRecord, InvoiceRecord
from arguard.ledger.service_views import base_currency
from arguard.web.worklist import arrange

TODAY = date.today()


def seed(ctx: Any) -> None:
    base = base_currency(ctx)

    def invoice(number: str, code: str, days_ago: int, amount: str, kind: str = "invoice") -> None:
        issued = TODAY - timedelta(days=days_ago)
        ledger.add_invoice(ctx, InvoiceRecord(number, code, issued, issued + timedelta(days=30),
                                              Money.of(amount, base), document_type=kind))

    for code, name in (("NEW", "New Buyer Ltd"), ("BIG", "Big Balance AG"), ("CRED", "Credit GmbH"),
                       ("NONE", "Quiet SA"), ("MID", "Midway BV")):
        ledger.upsert_customer(ctx, CustomerRecord(code, name, "DE", terms_days=30))
    invoice("N-1", "NEW", 10, "6086.00")            # one invoice, nothing else in two years
    invoice("B-1", "BIG", 200, "1000.00")           # an old invoice still open …
    invoice("B-2", "BIG", 20, "300.00")             # … and this month's sales: 1,300 owed on 300 of sales
    invoice("C-1", "CRED", 75, "100.00")
    invoice("C-2", "CRED", 75, "-190.00", "credit_note")  # in credit: 90.00 owed to the buyer
    invoice("M-1", "MID", 5, "500.00")              # half of this month's sales is still owed
    invoice("M-2", "MID", 6, "500.00")
    invoice("M-3", "MID", 40, "800.00")


def dso(rows: list[dict[str, Any]]) -> dict[str, Decimal | None]:
    return {r["code"]: r["dso"] for r in rows}


@pytest.mark.storage
def test_each_buyers_dso_counts_back_its_own_monthly_sales(ctx_factory: Any) -> None:
    with ctx_factory() as ctx:
        seed(ctx)
    with ctx_factory() as ctx:
        got = dso(worklist.customer_board(ctx, TODAY))
    month = Decimal((TODAY - add_months(TODAY, -1)).days)
    # one invoice of this month, wholly owed: the balance is this month's sales — one month, not 90 days
    assert got["NEW"] == month and got["NEW"] < 32
    # 1,300 owed: this month's 300 are consumed, then nothing for five months, then the invoice of 200
    # days ago (in the seventh month back) wholly — seven months, not 1,300 / 300 × 90 = 390 days
    assert got["BIG"] == Decimal((TODAY - add_months(TODAY, -7)).days)
    assert got["BIG"] > 90
    # 1,800 owed: this month's 1,000 of sales, then last month's 800 — two whole months
    assert got["MID"] == Decimal((TODAY - add_months(TODAY, -2)).days)
    assert got["CRED"] == 0 and got["NONE"] == 0  # a credit balance and nothing owed: 0 days, never negative
    assert all(v is None or v >= 0 for v in got.values())


@pytest.mark.storage
def test_part_of_a_month_counts_for_the_part_of_its_sales_still_owed(ctx_factory: Any) -> None:
    with ctx_factory() as ctx:
        base = base_currency(ctx)
        ledger.upsert_customer(ctx, CustomerRecord("HALF", "Half Paid Oy", "FI", terms_days=30))
        for number, days_ago, amount, still_open in (("H-1", 3, "1000.00", "1000.00"),
                                                     ("H-2", 8, "1000.00", "0.00"),
                                                     ("H-3", 45, "400.00", "400.00")):
            issued = TODAY - timedelta(days=days_ago)
            ledger.add_invoice(ctx, InvoiceRecord(number, "HALF", issued, issued + timedelta(days=60),
                                                  Money.of(amount, base), open_amount=Money.of(still_open, base)))
    with ctx_factory() as ctx:
        (row,) = [r for r in worklist.customer_board(ctx, TODAY) if r["code"] == "HALF"]
    # 1,400 owed; this month sold 2,000 (it covers the balance): 1,400 / 2,000 of the month
    month = Decimal((TODAY - add_months(TODAY, -1)).days)
    assert row["dso"] == (month * Decimal("0.7")).quantize(Decimal("0.1"))


@pytest.mark.storage
def test_the_page_sorted_by_dso_is_the_page_of_the_whole_board_sorted_by_dso(ctx_factory: Any) -> None:
    with ctx_factory() as ctx:
        seed(ctx)
    with ctx_factory() as ctx:
        board = worklist.customer_board(ctx, TODAY)
        for descending in (False, True):
            for offset in (0, 2):
                cut = worklist.customer_board_page(ctx, TODAY, sort="dso", descending=descending, offset=offset,
                                                   limit=2)
                assert cut is not None
                page = arrange(board, sort="dso", descending=descending, offset=offset, limit=2,
                               allowed=("dso",), default="dso")
                assert [(r["code"], r["dso"]) for r in cut[0]] == [(r["code"], r["dso"]) for r in page.rows]
        top = worklist.customer_board_page(ctx, TODAY, sort="dso", descending=True, limit=1)
        assert top is not None and top[0][0]["code"] == "BIG"
