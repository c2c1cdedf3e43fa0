"""Batches: many events in one call, a ledger import re-evaluating its buyers, reactions once per buyer,
and exposure that counts the limits capability's shipped and released orders. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from arguard.core.money import Money
from arguard.db.session import session_scope
from arguard.ledger import service as ledger
from arguard.ledger.model import CustomerRecord, InvoiceRecord
from arguard.monitor import service
from arguard.monitor.events import fingerprint
from arguard.monitor.model import EventRecord
from arguard.monitor.tables import Alert, MonitorEvent, Reaction
from arguard.platform import registry
from arguard.platform.context import ServiceContext
from arguard.platform.tables import AuditEntry
from tests.conftest import auth, new_company
from tests.monitor.helpers import event_record, load

LEDGER = """
customer ACME DE machinery
customer BETA FR retail
invoice A-1 ACME 2026-03-01 2026-03-31 6000.00 EUR
invoice B-1 BETA 2026-03-01 2026-04-30 20000.00 EUR
"""


def _batch(*lines: str) -> list[tuple[int, EventRecord]]:
    return [(i, event_record(line)) for i, line in enumerate(lines, 1)]


def test_a_batch_is_stored_once_evaluated_once_and_audited_in_one_entry(ctx_factory):
    batch = _batch("news.negative ACME 2026-05-02 headline=\"Plant closed\"",
                   "news.negative ACME 2026-05-02 headline=\"Plant closed\"",     # same content: a duplicate
                   "legal.action BETA 2026-05-03 description=\"claim filed\"",
                   "insolvency.filing NOBODY 2026-05-03",                          # unknown buyer
                   "grade.changed BETA 2026-05-03 to=12")                          # not a grade
    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        audits = ctx.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.company_id == ctx.company_id))
        r = service.import_events(ctx, batch, date(2026, 5, 3), "day.jsonl")
        assert (r.read, r.inserted, r.duplicates, r.rejected) == (5, 2, 1, 2)
        assert [(i.line, i.field) for i in r.issues] == [(4, "customer_id"), (5, "details.to")]
        assert {a.rule_id for a in r.alerts} == {"adverse", "overdue"}
        assert {a.customer_code for a in r.alerts if a.rule_id == "adverse"} == {"ACME", "BETA"}
        entries = list(ctx.session.scalars(select(AuditEntry).where(AuditEntry.company_id == ctx.company_id)
                                           .order_by(AuditEntry.seq).offset(audits)))
        assert [e.action for e in entries] == ["monitor.event", "alert.raise", "monitor.reaction"]
        assert sorted(entries[0].after["events"]) == sorted(r.event_ids)
    with ctx_factory() as ctx:  # the same file again changes nothing
        again = service.import_events(ctx, batch, date(2026, 5, 3), "day.jsonl")
        assert (again.inserted, again.duplicates, again.alerts) == (0, 3, [])
        assert ctx.session.scalar(select(func.count(MonitorEvent.id)).where(  # (risk may add grade events)
            MonitorEvent.company_id == ctx.company_id, MonitorEvent.source == "file")) == 2


def test_several_alerts_of_one_buyer_ask_for_one_limit_review_until_it_is_decided(ctx_factory):
    from arguard.limits import service as limits

    with ctx_factory() as ctx:
        load(ctx, LEDGER)
        r = service.import_events(ctx, _batch(
            "insolvency.filing ACME 2026-05-02 court=\"AG Köln\" case_number=IN-1",
            "insurer.decision ACME 2026-05-02 decision=withdrawn previous_amount=30000 currency=EUR"),
            date(2026, 5, 2), "batch")
        later = load(ctx, "event payment.default ACME 2026-05-04 amount=5000 currency=EUR")
        reviews = [(r.kind, r.status) for r in ctx.session.scalars(select(Reaction).where(
            Reaction.company_id == ctx.company_id, Reaction.kind == "limit_review").order_by(Reaction.id))]
        assert {a.rule_id for a in r.alerts} >= {"insolvency", "cover"} and later
        assert reviews == [("limit_review", "requested"), ("limit_review", "merged"), ("limit_review", "merged")]
        assert len(limits.open_requests(ctx)) == 1


def test_posting_a_list_of_events_through_the_api(api, company, use_database):
    from arguard.db import session as db_session
    from arguard.platform.context import ServiceContext

    client, key_for = api
    today = date.today()
    with db_session.session_scope(use_database) as s:
        load(ServiceContext(s, company[0], "test", "admin"), "customer ACME DE\ncustomer BETA FR\n")
    body = [{"type": "news.negative", "customer_id": "ACME", "occurred_on": today.isoformat(),
             "details": {"headline": "recall"}, "external_id": "n-1"},
            {"type": "rating.changed", "customer_id": "BETA", "occurred_on": today.isoformat(),
             "details": {"agency": "S&P", "direction": "down"}, "external_id": "r-1"},
            {"type": "promise.due", "customer_id": "BETA", "occurred_on": today.isoformat(), "details": {}}]
    r = client.post("/api/v1/events", json=body, headers=auth(key_for("analyst")))
    assert r.status_code == 201, r.text
    got = r.json()
    assert (got["inserted"], got["rejected"], len(got["event_ids"])) == (2, 1, 2)
    assert {i["line"] for i in got["issues"]} == {3}
    assert sorted(a["customer_id"] for a in got["alerts"]) == ["ACME", "BETA"]
    again = client.post("/api/v1/events", json=body[:2], headers=auth(key_for("analyst"))).json()
    assert (again["inserted"], again["duplicates"], again["alerts"]) == (0, 2, [])
    assert client.post("/api/v1/events", json=body, headers=auth(key_for("viewer"))).status_code == 403
    other, _ = new_company(use_database)  # another company naming our buyers reaches nothing
    theirs = client.post("/api/v1/events", json=body[:2], headers=auth(key_for("admin", other))).json()
    assert (theirs["inserted"], theirs["alerts"]) == (0, []) and {i["field"] for i in theirs["issues"]} == {"customer_id"}


def test_a_ledger_import_re_evaluates_the_buyers_it_touched(ctx_factory):
    registry.wire_subscriptions()  # what the API, the CLI and the worker do at start-up
    today = date.today()
    with ctx_factory() as ctx:
        ledger.import_records(ctx, "customers", [CustomerRecord(code="ACME", name="Acme", country="DE")])
    with ctx_factory() as ctx:  # committed → published → the monitor evaluates ACME as of today
        ledger.import_records(ctx, "invoices", [InvoiceRecord(
            number="I-1", customer_code="ACME", issue_date=today - timedelta(days=100),
            due_date=today - timedelta(days=70), amount=Money.of("5000.00", "EUR"))])
    with ctx_factory() as ctx:
        keys = set(ctx.session.scalars(select(Alert.dedupe_key).where(Alert.company_id == ctx.company_id)))
    assert keys == {"overdue:ACME:60:I-1"}


def test_exposure_counts_released_orders_of_the_limits_capability(ctx_factory):
    from arguard.limits import service as limits

    today = date.today()
    with ctx_factory() as ctx:
        load(ctx, f"customer ACME DE machinery\ninvoice A-1 ACME {today - timedelta(days=10)} "
                  f"{today + timedelta(days=20)} 7000.00 EUR\n")
        limits.decide_limit(ctx, "ACME", limits.DecisionInput("internal", "approved", Money.of("10000", "EUR"),
                                                              "annual review"), on=today - timedelta(days=5))
    with ctx_factory() as ctx:
        service.run(ctx, today)
        assert service.list_alerts(ctx, rule_id="limit")[1] == 0  # 70 % of the limit
        answer = limits.check_order(ctx, limits.OrderCheck("SO-1", "ACME", Money.of("1500", "EUR"),
                                                           today + timedelta(days=7)), as_of=today)
        assert answer.outcome == "release"
    with ctx_factory() as ctx:
        service.run(ctx, today)
        alert = service.list_alerts(ctx, rule_id="limit")[0][0]
    assert alert.evidence["open_orders"] == "1500.00 EUR" and alert.evidence["utilisation_pct"] == "85.0"
    assert alert.evidence["open_receivables"] == "7000.00 EUR" and alert.evidence["exposure"] == "8500.00 EUR"


kinds = st.sampled_from(["news.negative", "legal.action", "rating.changed"])
items = st.tuples(kinds, st.sampled_from(["ACME", "BETA", "NOBODY"]), st.integers(1, 3),
                  st.sampled_from([None, "x-1", "x-2"]))


@seed(20260630)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(items, max_size=12))
def test_any_batch_stores_each_event_once_and_accounts_for_every_record(engine, batch):
    company_id, _ = new_company(engine)
    records = [(i, EventRecord(k, c, date(2026, 5, d), {"headline": f"h{d}"}, x))
               for i, (k, c, d, x) in enumerate(batch, 1)]
    with session_scope(engine) as s:
        ctx = ServiceContext(s, company_id, "test", "admin")
        load(ctx, "customer ACME DE\ncustomer BETA FR\n")
        first = service.import_events(ctx, records, date(2026, 5, 3), "b")
        again = service.import_events(ctx, records, date(2026, 5, 3), "b")
        stored = s.scalar(select(func.count(MonitorEvent.id)).where(MonitorEvent.company_id == company_id,
                                                                     MonitorEvent.source == "file"))
    known = [r for _, r in records if r.customer_code != "NOBODY"]
    distinct = {fingerprint(r) for r in known}
    assert first.inserted == stored == len(distinct)
    assert first.inserted + first.duplicates + first.rejected == first.read == len(records)
    assert (again.inserted, again.duplicates, again.alerts) == (0, len(known), [])
