"""`forecast run` on a small stored ledger: receipts land in the right weeks, scenarios move them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from arguard.forecast.service import ForecastRequest, forecast_run
from tests.ledger.ledgerbook import book

pytestmark = pytest.mark.storage
AS_OF = date(2026, 6, 30)


@pytest.fixture(autouse=True)
def _ungraded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Buyers without grades (PD 2 %), whether or not another test wired the re-grading subscriptions."""
    from arguard.risk import interface

    monkeypatch.setattr(interface, "newest_grades", lambda ctx: {})


def small_ledger(seed: int = 11) -> str:
    """Two buyers over a year: PUNCTUAL pays on the due date, SLOW 20 days after; each has one invoice
    still open on AS_OF (due 2026-07-10, 1,000.00 EUR)."""
    rng = np.random.default_rng(seed)
    lines = ["customer PUNCTUAL DE EUR", "customer SLOW FR EUR"]
    for code, late in (("PUNCTUAL", 0), ("SLOW", 20)):
        for k in range(14):
            issue = date(2025, 6, 1) + timedelta(days=25 * k)
            due = issue + timedelta(days=30)
            paid = due + timedelta(days=late + int(rng.integers(-1, 2)))
            if paid > AS_OF:
                break
            lines.append(f"invoice {code}-{k} {code} {issue} due {due} {100 + k}.00 EUR")
            lines.append(f"payment P-{code}-{k} {code} {paid} {100 + k}.00 EUR -> {code}-{k}")
        lines.append(f"invoice {code}-OPEN {code} 2026-06-10 due 2026-07-10 1000.00 EUR")
    return "\n".join(lines)


def test_receipts_fall_in_the_weeks_the_buyers_habits_say(ctx_factory: Callable) -> None:
    with ctx_factory() as ctx:
        book(ctx, small_ledger())
    with ctx_factory() as ctx:
        answer = forecast_run(ctx, ForecastRequest(AS_OF, scenarios=100, seed=5))
    assert answer["open_invoices"] == 2 and answer["open_total"] == "2000.00"
    weekly = answer["weekly"]
    assert len(weekly) == 13 and len(answer["monthly"]) == 12
    assert weekly[0]["from"] == "2026-07-01" and weekly[0]["to"] == "2026-07-07"
    expected = [Decimal(w["expected"]) for w in weekly]
    # PUNCTUAL's invoice is due Fri 07-10 (week 2: 07-08..07-14); SLOW's some 20 days later (weeks 4–5)
    assert expected[1] > Decimal(500)
    assert sum(expected[3:5]) > Decimal(500)
    # what is not received within 13 weeks is only what default takes (PD 2 % a year without a grade)
    assert sum(expected) > Decimal(1900) and Decimal(answer["expected_loss"]) < Decimal(40)
    for w in weekly:
        assert Decimal(w["p10"]) <= Decimal(w["p50"]) <= Decimal(w["p90"])


def test_scenarios_a_buyer_defaults_and_everyone_pays_later(ctx_factory: Callable) -> None:
    with ctx_factory() as ctx:
        book(ctx, small_ledger())
    with ctx_factory() as ctx:
        base = forecast_run(ctx, ForecastRequest(AS_OF, scenarios=100, seed=5))
        gone = forecast_run(ctx, ForecastRequest(AS_OF, scenarios=100, seed=5, default_buyer="SLOW"))
        later = forecast_run(ctx, ForecastRequest(AS_OF, scenarios=100, seed=5, delay_days=14))

    def total(a: dict) -> Decimal:
        return sum((Decimal(w["expected"]) for w in a["weekly"]), Decimal(0))

    assert total(base) - total(gone) > Decimal(950)  # SLOW's 1,000.00 never comes
    assert Decimal(gone["expected_loss"]) >= Decimal("1000.00")
    assert Decimal(later["weekly"][1]["expected"]) < Decimal(base["weekly"][1]["expected"])  # moved two weeks on
    assert Decimal(later["weekly"][3]["expected"]) > Decimal(base["weekly"][3]["expected"]) - Decimal(1)


def test_a_defaulted_insured_buyer_pays_through_its_insurer_after_the_waiting_period() -> None:
    """No database: the same book forecast without and with cover. SLOW defaults on the date; 90 % of its
    1,000.00 is insured, so 900.00 arrive 150 days later (2026-11-27, in the fifth month)."""
    from arguard.forecast.history import frame_from_columns
    from arguard.forecast.service import Cover, forecast_book

    rows = [line.split() for line in small_ledger().splitlines() if line.startswith("invoice")]
    paid = {line.split()[-1]: date.fromisoformat(line.split()[3])
            for line in small_ledger().splitlines() if line.startswith("payment")}
    frame = frame_from_columns(
        tuple(r[1] for r in rows), tuple(r[2] for r in rows), tuple("EUR" for _ in rows),
        tuple(date.fromisoformat(r[3]) for r in rows), tuple(date.fromisoformat(r[5]) for r in rows),
        tuple(int(Decimal(r[6]) * 100) for r in rows), tuple(paid.get(r[1]) for r in rows), tuple(False for _ in rows))
    frame["open_minor"] = [0 if r[1] in paid else int(Decimal(r[6]) * 100) for r in rows]
    frame["label_ok"] = frame["settled"].notna()
    req = ForecastRequest(AS_OF, scenarios=50, seed=3, default_buyer="SLOW")
    bare = forecast_book(frame, req, "EUR", {"EUR": 1.0}, {})
    covered = forecast_book(frame, req, "EUR", {"EUR": 1.0}, {}, Cover({"SLOW": 900.0}, 150, "test policy"))
    assert bare["expected_indemnity"] == "0.00" and covered["expected_indemnity"] == "900.00"
    assert covered["monthly"][4]["from"] == "2026-11-01"
    assert Decimal(covered["monthly"][4]["expected"]) - Decimal(bare["monthly"][4]["expected"]) == Decimal("900.00")
