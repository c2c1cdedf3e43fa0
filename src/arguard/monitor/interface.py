"""The monitoring capability's front door: post an event, read alerts and tasks.

Other capabilities import `arguard.monitor.interface` and `arguard.monitor.model` only; to raise an
alert, publish a fact (arguard.platform.events.publish) or post an event here.
"""

from collections.abc import Sequence
from datetime import date

from arguard.monitor import service as _service
from arguard.monitor.delivery import send_email
from arguard.monitor.model import AlertView, EventRecord, StoredEvent, TaskView
from arguard.monitor.tables import Alert as _Alert
from arguard.monitor.tables import MonitorEvent as _MonitorEvent
from arguard.platform.context import ServiceContext

__all__ = ["AlertView", "EventRecord", "StoredEvent", "TaskView", "evaluate_buyers", "list_alerts", "list_tasks",
           "post_event", "send_email"]

# Answers are frozen records (model.py), never the ORM rows (issue 10; tests/test_architecture.py).


def _alert(a: _Alert) -> AlertView:
    return AlertView(a.id, a.dedupe_key, a.rule_id, a.kind, a.customer_code, a.severity, a.title,
                     dict(a.evidence or {}), a.first_as_of, a.last_as_of, a.status)


def _event(e: StoredEvent | _MonitorEvent) -> StoredEvent:
    if isinstance(e, StoredEvent):
        return e
    return StoredEvent(e.id, e.kind, e.customer_code, e.occurred_on, dict(e.details or {}), e.source, e.external_id)


def post_event(ctx: ServiceContext, rec: EventRecord, as_of: date, source: str = "api",
               ) -> tuple[StoredEvent, bool, list[AlertView]]:
    """Record an event (once, by external id) and re-evaluate the buyers it concerns at once: the event,
    whether it was new, and the alerts it raised."""
    event, created, alerts = _service.post_event(ctx, rec, as_of, source)
    return _event(event), created, [_alert(a) for a in alerts]


def evaluate_buyers(ctx: ServiceContext, codes: Sequence[str], as_of: date, trigger: str) -> list[AlertView]:
    """Re-evaluate these buyers' rules as of the date; returns the alerts newly raised."""
    return [_alert(a) for a in _service.evaluate_buyers(ctx, codes, as_of, trigger)]


def list_alerts(ctx: ServiceContext, *, status: str | None = None, min_severity: str | None = None,
                customer_code: str | None = None, rule_id: str | None = None, today: date | None = None,
                include_snoozed: bool = True, limit: int = 50, offset: int = 0) -> tuple[list[AlertView], int]:
    """A page of alerts (filters as the alert inbox's) and how many match in all."""
    rows, total = _service.list_alerts(ctx, status=status, min_severity=min_severity, customer_code=customer_code,
                                       rule_id=rule_id, today=today, include_snoozed=include_snoozed, limit=limit,
                                       offset=offset)
    return [_alert(a) for a in rows], total


def list_tasks(ctx: ServiceContext, status: str | None = "open", kind: str | None = None,
               limit: int = 50, offset: int = 0) -> tuple[list[TaskView], int]:
    """A page of follow-up tasks and how many match in all."""
    rows, total = _service.list_tasks(ctx, status, kind, limit, offset)
    return [TaskView(t.id, t.kind, t.customer_code, t.alert_id, t.status, t.note) for t in rows], total
