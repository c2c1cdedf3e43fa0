"""Pure metrics: aging buckets, DSO (simple, count-back), best possible DSO, ADD, CEI."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from arguard.core.money import Money
from arguard.ledger import metrics
from arguard.ledger.model import OpenItem

AS_OF = date(2026, 6, 30)


def item(number: str, due: date, open_: str, customer: str = "C1", cur: str = "EUR") -> OpenItem:
    m = Money.of(open_, cur)
    return OpenItem(number, customer, "invoice", due - timedelta(days=30), due, m, m)


def test_bucket_edges():
    assert [metrics.bucket_index(d) for d in (-5, 0, 1, 30, 31, 60, 61, 90, 91, 180, 181, 365, 366, 9999)] == \
        [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]


def test_due_ranges_match_the_bucket_rule():
    ranges = metrics.bucket_due_ranges(AS_OF)
    for dpd in range(-40, 800):
        due = AS_OF - timedelta(days=dpd)
        inside = [k for k, (lo, hi) in enumerate(ranges) if (lo is None or due >= lo) and (hi is None or due <= hi)]
        assert inside == [metrics.bucket_index(dpd)]


def test_aging_of_a_tiny_ledger():
    items = [item("I1", date(2026, 7, 15), "100"), item("I2", date(2026, 6, 15), "50"),
             item("I3", date(2025, 1, 1), "7.50"), item("I4", date(2026, 6, 1), "10", customer="C2"),
             item("I5", date(2026, 6, 1), "300", cur="USD")]
    rows = metrics.age_items(items, AS_OF, unapplied=[("C1", Money.of("20", "EUR"))])
    c1 = next(r for r in rows if r.customer_code == "C1" and r.currency == "EUR")
    assert [str(b.amount) for b in c1.buckets] == ["100.00", "50.00", "0.00", "0.00", "0.00", "0.00", "7.50"]
    assert c1.total == Money.of("157.50", "EUR") and c1.net == Money.of("137.50", "EUR") and c1.items == 3
    totals = metrics.aging_totals(rows)
    assert [(t.currency, str(t.total.amount)) for t in totals] == [("EUR", "167.50"), ("USD", "300.00")]


def test_column_path_equals_item_path():
    rng = np.random.default_rng(7)
    print("seed 7")
    due = np.array([AS_OF.toordinal() + int(x) for x in rng.integers(-500, 60, 2000)])
    minor = rng.integers(-10_000, 1_000_000, 2000)
    group = rng.integers(0, 5, 2000)
    cols = metrics.aging_columns(due, minor, group, 5, AS_OF)
    for g in range(5):
        items = [item(str(i), date.fromordinal(int(d)), str(Decimal(int(m)) / 100), customer=str(g))
                 for i, (d, m, gg) in enumerate(zip(due, minor, group, strict=True)) if gg == g]
        (row,) = metrics.age_items(items, AS_OF)
        assert [b.minor for b in row.buckets] == list(cols[g])


def test_simple_dso_bpdso_add():
    # 90 days of sales 90,000; 40,000 owed of which 25,000 not yet due.
    assert metrics.simple_dso(40_000, 90_000, 90) == Decimal("40.0")
    assert metrics.best_possible_dso(25_000, 90_000, 90) == Decimal("25.0")
    assert metrics.simple_dso(1, 0, 90) is None


def test_count_back_dso():
    # AR 150 over months of sales 100 (30 days), 100 (31 days): 30 + 31 × 50/100 = 45.5 days.
    assert metrics.count_back_dso(150, [(30, 100), (31, 100)]) == Decimal("45.5")
    assert metrics.count_back_dso(80, [(30, 100)]) == Decimal("24.0")
    assert metrics.count_back_dso(500, [(30, 100), (31, 100)]) == Decimal("61.0")  # lower bound
    assert metrics.count_back_dso(0, [(30, 100)]) == Decimal("0.0")


def test_cei():
    # opening 100, sales 200, closing 120 of which 80 current: (300-120)/(300-80) = 81.82 %
    assert metrics.cei(100, 200, 120, 80) == Decimal("81.82")
    assert metrics.cei(0, 0, 0, 0) is None


def test_count_back_windows_are_contiguous_months():
    w = metrics.count_back_windows(date(2026, 3, 31), 3)
    assert w == [(date(2026, 2, 28), date(2026, 3, 31)), (date(2026, 1, 31), date(2026, 2, 28)),
                 (date(2025, 12, 31), date(2026, 1, 31))]


def test_open_as_of_reconstructs_from_facts():
    facts = [(date(2026, 2, 1), 30), (date(2026, 3, 1), 70)]
    assert metrics.open_as_of(100, date(2026, 1, 1), facts, date(2025, 12, 31)) == 0
    assert metrics.open_as_of(100, date(2026, 1, 1), facts, date(2026, 1, 31)) == 100
    assert metrics.open_as_of(100, date(2026, 1, 1), facts, date(2026, 2, 1)) == 70
    assert metrics.open_as_of(100, date(2026, 1, 1), facts, date(2026, 3, 1)) == 0
