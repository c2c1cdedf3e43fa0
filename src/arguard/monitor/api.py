"""Monitoring routes: events, alerts, rules, runs, webhooks, subscriptions, tasks. Each route is a few
lines over `monitor.service` / `monitor.delivery`; posting an event answers with the alerts it raised."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, Query, UploadFile
from pydantic import BaseModel, Field

from arguard.api.deps import Admin, Analyst, Viewer
from arguard.api.pagination import Page, PageParams, page_params
from arguard.monitor import delivery, files, service
from arguard.monitor.model import EventRecord, StoredEvent
from arguard.monitor.tables import Alert, MonitorEvent

router = APIRouter(tags=["monitoring"])
Paging = Annotated[PageParams, Depends(page_params)]


class EventCreate(BaseModel):
    type: str = Field(description="event type, e.g. insolvency.filing, insurer.decision (docs/monitoring.md)")
    customer_id: str | None = Field(None, description="the customer's code; omitted only for country.classification")
    occurred_on: date
    details: dict[str, Any] = Field(default_factory=dict)
    external_id: str | None = Field(None, description="your id for the event: posting it again is a no-op")


class EventRead(BaseModel):
    id: int
    type: str
    customer_id: str | None
    occurred_on: date
    details: dict[str, Any]
    source: str
    external_id: str | None

    @classmethod
    def of(cls, e: MonitorEvent | StoredEvent) -> EventRead:
        return cls(id=e.id, type=e.kind, customer_id=e.customer_code, occurred_on=e.occurred_on,
                   details=dict(e.details or {}), source=e.source, external_id=e.external_id)


class AlertRead(BaseModel):
    id: int
    rule_id: str
    kind: str
    customer_id: str | None
    severity: str
    title: str
    status: str
    evidence: dict[str, Any]
    first_as_of: date
    last_as_of: date
    occurrences: int
    snoozed_until: date | None
    dedupe_key: str
    resolution_note: str | None

    @classmethod
    def of(cls, a: Alert) -> AlertRead:
        return cls(id=a.id, rule_id=a.rule_id, kind=a.kind, customer_id=a.customer_code, severity=a.severity,
                   title=a.title, status=a.status, evidence=a.evidence or {}, first_as_of=a.first_as_of,
                   last_as_of=a.last_as_of, occurrences=a.occurrences, snoozed_until=a.snoozed_until,
                   dedupe_key=a.dedupe_key, resolution_note=a.resolution_note)


class EventPosted(BaseModel):
    event: EventRead
    created: bool
    alerts: list[AlertRead]


class IssueRead(BaseModel):
    source: str
    line: int | None = Field(None, description="the file line, or the position in a posted list (1 = first)")
    field: str | None
    reason: str


class EventsPosted(BaseModel):
    """A batch of events: how many were new, already known or refused, and the alerts raised."""

    read: int
    inserted: int
    duplicates: int
    rejected: int
    event_ids: list[int]
    issues: list[IssueRead]
    alerts: list[AlertRead]

    @classmethod
    def of(cls, r: service.ImportResult) -> EventsPosted:
        return cls(read=r.read, inserted=r.inserted, duplicates=r.duplicates, rejected=r.rejected, event_ids=r.event_ids,
                   issues=[IssueRead(source=i.source, line=i.line, field=i.field, reason=i.reason) for i in r.issues],
                   alerts=[AlertRead.of(a) for a in r.alerts])


def _record(body: EventCreate) -> EventRecord:
    return EventRecord(body.type, body.customer_id, body.occurred_on, body.details, body.external_id)


@router.post("/events", status_code=201)
def post_event(body: Annotated[EventCreate | list[EventCreate], Body()], ctx: Analyst) -> EventPosted | EventsPosted:
    """One event: recorded and its buyer evaluated at once; the answer carries the alerts raised.
    A list of events: stored together, every buyer concerned evaluated once; a bad item becomes an
    issue naming its position (1 = first) and the good ones are kept."""
    if isinstance(body, list):
        records = [(i, _record(b)) for i, b in enumerate(body, 1)]
        return EventsPosted.of(service.import_events(ctx, records, date.today(), "request", origin="api"))
    row, created, alerts = service.post_event(ctx, _record(body), date.today())
    return EventPosted(event=EventRead.of(row), created=created, alerts=[AlertRead.of(a) for a in alerts])


@router.post("/events/import")
def import_events(ctx: Analyst, file: Annotated[UploadFile, File()]) -> EventsPosted:
    """Import events from CSV, JSON or JSON lines; bad rows come back as issues, good ones are kept."""
    records, issues = files.parse(file.file.read(), file.filename or "upload")
    return EventsPosted.of(service.import_events(ctx, records, date.today(), file.filename or "upload", issues))


@router.get("/events")
def list_events(ctx: Viewer, page: Paging, customer_id: str | None = None, type: str | None = None) -> Page[EventRead]:
    rows, total = service.list_events(ctx, customer_id, type, page.limit, page.offset)
    return Page(items=[EventRead.of(e) for e in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/alerts")
def list_alerts(ctx: Viewer, page: Paging, status: Literal["open", "acknowledged", "resolved"] | None = None,
                min_severity: str | None = None, customer_id: str | None = None, rule_id: str | None = None,
                include_snoozed: bool = True) -> Page[AlertRead]:
    rows, total = service.list_alerts(ctx, status=status, min_severity=min_severity, customer_code=customer_id,
                                      rule_id=rule_id, today=date.today(), include_snoozed=include_snoozed,
                                      limit=page.limit, offset=page.offset)
    return Page(items=[AlertRead.of(a) for a in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/alerts/{alert_id}")
def get_alert(alert_id: int, ctx: Viewer) -> dict[str, Any]:
    alert = service.get_alert(ctx, alert_id)
    return {**AlertRead.of(alert).model_dump(mode="json"),
            "reactions": [{"kind": r.kind, "handler": r.handler, "status": r.status, "reference": r.reference,
                           "cause": r.cause} for r in service.alert_reactions(ctx, alert_id)]}


class Note(BaseModel):
    note: str | None = None


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: int, ctx: Analyst, body: Annotated[Note | None, Body()] = None) -> AlertRead:
    return AlertRead.of(service.acknowledge(ctx, alert_id, body.note if body else None))


@router.post("/alerts/{alert_id}/resolve")
def resolve(alert_id: int, body: Note, ctx: Analyst) -> AlertRead:
    return AlertRead.of(service.resolve(ctx, alert_id, body.note or ""))


class Snooze(BaseModel):
    until: date
    reason: str | None = None


@router.post("/alerts/{alert_id}/snooze")
def snooze(alert_id: int, body: Snooze, ctx: Analyst) -> AlertRead:
    return AlertRead.of(service.snooze(ctx, alert_id, body.until, body.reason))


class RulesText(BaseModel):
    text: str = Field(description="the rule file, TOML or JSON (see default_rules.toml)")


@router.get("/monitor/rules")
def get_rules(ctx: Viewer) -> dict[str, Any]:
    text, version = service.rules_text(ctx)
    return {"version": version, "text": text, "rules": service.engine.rule_summary(service.rule_set(ctx))}


@router.put("/monitor/rules")
def put_rules(body: RulesText, ctx: Admin) -> dict[str, Any]:
    rules, version = service.set_rules(ctx, body.text)
    return {"version": version, "rules": service.engine.rule_summary(rules)}


class RunRequest(BaseModel):
    as_of: date


@router.post("/monitor/run")
def run(body: RunRequest, ctx: Analyst) -> dict[str, Any]:
    """Evaluate every rule for the date (what the daily scheduler does); a re-run raises nothing new."""
    r = service.run(ctx, body.as_of, trigger="api")
    return {"run_id": r.run_id, "as_of": r.as_of, "buyers": r.buyers, "drafts": r.drafts, "raised": r.raised,
            "merged": r.merged, "issues": r.issues, "seconds": round(r.seconds, 2)}


class WebhookCreate(BaseModel):
    url: str
    secret: str = Field(min_length=16, description="shared secret for the HMAC-SHA256 signature")
    event_types: list[str] = Field(default_factory=lambda: ["alert.raised"])
    min_severity: str = "info"


class WebhookRead(BaseModel):
    id: int
    url: str
    event_types: list[str]
    min_severity: str
    active: bool


def _hook(h: Any) -> WebhookRead:
    return WebhookRead(id=h.id, url=h.url, event_types=h.event_types, min_severity=h.min_severity, active=h.active)


@router.post("/webhooks", status_code=201)
def add_webhook(body: WebhookCreate, ctx: Admin) -> WebhookRead:
    return _hook(delivery.add_webhook(ctx, body.url, body.secret, body.event_types, body.min_severity))


@router.get("/webhooks")
def list_webhooks(ctx: Admin) -> list[WebhookRead]:
    return [_hook(h) for h in delivery.list_webhooks(ctx)]


@router.delete("/webhooks/{webhook_id}")
def disable_webhook(webhook_id: int, ctx: Admin) -> WebhookRead:
    return _hook(delivery.disable_webhook(ctx, webhook_id))


@router.get("/webhooks/{webhook_id}/deliveries")
def webhook_deliveries(webhook_id: int, ctx: Admin, limit: int = Query(50, ge=1, le=500)) -> list[dict[str, Any]]:
    """The delivery log: each message, its status and every attempt."""
    return [{"id": d.id, "event_type": d.event_type, "alert_id": d.alert_id, "status": d.status,
             "attempts": [{"at": a.attempted_at, "status_code": a.status_code, "error": a.error,
                           "duration_ms": a.duration_ms} for a in attempts]}
            for d, attempts in delivery.delivery_log(ctx, webhook_id, limit)]


class SubscriptionCreate(BaseModel):
    username: str
    channel: Literal["email", "digest"]
    min_severity: str = "high"
    rule_ids: list[str] = Field(default_factory=list)


@router.post("/monitor/subscriptions", status_code=201)
def subscribe(body: SubscriptionCreate, ctx: Viewer) -> dict[str, Any]:
    row = delivery.subscribe(ctx, body.username, body.channel, body.min_severity, body.rule_ids)
    return {"id": row.id, "username": body.username, "channel": row.channel, "min_severity": row.min_severity,
            "rule_ids": row.rule_ids}


@router.get("/monitor/tasks")
def list_tasks(ctx: Viewer, page: Paging, status: str | None = "open", kind: str | None = None) -> Page[dict[str, Any]]:
    rows, total = service.list_tasks(ctx, status, kind, page.limit, page.offset)
    return Page(items=[{"id": t.id, "kind": t.kind, "customer_id": t.customer_code, "alert_id": t.alert_id,
                        "status": t.status, "note": t.note} for t in rows], total=total, limit=page.limit,
                offset=page.offset)
