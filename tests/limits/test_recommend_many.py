"""Recommended limits of many buyers at once (an underwriter's work list) read what they need in bulk and
answer, buyer by buyer, what the one-by-one recommendation answers (limits rules 10–16 and 43)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arguard.core.money import Money
from arguard.limits import interface as limits
from arguard.limits import service
from arguard.limits.service_limits import recommend
from arguard.risk.model import StatementItems
from arguard.risk.service import add_statement
from tests.limits.ledger_text import AS_OF, write
from tests.limits.test_risk_adapter import _grade

BOOK = """
fx USD EUR 0.9 2026-01-01
customer GRP DE sector=C
customer SUB DE sector=C terms=60 parent=GRP
customer ORPHAN FR sector=C parent=NOWHERE
customer US1 US sector=G
customer FR1 FR sector=G terms=45
customer JP1 JP
customer BARE DE
invoice SUB I-1 40000 EUR due 2026-02-01
invoice SUB I-2 3000 EUR due 2026-04-01
paid I-1 15000
invoice US1 I-3 20000 USD due 2026-02-15
invoice FR1 I-4 12345.67 EUR due 2026-03-20
invoice JP1 I-5 5000 EUR due 2026-03-20
invoice GRP I-6 8000 EUR due 2026-02-10
order SUB SO-1 5000 EUR ship 2026-02-20 shipped
order US1 SO-2 7000 EUR ship 2026-03-10
order FR1 SO-3 4000 EUR ship 2026-09-30
limit GRP 30000 internal approved from 2026-01-01
limit SUB 45000 internal approved from 2026-01-01
limit ORPHAN 10000 internal approved from 2026-01-01
limit FR1 20000 insured approved from 2026-01-01
appetite country DE 250000
appetite sector G 60000
appetite total * 400000
appetite buyer * 80000
"""


def _book(ctx) -> None:  # type: ignore[no-untyped-def]
    write(ctx, BOOK)
    _grade(ctx, "SUB", 3, 0.004, date(2026, 1, 31))
    _grade(ctx, "SUB", 5, 0.01, date(2026, 2, 20))
    _grade(ctx, "SUB", 2, 0.002, date(2026, 6, 1))              # after the date: not seen
    _grade(ctx, "US1", 9, 0.3, date(2026, 2, 1))
    _grade(ctx, "FR1", 6, 0.03, date(2026, 2, 1))
    _grade(ctx, "GRP", 4, 0.008, date(2026, 2, 1))
    add_statement(ctx, "SUB", 2024, date(2024, 12, 31), StatementItems(currency="EUR", equity=Decimal(900000)))
    add_statement(ctx, "SUB", 2025, date(2025, 12, 31), StatementItems(
        currency="EUR", equity=Decimal(2000000), sales=Decimal(9000000),
        current_assets=Decimal(1000000), short_term_liabilities=Decimal(3000000)))   # negative working capital
    add_statement(ctx, "FR1", 2025, date(2025, 12, 31), StatementItems(
        currency="USD", equity=Decimal(500000), sales=Decimal(4000000)))
    _grade(ctx, "JP1", 5, 0.01, date(2026, 2, 1))
    add_statement(ctx, "JP1", 2025, date(2025, 12, 31), StatementItems(currency="JPY", equity=Decimal(90000000)))
    service.set_expected_sales(ctx, "FR1", Money.of("9000", "EUR"))
    service.set_expected_sales(ctx, "BARE", Money.of("1500", "EUR"))


@pytest.mark.storage
def test_every_buyer_of_a_small_book_gets_the_one_by_one_recommendation(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        _book(ctx)
    with ctx_factory() as ctx:
        codes = ["GRP", "SUB", "ORPHAN", "US1", "FR1", "JP1", "BARE", "NOBODY"]
        many = limits.recommended_limits(ctx, codes, AS_OF)
        totals: dict[tuple[str, str], Money] = {}
        one_by_one = {c: recommend(ctx, c, AS_OF, scope_totals=totals)
                      for c in sorted(codes) if c not in ("JP1", "NOBODY")}
        assert many == one_by_one
        # JP1's accounts are in JPY and there is no JPY rate: it cannot be valued; NOBODY is no customer
        assert "JP1" not in many and "NOBODY" not in many
        sub = {b.rule: b.amount for b in many["SUB"].bounds}
        assert sub["group"] == Money.of("30000", "EUR") and sub["capacity.equity"] == Money.of("75000", "EUR")
        assert any("above its group GRP" in n for n in many["SUB"].notes)
        assert many["US1"].amount == Money.zero("EUR")                              # grade 9
        assert {b.rule for b in many["FR1"].bounds} >= {"need", "capacity.equity", "appetite.sector"}
        assert limits.recommended_limits(ctx, ["SUB"], AS_OF) == {"SUB": one_by_one["SUB"]}
