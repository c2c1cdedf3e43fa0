"""Monitoring services: events in, rules evaluated, alerts out (merged, reacted to, delivered).

The pipeline in one screen:

    record_event / ledger fact ─► snapshots.load(buyers, as_of) ─► engine.evaluate(rules)
        ─► apply_drafts: new key → Alert + reactions + deliveries; known key → merged, nothing sent

Every function takes the ServiceContext first and never commits. Dedupe keys make every run
idempotent: running the same date twice writes nothing the second time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select

from arguard.core.errors import Issue, NotFound, ValidationError
from arguard.core.progress import Progress, counted, silent
from arguard.db.session import get_engine, session_scope
from arguard.ledger import interface as ledger
from arguard.monitor import alerting, delivery, engine, snapshots
from arguard.monitor.alerting import apply_drafts
from arguard.monitor.events import affected_buyers, list_events, record_event, record_events
from arguard.monitor.model import (
    SEVERITIES,
    EventRecord,
    RuleSet,
    StoredEvent,
    check_transition,
    severity_rank,
)
from arguard.monitor.tables import Alert, MonitorEvent, MonitorRun, Reaction, RuleFile, Task
from arguard.platform.context import ServiceContext
from arguard.platform.events import Fact

log = logging.getLogger(__name__)
DEFAULT_RULES = (Path(__file__).parent / "default_rules.toml").read_text(encoding="utf-8")


class RulesInvalid(ValidationError):
    code = "invalid_rules"

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("rule file rejected: " + "; ".join(str(i) for i in issues))
        self.issues = issues


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# ---------------------------------------------------------------- rules

def rules_text(ctx: ServiceContext) -> tuple[str, int]:
    """The rule file in force and its version (0 = the shipped default)."""
    row = ctx.session.scalar(select(RuleFile).where(RuleFile.company_id == ctx.company_id)
                             .order_by(RuleFile.version.desc()).limit(1))
    return (row.text, row.version) if row else (DEFAULT_RULES, 0)


def rule_set(ctx: ServiceContext) -> RuleSet:
    rules, _ = engine.parse_rules(rules_text(ctx)[0])
    return rules


def set_rules(ctx: ServiceContext, text: str) -> tuple[RuleSet, int]:
    """Store a new version of the rule file after checking it; an invalid file changes nothing."""
    ctx.require("admin")
    rules, issues = engine.parse_rules(text)
    if issues:
        raise RulesInvalid(issues)
    old, version = rules_text(ctx)
    if old == text:
        return rules, version
    ctx.session.add(RuleFile(company_id=ctx.company_id, version=version + 1, text=text, actor=ctx.actor))
    ctx.session.flush()
    ctx.audit("monitor.rules", "rule_file", version + 1, after={"rules": [r.id for r in rules.rules]})
    return rules, version + 1


# ---------------------------------------------------------------- events

def post_event(ctx: ServiceContext, rec: EventRecord, as_of: date, source: str = "api"
               ) -> tuple[StoredEvent | MonitorEvent, bool, list[Alert]]:
    """Record an event and re-evaluate the buyers it concerns at once (same unit of work)."""
    row, created = record_event(ctx, rec, source)
    if created:
        _defaults_on_record(ctx, [row], as_of)
    alerts = evaluate_buyers(ctx, affected_buyers(ctx, [row]), max(as_of, rec.occurred_on), "event") if created else []
    return row, created, alerts


def _defaults_on_record(ctx: ServiceContext, events: Sequence[StoredEvent | MonitorEvent], as_of: date) -> None:
    """An insolvency filing or a reported default puts the default on record with the risk capability in
    this unit of work (grade 10 at once); the alert's reactions (order hold, limit review) follow in the
    evaluation that comes next, in the same unit of work (README rule 11)."""
    from arguard.risk import interface as risk

    for e in events:
        kind = risk.DEFAULT_EVENTS.get(e.kind)
        if kind is not None and e.customer_code:
            risk.flag_default(ctx, e.customer_code, kind, e.occurred_on, f"event {e.id}: {e.kind}",
                              grade_on=max(as_of, e.occurred_on))


@dataclass
class ImportResult:
    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    issues: list[Issue] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    event_ids: list[int] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Records refused (a record may have several issues)."""
        return len({(i.source, i.line) for i in self.issues})


