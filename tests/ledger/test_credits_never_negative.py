"""Credit notes are credits (ledger rules 15–16): when a credit note is the largest item, no overdue, DSO,
ADD or days-past-due figure is negative and CEI stays within 0–100 % — in the service, the reports and
the API (the overview page shows these same figures)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arguard.core.money import Money
from arguard.ledger import metrics
from arguard.ledger import service as ledger
from arguard.ledger.model import CustomerRecord, InvoiceRecord
from tests.conftest import auth

TODAY = date.today()


@given(st.integers(-10**9, 10**9), st.integers(-10**9, 10**9), st.integers(-10**9, 10**9), st.integers(-10**9, 10**9))
def test_cei_stays_within_its_range(opening: int, sales: int, closing: int, current: int) -> None:
    value = metrics.cei(opening, sales, closing, current)
    assert value is None or Decimal(0) <= value <= Decimal(100)
    if opening + sales - closing >= 0 and closing - current >= 0 and value is not None:  # the textbook case
        expected = Decimal(opening + sales - closing) / Decimal(opening + sales - current) * 100
        assert abs(value - expected) < Decimal("0.01")


@given(st.integers(-10**9, 10**9), st.integers(1, 10**9), st.integers(1, 3650))
def test_dso_is_never_negative(closing: int, sales: int, days: int) -> None:
    value = metrics.simple_dso(closing, sales, days)
    assert value is not None and value >= 0


def seed(ctx: Any) -> None:
    """A customer owing 100.00 (45 days overdue) with a 190.00 credit note, its largest item."""
    ledger.upsert_customer(ctx, CustomerRecord("CRED", "Credit GmbH", "DE", terms_days=30))
    ledger.add_invoice(ctx, InvoiceRecord("I-100", "CRED", TODAY - timedelta(days=75), TODAY - timedelta(days=45),
                                          Money.of("100.00", "EUR")))
    ledger.add_invoice(ctx, InvoiceRecord("CN-190", "CRED", TODAY - timedelta(days=75), TODAY - timedelta(days=45),
                                          Money.of("-190.00", "EUR"), document_type="credit_note"))


NEVER_NEGATIVE = ("overdue", "1-30", "31-60", "61-90", "91-180", "181-365", ">365", "dso", "dso_count_back", "bpdso",
                  "add", "days_past_due")


def negatives(value: Any, path: str = "") -> list[str]:
    """Paths of the figures in a JSON answer that must never be negative and are."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in NEVER_NEGATIVE and isinstance(v, int | float | str) and str(v).startswith("-"):
                found.append(f"{path}.{k}={v}")
            if k == "amount" and path.endswith(".overdue") and str(v).startswith("-"):
                found.append(f"{path}.{k}={v}")
            found += negatives(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += negatives(v, f"{path}[{i}]")
    return found


@pytest.mark.storage
def test_a_credit_note_as_largest_item_gives_no_negative_figure(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        seed(ctx)
        items = {i.number: i for i in ledger.open_items(ctx, "CRED", TODAY)}
        assert items["CN-190"].days_past_due(TODAY) == 0 and items["I-100"].days_past_due(TODAY) == 45
        aging = ledger.aging_report(ctx, TODAY, "CRED")
        (row,) = aging.rows
        assert row.overdue == Money.of("100.00", "EUR") and row.total == Money.of("-90.00", "EUR")
        assert row.buckets[0] == Money.of("-190.00", "EUR")
        for f in ledger.dso_report(ctx, TODAY, 90, "CRED"):
            assert f.dso is None or f.dso >= 0
            assert f.bpdso is None or f.bpdso >= 0
            assert f.add is None or f.add >= 0
            assert f.cei is None or 0 <= f.cei <= 100


@pytest.mark.storage
def test_no_negative_figure_in_the_api(api, company) -> None:  # type: ignore[no-untyped-def]
    from arguard.db.session import get_engine, session_scope
    from arguard.platform.context import ServiceContext

    client, key_for = api
    with session_scope(get_engine()) as s:
        seed(ServiceContext(s, company[0], "test", "admin"))
    h = auth(key_for("viewer"))
    answers = {path: client.get(path, headers=h) for path in (
        "/api/v1/reports/aging", "/api/v1/reports/dso", "/api/v1/customers/CRED/detail",
        "/api/v1/customers/CRED/open-items")}
    for path, r in answers.items():
        assert r.status_code == 200, (path, r.text)
        assert negatives(r.json()) == [], path
    items = {i["invoice_number"]: i for i in answers["/api/v1/customers/CRED/open-items"].json()}
    assert items["CN-190"]["days_past_due"] == 0
