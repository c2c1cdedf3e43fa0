"""Facts in → alerts out, through the real ledger and monitor services, on SQLite and PostgreSQL.
Every test also re-runs the same date and checks that nothing new is raised or queued."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from arguard.core.errors import ValidationError
from arguard.monitor import delivery, service
from arguard.monitor.tables import Alert, Delivery, Reaction, Task
from arguard.platform.service import create_user
from tests.conftest import new_company
from tests.monitor.helpers import load

LEDGER = """
customer ACME DE machinery
customer BETA FR retail
customer GAMMA CN textiles
invoice A-1 ACME 2026-01-01 2026-01-31 8000.00 EUR
invoice A-2 ACME 2026-03-01 2026-03-31 6000.00 EUR
invoice B-1 BETA 2026-03-01 2026-04-30 20000.00 EUR
invoice G-1 GAMMA 2026-04-01 2026-05-01 10000.00 USD
fx USD EUR 2026-01-01 0.9
payment P-1 ACME 2026-02-10 8000.00 EUR A-1
"""


def keys(ctx, **filters) -> set[str]:  # type: ignore[no-untyped-def]
    rows, _ = service.list_alerts(ctx, limit=1000, **filters)
    return {a.dedupe_key for a in rows}


def rerun_is_quiet(ctx_factory, as_of: date) -> None:  # type: ignore[no-untyped-def]
    """Run the date (again), then once more: the last run raises, merges-in and queues nothing new."""
    with ctx_factory() as ctx:
        service.run(ctx, as_of)
    with ctx_factory() as ctx:
        before = (ctx.session.scalar(select(func.count(Alert.id)).where(Alert.company_id == ctx.company_id)),
                  ctx.session.scalar(select(func.count(Delivery.id)).where(Delivery.company_id == ctx.company_id)))
        again = service.run(ctx, as_of)
        after = (ctx.session.scalar(select(func.count(Alert.id)).where(Alert.company_id == ctx.company_id)),
                 ctx.session.scalar(select(func.count(Delivery.id)).where(Delivery.company_id == ctx.company_id)))
    assert again.raised == 0 and before == after


def test_daily_run_raises_overdue_concentration_and_converts_currencies(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        r = service.run(ctx, date(2026, 5, 31))
        got = keys(ctx)
    # A-2 is 61 days past due on 31 May; B-1 31 days; G-1 (USD, 9,000 EUR) 30 days
    assert {"overdue:ACME:60:A-2", "overdue:BETA:30:B-1", "overdue:GAMMA:30:G-1"} <= got
    assert "concentration_buyer:buyer:BETA:2026-05" in got  # 20,000 of 35,000 EUR
    assert "concentration_country:country:FR:2026-05" in got
    assert r.issues == [] and r.buyers == 3
    rerun_is_quiet(ctx_factory, date(2026, 5, 31))


def test_open_amount_as_of_a_past_date_counts_later_payments_as_open(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER + "payment P-2 ACME 2026-05-20 6000.00 EUR A-2\n")
        service.run(ctx, date(2026, 5, 1))  # A-2 31 days past due, still open then
        assert "overdue:ACME:30:A-2" in keys(ctx)
        service.run(ctx, date(2026, 5, 31))  # paid on 20 May: no 60-day alert
        assert "overdue:ACME:60:A-2" not in keys(ctx)


def test_missing_fx_rate_is_reported_not_guessed(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, "customer Z JP\ninvoice Z-1 Z 2026-01-01 2026-01-31 100000 JPY\n")
        r = service.run(ctx, date(2026, 5, 31))
    assert r.issues and "JPY/EUR" in r.issues[0]


def test_limit_breach_from_a_limit_event_opens_a_review(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        raised = load(ctx, "event limit.changed BETA 2026-05-01 amount=15000 currency=EUR")
        assert [a.dedupe_key for a in raised] == ["limit:BETA:1500000EUR:breach"]
        reactions = service.alert_reactions(ctx, raised[0].id)
        assert [r.kind for r in reactions] == ["limit_review"] and reactions[0].handler in ("limits", "monitor")
        assert "alert" in reactions[0].cause
    rerun_is_quiet(ctx_factory, date(2026, 5, 1))


def test_insolvency_holds_orders_opens_collections_and_reviews_the_limit(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        raised = load(ctx, "event insolvency.filing ACME 2026-05-02 court=\"AG München\" case_number=\"IN-7\"")
        assert {(a.rule_id, a.severity) for a in raised} == {("insolvency", "critical"), ("overdue", "low")}
        raised = [a for a in raised if a.rule_id == "insolvency"]
        kinds = {r.kind for r in ctx.session.scalars(select(Reaction).where(Reaction.alert_id == raised[0].id))}
        assert kinds == {"order_hold", "limit_review", "collections_task"}
        tasks, _ = service.list_tasks(ctx, kind="collections")
        assert [t.customer_code for t in tasks] == ["ACME"]
        # the same event posted again (same content) is a no-op
        assert load(ctx, "event insolvency.filing ACME 2026-05-02 court=\"AG München\" case_number=\"IN-7\"") == []
    rerun_is_quiet(ctx_factory, date(2026, 5, 2))


def test_downgrade_into_grade_8_and_cover_withdrawal(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        down = load(ctx, "event grade.changed BETA 2026-05-10 from=6 to=8")
        cut = load(ctx, "event insurer.decision BETA 2026-05-12 decision=withdrawn previous_amount=30000 "
                        "currency=EUR effective_on=2026-06-11 reference=CL-9")
    assert [(a.rule_id, a.severity) for a in down] == [("downgrade", "high")]
    assert [(a.rule_id, a.severity) for a in cut] == [("cover", "critical")]
    assert cut[0].evidence["effective_on"] == "2026-06-11"
    rerun_is_quiet(ctx_factory, date(2026, 5, 12))


def test_broken_promise_and_deadline_countdown(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        load(ctx, "event promise.due ACME 2026-05-01 promise_id=PTP-1 amount=6000 currency=EUR due_on=2026-05-10")
        load(ctx, "event insurance.deadline BETA 2026-05-01 reference=ON-1 kind=overdue_notification "
                  "deadline_on=2026-05-20")
        service.run(ctx, date(2026, 5, 9))
        assert {"promise:ACME:PTP-1:due", "deadline:BETA:ON-1:14"} <= keys(ctx)
        service.run(ctx, date(2026, 5, 18))
        assert {"promise:ACME:PTP-1", "deadline:BETA:ON-1:3"} <= keys(ctx)
    rerun_is_quiet(ctx_factory, date(2026, 5, 18))


def test_kept_promise_raises_nothing(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER + "payment P-9 ACME 2026-05-08 6000.00 EUR A-2\n")
        load(ctx, "event promise.due ACME 2026-05-01 promise_id=PTP-2 amount=6000 currency=EUR due_on=2026-05-10")
        service.run(ctx, date(2026, 5, 20))
        assert not {k for k in keys(ctx) if k.startswith("promise:")}


def test_days_beyond_terms_worsening(ctx_factory):
    lines = ["customer SLOW IT"]
    # paid 2, 10, then 20 days late in three successive 30-day windows before 30 June
    for i, (due, paid) in enumerate([("2026-04-10", "2026-04-12"), ("2026-05-05", "2026-05-15"),
                                     ("2026-06-01", "2026-06-21")]):
        lines.append(f"invoice S-{i} SLOW 2026-03-01 {due} 5000.00 EUR")
        lines.append(f"payment SP-{i} SLOW {paid} 5000.00 EUR S-{i}")
    with ctx_factory() as ctx:
        load(ctx, "\n".join(lines))
        service.run(ctx, date(2026, 6, 30))
        alert = next(a for a in service.list_alerts(ctx, rule_id="dbt_trend")[0])
    assert alert.evidence["increase_days"] == "18.0"
    rerun_is_quiet(ctx_factory, date(2026, 6, 30))


def test_new_country_table_alerts_buyers_that_owe_money_there(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        load(ctx, "event country.classification - 2026-01-01 classes='{\"CN\":2,\"FR\":null,\"DE\":null}'")
        raised = load(ctx, "event country.classification - 2026-05-15 classes='{\"CN\":4,\"FR\":null,\"DE\":null}'")
    assert [(a.customer_code, a.evidence["to_class"]) for a in raised if a.rule_id == "country"] == [("GAMMA", 4)]


def test_alert_lifecycle_is_audited_and_one_way(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        alert = load(ctx, "event news.negative BETA 2026-05-02 headline=\"Plant closed\"")[0]
        service.acknowledge(ctx, alert.id)
        with pytest.raises(ValidationError):
            service.resolve(ctx, alert.id, "  ")
        service.resolve(ctx, alert.id, "called the buyer: plant moved, orders continue")
        with pytest.raises(ValidationError):
            service.acknowledge(ctx, alert.id)
        service.run(ctx, date(2026, 5, 3))  # the same fact on a later day merges, never reopens
        again = service.get_alert(ctx, alert.id)
    assert again.status == "resolved" and again.occurrences == 2


def test_snoozed_alerts_leave_the_inbox_until_the_date(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        alert = load(ctx, "event legal.action BETA 2026-05-02 description=\"claim filed\"")[0]
        service.snooze(ctx, alert.id, date(2026, 5, 10), "waiting for the court date")
        hidden, _ = service.list_alerts(ctx, today=date(2026, 5, 5), include_snoozed=False)
        shown, _ = service.list_alerts(ctx, today=date(2026, 5, 10), include_snoozed=False)
    assert alert.id not in {a.id for a in hidden} and alert.id in {a.id for a in shown}


def test_rule_file_per_company_and_invalid_file_changes_nothing(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        with pytest.raises(service.RulesInvalid):
            service.set_rules(ctx, '[rules.x]\nkind = "overdue_days"\nthresholds = "soon"\n')
        assert service.rules_text(ctx)[1] == 0
        service.set_rules(ctx, '[rules.big]\nkind = "overdue_amount"\nabove = 15000\nseverity = "high"\n')
        service.run(ctx, date(2026, 5, 31))
        assert {a.rule_id for a in service.list_alerts(ctx)[0]} == {"big"}


def test_tenants_never_see_each_others_alerts(engine, ctx_factory):
    other, _ = new_company(engine)
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        alert = load(ctx, "event news.negative BETA 2026-05-02 headline=x")[0]
    with ctx_factory(company_id=other) as ctx:
        assert service.list_alerts(ctx)[1] == 0
        with pytest.raises(Exception, match="no alert"):
            service.get_alert(ctx, alert.id)
        assert service.run(ctx, date(2026, 5, 31)).raised == 0


def test_email_subscriber_and_webhook_get_one_delivery_per_new_alert(ctx_factory, monkeypatch):
    from arguard.settings import get_settings

    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)  # a receiver on this host
    with ctx_factory() as ctx:
        create_user(ctx, "lina", "credit_manager", "pw-123456", email="lina@example.com", language="zh-CN")
        delivery.subscribe(ctx, "lina", "email", "high")
        delivery.add_webhook(ctx, "http://127.0.0.1:9/hook", "s" * 32, ["*"])
        load(ctx, LEDGER)
        load(ctx, "event payment.default BETA 2026-05-02 amount=5000 currency=EUR source=registry")
        load(ctx, "event news.negative BETA 2026-05-02 headline=y")  # medium: webhook only
        rows = list(ctx.session.scalars(select(Delivery).where(Delivery.company_id == ctx.company_id)))
    assert sorted((d.channel, d.event_type) for d in rows) == [
        ("email", "alert.raised"), ("webhook", "alert.raised"), ("webhook", "alert.raised")]
    assert "风险预警" in next(d.subject for d in rows if d.channel == "email")


def test_one_collections_task_per_buyer_while_open(ctx_factory):
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        service.run(ctx, date(2026, 5, 31))
        service.run(ctx, date(2026, 7, 1))  # ACME crosses 90 days: new alert, same open task
        tasks = list(ctx.session.scalars(select(Task).where(Task.company_id == ctx.company_id,
                                                            Task.customer_code == "ACME")))
    assert len(tasks) == 1