def import_events(ctx: ServiceContext, records: Sequence[tuple[int | None, EventRecord]], as_of: date, source: str,
                  issues: Sequence[Issue] = (), origin: str = "file") -> ImportResult:
    """Record a batch of parsed events (line, record) — a file or a list posted to the API: a bad one
    becomes an Issue, the good ones are stored in one statement and the buyers they concern are
    re-evaluated once, together."""
    done = record_events(ctx, records, source, origin)
    result = ImportResult(read=len(records) + len(issues), inserted=len(done.new), duplicates=len(done.known),
                          issues=sorted([*issues, *done.issues], key=lambda i: (i.line or 0)),
                          event_ids=[e.id for e in done.new])
    if done.new:
        _defaults_on_record(ctx, done.new, as_of)
        latest = max(e.occurred_on for e in done.new)
        result.alerts = evaluate_buyers(ctx, affected_buyers(ctx, done.new), max(as_of, latest), origin)
    return result


# ---------------------------------------------------------------- evaluation

def _load_options(rules: RuleSet) -> snapshots.LoadOptions:
    for r in rules.enabled():
        if r.kind == "dbt_trend":
            return snapshots.LoadOptions(int(r.params.get("windows", 3)), int(r.params.get("window_days", 30)))
    return snapshots.LoadOptions()


def evaluate_buyers(ctx: ServiceContext, codes: Sequence[str], as_of: date, trigger: str) -> list[Alert]:
    """Re-evaluate these buyers' rules as of the date; returns the alerts newly raised."""
    if not codes:
        return []
    rules = rule_set(ctx)
    snaps, _, _issues = snapshots.load(ctx, as_of, list(codes), _load_options(rules))
    drafts = engine.evaluate(rules, snaps, None, as_of)
    at = now_utc()
    applied = apply_drafts(ctx, drafts, trigger, audit_raised=True, at=at)
    alerting.resolve_gone(ctx, [s.code for s in snaps], drafts, as_of, at, trigger)
    return alerting.alerts_by_id(ctx, [a.id for a in applied.raised])


@dataclass
class RunResult:
    as_of: date
    buyers: int
    drafts: int
    raised: int
    merged: int
    issues: list[str]
    seconds: float
    run_id: int | None = None
    timings: dict[str, float] = field(default_factory=dict)


def run(ctx: ServiceContext, as_of: date, trigger: str = "cli", progress: Progress | None = None) -> RunResult:
    """Evaluate every rule for every buyer and the portfolio as of the date (the daily run). progress:
    told the stages done (buyers read, rules evaluated, alerts raised and resolved) and the buyers
    evaluated (`core.progress`)."""
    ctx.require("analyst")
    note = progress or silent
    started, t0 = now_utc(), time.perf_counter()
    rules = rule_set(ctx)
    note("stages", 0, 3)
    snaps, portfolio, issues = snapshots.load(ctx, as_of, None, _load_options(rules))
    note("stages", 1, 3)
    t1 = time.perf_counter()
    drafts = engine.evaluate(rules, counted(snaps, progress, "buyers evaluated", len(snaps)), portfolio, as_of)
    note("stages", 2, 3)
    t2 = time.perf_counter()
    applied = apply_drafts(ctx, drafts, trigger, audit_raised=False, at=started)
    alerting.resolve_gone(ctx, None, drafts, as_of, started, trigger)
    note("stages", 3, 3)
    seconds = time.perf_counter() - t0
    row = MonitorRun(company_id=ctx.company_id, as_of=as_of, trigger=trigger, buyers=len(snaps),
                     drafts=len(drafts), raised=len(applied.raised), merged=applied.merged, issues=issues,
                     seconds=f"{seconds:.2f}", started_at=started)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("monitor.run", "monitor_run", row.id, reason=f"{trigger} run as of {as_of}",
              after={"as_of": as_of.isoformat(), "raised": [a.id for a in applied.raised], "merged": applied.merged,
                     "reactions": applied.reactions, "messages": applied.messages})
    timings = {"load": t1 - t0, "evaluate": t2 - t1, "apply": time.perf_counter() - t2}
    return RunResult(as_of, len(snaps), len(drafts), len(applied.raised), applied.merged, issues, seconds, row.id,
                     timings)


