"""The limits capability reads grades and accounts stored by the risk capability (never grades itself)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from arguard.limits import service
from arguard.risk.model import StatementItems
from arguard.risk.service import add_statement
from arguard.risk.tables import BuyerGrade
from tests.limits.ledger_text import AS_OF, check, codes, write


def _grade(ctx, code: str, grade: int, pd: float, on: date) -> None:
    cid = service.customer_by_code(ctx, code).id
    ctx.session.add(BuyerGrade(company_id=ctx.company_id, customer_id=cid, as_of=on, pd_12m=pd, grade=grade,
                               confidence="high", financial_pd=pd, reasons=[], inputs={}, model_version="test",
                               trigger="test", actor="test"))
    ctx.session.flush()


def test_stored_grade_and_accounts_reach_the_check_and_the_recommendation(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, "customer ACME DE\nlimit ACME 100000 internal approved\ncustomer NOGRADE DE")
        _grade(ctx, "ACME", 3, 0.004, date(2026, 1, 31))
        _grade(ctx, "ACME", 8, 0.12, date(2026, 2, 20))
        _grade(ctx, "ACME", 2, 0.002, date(2026, 6, 1))          # after as_of: not seen
        add_statement(ctx, "ACME", 2025, date(2025, 12, 31), StatementItems(
            currency="EUR", equity=Decimal(2000000), sales=Decimal(9000000),
            current_assets=Decimal(3000000), short_term_liabilities=Decimal(1000000)))
        a = check(ctx, "SO-1", "ACME", "1000")
        rec = service.recommend(ctx, "ACME", AS_OF)
        ungraded = service.recommend(ctx, "NOGRADE", AS_OF)
    assert a.outcome == "require_guarantee" and codes(a) == ["grade.high"] and a.figures["grade"] == 8
    rules = {b.rule: str(b.amount.amount) for b in rec.bounds}
    assert rules == {"capacity.equity": "50000.00", "capacity.sales": "450000.00",
                     "capacity.working_capital": "400000.00"}               # 2.5 % of equity at grade 8
    assert rec.amount.amount == Decimal(50000) and ungraded.amount.amount == 0
