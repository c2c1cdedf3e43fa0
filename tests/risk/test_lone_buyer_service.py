"""A buyer alone in its country is judged against the seller's whole book (risk README rule 17), whether
the whole book is graded or only that buyer (e.g. after a dispute flag or an order check)."""

import pytest

from arguard.ledger import service as ledger
from arguard.ledger.model import CustomerRecord
from arguard.risk import service
from tests.risk.test_service import AS_OF, invoice_paid_late

pytestmark = pytest.mark.storage


def seed_book(ctx) -> None:  # type: ignore[no-untyped-def]
    """Six French buyers paying 20–30 days late, one Greek buyer paying 45 days late, growing."""
    buyers = [(f"FR{n}", "FR", [20 + 2 * n] * 10) for n in range(6)]
    buyers.append(("GR1", "GR", [30 + 3 * k for k in range(10)]))
    for code, country, lates in buyers:
        ledger.upsert_customer(ctx, CustomerRecord(code, f"{code} SA", country, sector="C28", terms_days=30))
        for k, late in enumerate(lates):
            invoice_paid_late(ctx, code, k, late)


def lateness_reason(grade):  # type: ignore[no-untyped-def]
    return next(r for r in grade.reasons if r.code == "payment.days_beyond_terms")


def test_a_lone_buyer_is_judged_against_the_book_alone_or_with_it(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        seed_book(ctx)
    with ctx_factory() as ctx:
        whole = service.grade_buyers(ctx, AS_OF)["GR1"]
    with ctx_factory() as ctx:
        alone = service.grade_buyers(ctx, AS_OF, ["GR1"])["GR1"]
    for grade in (whole, alone):  # the book's median lateness: 20, 22, 24, 26, 28, 30 and the Greek 42
        assert "26 usual in the seller's book" in lateness_reason(grade).label
    assert alone.pd_12m == whole.pd_12m