# ---------------------------------------------------------------- alerts

def list_alerts(ctx: ServiceContext, *, status: str | None = None, min_severity: str | None = None,
                customer_code: str | None = None, rule_id: str | None = None, today: date | None = None,
                include_snoozed: bool = True, limit: int = 50, offset: int = 0) -> tuple[list[Alert], int]:
    q = select(Alert).where(Alert.company_id == ctx.company_id)
    if status:
        q = q.where(Alert.status == status)
    if min_severity:
        q = q.where(Alert.severity.in_(SEVERITIES[severity_rank(min_severity):]))
    if customer_code:
        q = q.where(Alert.customer_code == customer_code)
    if rule_id:
        q = q.where(Alert.rule_id == rule_id)
    if not include_snoozed and today is not None:
        q = q.where((Alert.snoozed_until.is_(None)) | (Alert.snoozed_until <= today))
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    rows = list(ctx.session.scalars(q.order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit).offset(offset)))
    if status == "open":
        rows.sort(key=lambda a: -rank.get(a.severity, 0))
    return rows, total


ALERT_SORTS_SQL = ("severity_rank", "first_as_of", "last_as_of", "customer_code", "rule_id")
"""Inbox sorts the database does (a title sorts in the reader's language, a name is the ledger's)."""


def alert_page(ctx: ServiceContext, *, status: str | None, min_severity: str | None, today: date,
               include_snoozed: bool, customer_codes: Sequence[str] | None, sort: str, descending: bool,
               offset: int, limit: int) -> tuple[list[Alert], int, int]:
    """One page of the alert inbox, filtered, sorted and cut by the database: (alerts, total, offset).
    The order is the one the inbox had when it sorted every alert in memory — rows without the key last,
    ties newest first (for open alerts: most severe, then newest). customer_codes: only these buyers'."""
    if sort not in ALERT_SORTS_SQL:
        raise ValidationError(f"the inbox sorts by {', '.join(ALERT_SORTS_SQL)} in the database", code="invalid_sort")
    q = select(Alert).where(Alert.company_id == ctx.company_id)
    if status:
        q = q.where(Alert.status == status)
    if min_severity:
        q = q.where(Alert.severity.in_(SEVERITIES[severity_rank(min_severity):]))
    if customer_codes is not None:
        q = q.where(Alert.customer_code.in_(list(customer_codes)))
    if not include_snoozed:
        q = q.where((Alert.snoozed_until.is_(None)) | (Alert.snoozed_until <= today))
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    offset = max(0, min(offset, max(total - 1, 0)))
    rank = case({s: i for i, s in enumerate(SEVERITIES)}, value=Alert.severity, else_=-1)
    key: Any = rank if sort == "severity_rank" else getattr(Alert, sort)
    order = [key.is_(None), key.desc() if descending else key.asc()]
    if status == "open":
        order.append(rank.desc())
    order += [Alert.raised_at.desc(), Alert.id.desc()]
    return list(ctx.session.scalars(q.order_by(*order).offset(offset).limit(limit))), total, offset


