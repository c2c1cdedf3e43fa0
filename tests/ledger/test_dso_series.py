"""DSO at several dates in one pass equals `dso_report` at each date (dashboard trend)."""

from __future__ import annotations

from datetime import date

from arguard.core.money import Money
from arguard.ledger import metrics, service
from tests.ledger.ledgerbook import book

LEDGER = """
customer C1 DE EUR
customer C2 US USD
invoice I1 C1 2025-10-01 due 2025-10-31 1000.00 EUR
invoice I2 C1 2025-11-15 due 2025-12-15 500.00 EUR
invoice I3 C1 2026-01-20 due 2026-02-19 800.00 EUR
credit CN1 C1 2025-12-01 due 2025-12-01 -100.00 EUR
invoice U1 C2 2025-09-10 due 2025-11-09 2000.00 USD
invoice U2 C2 2026-02-01 due 2026-03-03 300.00 USD
payment P1 C1 2025-11-20 700.00 EUR -> I1
payment P2 C2 2026-01-05 2000.00 USD -> U1
payment P3 C1 2026-02-10 200.00 EUR -> I2
writeoff I1 300.00 EUR on 2026-01-31
"""


def test_series_equals_the_report_at_every_date(ctx_factory):
    ends = [date(2025, 9, 30), date(2025, 10, 31), date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31),
            date(2026, 2, 28), date(2026, 3, 31)]
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
        service.apply_credit_note(ctx, "CN1", ["I2"], date(2025, 12, 5), amounts=[Money.of("60.00", "EUR")])
        series = service.dso_series(ctx, ends)
        assert series == [service.dso_report(ctx, d) for d in ends]
        assert service.dso_series(ctx, ends, 30, "C1") == [service.dso_report(ctx, d, 30, "C1") for d in ends]
        assert service.dso_history(ctx, ends[::-1]) == series[::-1]
        eur_dec = next(f for f in series[3] if f.currency == "EUR")
        # 31 Dec: I1 1000 − 700 paid = 300; I2 500 − 60 of credit = 440; CN1 −100 + 60 = −40 left.
        assert eur_dec.closing_ar == Money.of("700.00", "EUR")
        assert service.dso_series(ctx, []) == []


def test_collection_inputs_at_reconstructs_past_open_amounts():
    import numpy as np

    d = date(2026, 1, 1).toordinal()
    docs = metrics.DocumentColumns(np.array([d, d + 10]), np.array([d + 30, d + 40]), np.array([100, 50]),
                                   np.array([0, 50]))
    # 100 of the first document was settled on day 20.
    later = metrics.SettlementColumns(np.array([d]), np.array([d + 30]), np.array([d + 20]), np.array([100]))
    inp = metrics.collection_inputs_at("EUR", docs, later, date(2026, 1, 15), 30, 2)
    assert inp is not None and (inp.closing_ar, inp.closing_current_ar, inp.period_sales) == (150, 150, 150)
    inp = metrics.collection_inputs_at("EUR", docs, later, date(2026, 1, 25), 30, 2)
    assert inp is not None and inp.closing_ar == 50


def test_aging_and_dso_in_one_pass_equal_the_two_reports(ctx_factory):
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
        service.apply_credit_note(ctx, "CN1", ["I2"], date(2025, 12, 5), amounts=[Money.of("60.00", "EUR")])
        # As of each date: facts after the period start and after the date itself (reconstruction), none.
        for as_of in (date(2025, 10, 15), date(2025, 12, 31), date(2026, 2, 15), date(2026, 6, 30)):
            for code in (None, "C1"):
                aging, dso = service.aging_and_dso(ctx, as_of, customer_code=code)
                assert aging == service.aging_report(ctx, as_of, code)
                assert dso == service.dso_report(ctx, as_of, customer_code=code)
