"""Rules in domain language on frozen snapshots (no database): facts in → alerts out."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, seed, settings
from hypothesis import strategies as st

from arguard.core.money import Money
from arguard.monitor import engine
from arguard.monitor.model import (
    BuyerEvent,
    BuyerSnapshot,
    CountryChange,
    CoverDecision,
    DbtWindow,
    Deadline,
    GradeChange,
    OverdueItem,
    PortfolioSnapshot,
    Promise,
)
from arguard.monitor.service import DEFAULT_RULES

AS_OF = date(2026, 6, 30)
RULES, ISSUES = engine.parse_rules(DEFAULT_RULES)


def eur(x: str | int) -> Money:
    return Money.of(str(x), "EUR")


def buyer(**kw: object) -> BuyerSnapshot:
    base = {"code": "ACME", "name": "Acme", "country": "DE", "sector": "machinery", "as_of": AS_OF, "currency": "EUR",
                "open_total": eur(0), "exposure": eur(0)}
    base.update(kw)
    return BuyerSnapshot(**base)  # type: ignore[arg-type]


def alerts(snap: BuyerSnapshot, as_of: date = AS_OF) -> dict[str, str]:
    return {d.rule_id: d.severity for d in engine.evaluate_buyer(RULES, snap, as_of)}


def test_default_rule_file_is_valid() -> None:
    assert ISSUES == [] and len(RULES.rules) >= 10


def test_limit_utilisation_warns_at_80_percent_and_breaches_above_the_limit() -> None:
    assert alerts(buyer(exposure=eur(7999), limit=eur(10000))) == {}
    assert alerts(buyer(exposure=eur(8500), limit=eur(10000))) == {"limit": "medium"}
    assert alerts(buyer(exposure=eur(10001), limit=eur(10000))) == {"limit": "high"}
    assert alerts(buyer(exposure=eur(50000), limit=None)) == {}


def test_an_item_crossing_30_then_60_days_raises_one_alert_per_threshold() -> None:
    snap = buyer(open_total=eur(5000), exposure=eur(5000),
                 overdue=(OverdueItem("INV-1", date(2026, 5, 31), eur(5000)),))
    at_30 = engine.evaluate_buyer(RULES, snap, date(2026, 6, 30))
    at_29 = engine.evaluate_buyer(RULES, snap, date(2026, 6, 29))
    at_61 = engine.evaluate_buyer(RULES, snap, date(2026, 7, 31))
    assert [d.dedupe_key for d in at_29 if d.rule_id == "overdue"] == []
    assert [(d.dedupe_key, d.severity) for d in at_30 if d.rule_id == "overdue"] == [
        ("overdue:ACME:30:INV-1", "low")]
    assert [(d.dedupe_key, d.severity) for d in at_61 if d.rule_id == "overdue"] == [
        ("overdue:ACME:60:INV-1", "medium")]


def test_small_overdue_amounts_stay_quiet() -> None:
    snap = buyer(overdue=(OverdueItem("INV-9", date(2026, 1, 1), eur("99.99")),))
    assert "overdue" not in alerts(snap)


def test_overdue_amount_above_threshold() -> None:
    snap = buyer(overdue=(OverdueItem("A", date(2026, 6, 1), eur(30000)), OverdueItem("B", date(2026, 6, 20),
                                                                                  eur(25000))))
    assert alerts(snap)["overdue_amount"] == "high"


def test_days_beyond_terms_rising_three_windows() -> None:
    def windows(*days: int) -> tuple[DbtWindow, ...]:
        return tuple(DbtWindow(AS_OF - timedelta(days=30 * (len(days) - 1 - i)), eur(5000), Decimal(d))
                     for i, d in enumerate(days))
    assert "dbt_trend" in alerts(buyer(dbt=windows(2, 6, 12)))
    assert "dbt_trend" not in alerts(buyer(dbt=windows(2, 12, 6)))  # not worsening every window
    assert "dbt_trend" not in alerts(buyer(dbt=windows(2, 3, 4)))  # worse by only 2 days


def test_downgrade_by_two_notches_or_into_grade_8() -> None:
    one = GradeChange(1, date(2026, 6, 1), 4, 5)
    two = GradeChange(2, date(2026, 6, 20), 5, 6)
    assert "downgrade" not in alerts(buyer(grade_changes=(one,)))
    assert alerts(buyer(grade_changes=(one, two)))["downgrade"] == "medium"
    assert alerts(buyer(grade_changes=(GradeChange(3, date(2026, 6, 20), 7, 8),)))["downgrade"] == "high"
    old = GradeChange(4, date(2025, 1, 1), 2, 9)
    assert "downgrade" not in alerts(buyer(grade_changes=(old,)))  # outside the 90-day look-back


def test_a_first_grade_is_no_downgrade_but_a_move_after_it_is() -> None:
    first = GradeChange(1, date(2026, 6, 1), None, 9)
    assert "downgrade" not in alerts(buyer(grade_changes=(first,)))
    base = GradeChange(2, date(2026, 6, 1), None, 5)
    worse = GradeChange(3, date(2026, 6, 20), 5, 7)
    assert alerts(buyer(grade_changes=(base, worse)))["downgrade"] == "medium"  # 5 → 7: two notches
    rules, _ = engine.parse_rules('[rules.d]\nkind = "downgrade"\nfirst_grade = true\n')
    assert [d.severity for d in engine.evaluate_buyer(rules, buyer(grade_changes=(first,)), AS_OF)] == ["high"]


def test_a_utilisation_warning_reacts_only_when_the_rule_file_says_so() -> None:
    def reactions(text: str, exposure: int) -> list[tuple[str, ...]]:
        rules, _ = engine.parse_rules(text)
        return [d.reactions for d in engine.evaluate_buyer(rules, buyer(exposure=eur(exposure), limit=eur(10000)),
                                                            AS_OF)]

    rule = '[rules.l]\nkind = "limit_utilisation"\nreactions = ["limit_review"]\n'
    assert reactions(rule, 8500) == [()] and reactions(rule, 10001) == [("limit_review",)]
    assert reactions(rule + "warn_reactions = true\n", 8500) == [("limit_review",)]


def test_insurer_withdrawal_is_critical_and_reduction_high() -> None:
    cut = CoverDecision(7, date(2026, 6, 25), "withdrawn", None, eur(100000), date(2026, 7, 25), "CL-1")
    cut_less = CoverDecision(8, date(2026, 6, 25), "approved", eur(50000), eur(100000), None, "CL-2")
    more = CoverDecision(9, date(2026, 6, 25), "approved", eur(150000), eur(100000), None, "CL-3")
    assert alerts(buyer(cover=(cut,)))["cover"] == "critical"
    assert alerts(buyer(cover=(cut_less,)))["cover"] == "high"
    assert "cover" not in alerts(buyer(cover=(more,)))


def test_promise_to_pay_kept_broken_and_reminded() -> None:
    promise = Promise(5, "PTP-1", date(2026, 6, 1), date(2026, 6, 20), eur(1000))
    kept = replace(promise, paid_by=((date(2026, 6, 19), eur(1000)),))
    late = replace(promise, paid_by=((date(2026, 6, 28), eur(1000)),))
    assert alerts(buyer(promises=(promise,)))["promise"] == "high"
    assert "promise" not in alerts(buyer(promises=(kept,)))
    assert alerts(buyer(promises=(late,)))["promise"] == "high"  # paid after the grace days
    assert alerts(buyer(promises=(promise,)), date(2026, 6, 19))["promise"] == "info"  # falls due tomorrow


def test_insurance_deadline_stages_and_missed() -> None:
    d = Deadline(3, "ON-1", "overdue_notification", date(2026, 7, 10))
    assert alerts(buyer(deadlines=(d,)))["deadline"] == "medium"  # 10 days left
    assert alerts(buyer(deadlines=(d,)), date(2026, 7, 8))["deadline"] == "high"  # 2 days left
    assert alerts(buyer(deadlines=(d,)), date(2026, 7, 11))["deadline"] == "critical"
    assert "deadline" not in alerts(buyer(deadlines=(replace(d, met=True),)), date(2026, 7, 11))


def test_external_events() -> None:
    insolvency = BuyerEvent(11, "insolvency.filing", date(2026, 6, 29), {"court": "AG München"})
    upgrade = BuyerEvent(12, "rating.changed", date(2026, 6, 29), {"direction": "up"})
    news = BuyerEvent(13, "news.negative", date(2026, 6, 29), {"headline": "Plant closed"})
    got = engine.evaluate_buyer(RULES, buyer(events=(insolvency, upgrade, news)), AS_OF)
    assert {(d.rule_id, d.severity) for d in got} == {("insolvency", "critical"), ("adverse", "medium")}
    assert [d.reactions for d in got if d.rule_id == "insolvency"] == [
        ("order_hold", "limit_review", "collections_task")]


def test_country_downgrade_only_for_buyers_that_owe_money() -> None:
    change = CountryChange("DE", 0, 2, date(2026, 6, 15), 21)
    assert alerts(buyer(country_changes=(change,), exposure=eur(100)))["country"] == "medium"
    assert "country" not in alerts(buyer(country_changes=(change,)))


def test_concentration_by_buyer_country_sector() -> None:
    p = PortfolioSnapshot(AS_OF, "EUR", eur(100), {"buyer": {"A": eur(25), "B": eur(75)},
                                                    "country": {"DE": eur(100)}, "sector": {"x": eur(30)}})
    got = {(d.rule_id, d.customer_code) for d in engine.evaluate_portfolio(RULES, p, AS_OF)}
    assert got == {("concentration_buyer", "A"), ("concentration_buyer", "B"), ("concentration_country", None)}


def test_bad_rule_file_lists_every_problem_with_its_line() -> None:
    text = '[rules.a]\nkind = "overdue_days"\nthresholds = "thirty"\n\n[rules.b]\nkind = "nonsense"\n' \
           '[rules.c]\nkind = "limit_utilisation"\nseverity = "apocalyptic"\nreactions = ["call_mum"]\n'
    rules, issues = engine.parse_rules(text, "rules.toml")
    assert rules.rules == ()
    assert [(i.line, i.field) for i in issues] == [(1, "rules.a.thresholds"), (5, "rules.b.kind"),
                                                   (7, "rules.c.severity"), (7, "rules.c.reactions")]
    assert engine.parse_rules("not toml [")[1][0].reason.startswith("cannot read")


def test_json_rule_file() -> None:
    rules, issues = engine.parse_rules('{"rules": {"x": {"kind": "overdue_amount", "above": 10}}}')
    assert issues == [] and rules.rules[0].params["above"] == Decimal(10)


amounts = st.decimals(min_value=0, max_value=10**7, places=2)


@seed(20260630)
@settings(max_examples=60, deadline=None)
@given(limit=amounts, exposure=amounts, days=st.lists(st.integers(-30, 400), max_size=6),
       grades=st.lists(st.integers(1, 10), min_size=2, max_size=4))
def test_same_facts_give_the_same_keys_and_drafts_never_repeat_a_key(limit: Decimal, exposure: Decimal,
                                                                      days: list[int], grades: list[int]) -> None:
    """Seed 20260630. Evaluating twice gives identical drafts; within one evaluation keys are unique."""
    overdue = tuple(OverdueItem(f"I{i}", AS_OF - timedelta(days=d), eur(1000)) for i, d in enumerate(days) if d > 0)
    changes = tuple(GradeChange(i, AS_OF - timedelta(days=10 - i), a, b)
                    for i, (a, b) in enumerate(itertools.pairwise(grades)))
    snap = buyer(limit=Money(limit, "EUR"), exposure=Money(exposure, "EUR"), overdue=overdue,
                 grade_changes=changes)
    first, second = engine.evaluate_buyer(RULES, snap, AS_OF), engine.evaluate_buyer(RULES, snap, AS_OF)
    assert first == second
    keys = [d.dedupe_key for d in first]
    assert len(keys) == len(set(keys))
    assert engine.merge(first + second) == first