def get_alert(ctx: ServiceContext, alert_id: int) -> Alert:
    row = ctx.session.scalar(select(Alert).where(Alert.company_id == ctx.company_id, Alert.id == alert_id))
    if row is None:
        raise NotFound(f"no alert {alert_id}", code="alert_not_found")
    return row


def acknowledge(ctx: ServiceContext, alert_id: int, note: str | None = None) -> Alert:
    ctx.require("analyst")
    alert = get_alert(ctx, alert_id)
    check_transition(alert.status, "acknowledged")
    alert.status, alert.acknowledged_by, alert.acknowledged_at = "acknowledged", ctx.actor, now_utc()
    ctx.audit("alert.acknowledge", "alert", alert.id, reason=note, before={"status": "open"},
              after={"status": "acknowledged"})
    delivery.notify(ctx, alert, "alert.acknowledged")
    return alert


def resolve(ctx: ServiceContext, alert_id: int, note: str) -> Alert:
    """Close an alert; the note (what was done, why it is over) is required."""
    ctx.require("analyst")
    if not (note or "").strip():
        raise ValidationError("resolving an alert needs a note saying what was done", code="note_required")
    alert = get_alert(ctx, alert_id)
    before = alert.status
    check_transition(before, "resolved")
    alert.status, alert.resolved_by, alert.resolved_at, alert.resolution_note = (
        "resolved", ctx.actor, now_utc(), note.strip())
    ctx.audit("alert.resolve", "alert", alert.id, reason=note, before={"status": before},
              after={"status": "resolved"})
    delivery.notify(ctx, alert, "alert.resolved")
    return alert


def snooze(ctx: ServiceContext, alert_id: int, until: date, reason: str | None = None) -> Alert:
    """Hide an unresolved alert from the inbox until a date; repeats of it are still merged into it."""
    ctx.require("analyst")
    alert = get_alert(ctx, alert_id)
    if alert.status == "resolved":
        raise ValidationError("a resolved alert cannot be snoozed", code="bad_alert_transition")
    before = alert.snoozed_until
    alert.snoozed_until = until
    ctx.audit("alert.snooze", "alert", alert.id, reason=reason,
              before={"snoozed_until": before.isoformat() if before else None},
              after={"snoozed_until": until.isoformat()})
    return alert


def alert_reactions(ctx: ServiceContext, alert_id: int) -> list[Reaction]:
    return list(ctx.session.scalars(select(Reaction).where(Reaction.company_id == ctx.company_id,
                                                           Reaction.alert_id == alert_id).order_by(Reaction.id)))


def buyer_history(ctx: ServiceContext, code: str, limit: int = 100) -> dict[str, list[Any]]:
    """A buyer's monitoring history: events, alerts and reactions, newest first."""
    events, _ = list_events(ctx, code, limit=limit)
    alerts, _ = list_alerts(ctx, customer_code=code, limit=limit)
    reactions = list(ctx.session.scalars(select(Reaction).where(
        Reaction.company_id == ctx.company_id, Reaction.customer_code == code).order_by(Reaction.id.desc())
        .limit(limit)))
    return {"events": events, "alerts": alerts, "reactions": reactions}


def list_tasks(ctx: ServiceContext, status: str | None = "open", kind: str | None = None,
               limit: int = 50, offset: int = 0) -> tuple[list[Task], int]:
    q = select(Task).where(Task.company_id == ctx.company_id)
    if status:
        q = q.where(Task.status == status)
    if kind:
        q = q.where(Task.kind == kind)
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    return list(ctx.session.scalars(q.order_by(Task.id.desc()).limit(limit).offset(offset))), total


def close_task(ctx: ServiceContext, task_id: int, note: str) -> Task:
    ctx.require("analyst")
    task = ctx.session.scalar(select(Task).where(Task.company_id == ctx.company_id, Task.id == task_id))
    if task is None:
        raise NotFound(f"no task {task_id}", code="task_not_found")
    if task.status != "open":
        raise ValidationError("task already closed", code="task_closed")
    task.status, task.closed_at = "done", now_utc()
    task.note = ((task.note or "") + "\n" + note).strip()
    ctx.audit("monitor.task_close", "task", task.id, reason=note)
    return task


def last_runs(ctx: ServiceContext, limit: int = 10) -> list[MonitorRun]:
    return list(ctx.session.scalars(select(MonitorRun).where(MonitorRun.company_id == ctx.company_id)
                                    .order_by(MonitorRun.id.desc()).limit(limit)))


# ---------------------------------------------------------------- facts published by other capabilities

REALTIME_MAX_BUYERS = 500
"""A commit of single facts touching more buyers than this is left to the daily run; a file import is
always evaluated, once, when it has committed (its buyers together)."""
_FACT_EVENT_TYPES = {"grade.changed": "grade.changed", "risk.grade_changed": "grade.changed",
                     "risk.grade.changed": "grade.changed", "statement.added": "statement.added",
                     "risk.statement": "statement.added", "risk.statement_added": "statement.added",
                     "limit.changed": "limit.changed", "limits.changed": "limit.changed",
                     "limits.decision": "limit.changed"}


def _fact_codes(ctx: ServiceContext, facts: Sequence[Fact]) -> set[str]:
    """The buyers of these facts: named, listed (`customers` of a ledger import) or by customer id."""
    codes = {f.customer_code for f in facts if f.customer_code}
    for f in facts:
        codes |= {str(c) for c in f.payload.get("customers") or () if c}
    ids = sorted({int(f.payload["customer_id"]) for f in facts if not f.customer_code and f.payload.get("customer_id")})
    return codes | set(ledger.customer_codes(ctx, ids).values()) if ids else codes


def _fact_event(f: Fact, today: date) -> EventRecord:
    details = {k: v for k, v in f.payload.items() if k not in ("occurred_on", "as_of")}
    on = f.payload.get("occurred_on") or f.payload.get("as_of")
    return EventRecord(_FACT_EVENT_TYPES[f.kind], f.customer_code, date.fromisoformat(str(on)) if on else today,
                       details, f.payload.get("external_id"))


def _concerns_monitoring(f: Fact) -> bool:
    if not (f.kind.startswith("ledger.") or f.kind in _FACT_EVENT_TYPES):
        return False
    return bool(f.customer_code or f.payload.get("customer_id") or f.payload.get("customers"))


def on_facts(facts: list[Fact], today: date | None = None) -> None:
    """Re-evaluate every buyer a committed unit of work touched (a ledger import names its buyers);
    store grade, statement and limit facts as monitor events first (they are what the rules read)."""
    today = today or date.today()
    groups: dict[tuple[int, int], list[Fact]] = {}
    for f in facts:
        if _concerns_monitoring(f):
            groups.setdefault((id(f.engine), f.company_id), []).append(f)
    for group in groups.values():
        with session_scope(group[0].engine or get_engine()) as session:
            ctx = ServiceContext(session, group[0].company_id, "system:monitor", "admin")
            by_origin: dict[str, list[tuple[int | None, EventRecord]]] = {}
            for f in group:
                if f.kind in _FACT_EVENT_TYPES and f.customer_code:
                    by_origin.setdefault(f.kind.split(".")[0], []).append((None, _fact_event(f, today)))
            for origin, records in by_origin.items():
                done = record_events(ctx, records, origin, origin)
                for issue in done.issues:
                    log.warning("fact not recorded as an event: %s", issue)
            codes = _fact_codes(ctx, group)
            imported = any(f.kind.startswith("ledger.import.") for f in group)
            if len(codes) > REALTIME_MAX_BUYERS and not imported:
                log.info("%d buyers touched at once: left to the daily run", len(codes))
            else:  # a file import: its buyers once, at its end (README rule 13), set queries when many
                evaluate_buyers(ctx, sorted(codes), today, "import" if imported else "fact")
        ctx.run_after_commit()

