"""Storing events (service layer): one event or a whole file in a few statements.

An event is stored once: its fingerprint (the sender's external id, else its content) is unique per
company, so posting it again — in the same batch, later, or concurrently — changes nothing. A batch
is validated record by record (bad ones become Issues), checked against the customers and the known
fingerprints in chunks, inserted in one statement and audited in one entry naming every event.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from arguard.core.errors import Issue, NotFound, ValidationError
from arguard.ledger import interface as ledger
from arguard.monitor import snapshots
from arguard.monitor.bulk import BULK, insert_ignoring_conflicts, jsonable
from arguard.monitor.model import EventRecord, StoredEvent, validate_event
from arguard.monitor.tables import MonitorEvent
from arguard.platform.context import ServiceContext

_CHUNK = 500


def fingerprint(rec: EventRecord) -> str:
    if rec.external_id:
        basis = "ext:" + rec.external_id
    else:
        basis = json.dumps([rec.type, rec.customer_code, rec.occurred_on.isoformat(), rec.details],
                           sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(basis.encode()).hexdigest()


@dataclass
class Recorded:
    """new: the events stored now (in input order); known: fingerprints that were stored before (or
    earlier in the batch); issues: records refused, one Issue per problem."""

    new: list[StoredEvent] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def _in_chunks(ctx: ServiceContext, column: object, wanted: Sequence[str], q: object) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(wanted), _CHUNK):
        found |= set(ctx.session.scalars(q.where(column.in_(wanted[i:i + _CHUNK]))))  # type: ignore[attr-defined]
    return found


def record_events(ctx: ServiceContext, records: Sequence[tuple[int | None, EventRecord]], source: str,
                  origin: str = "api", *, strict: bool = False) -> Recorded:
    """Store every good record once. `source` names the file (in Issues), `origin` the channel stored
    with the event (api, file, demo, risk …). strict: the first problem raises instead (one event
    posted through the API: 422 invalid_event or 404 customer_not_found)."""
    ctx.require("analyst")
    out = Recorded()
    good: list[tuple[int | None, EventRecord]] = []
    for line, rec in records:
        problems = validate_event(rec)
        if problems and strict:
            raise ValidationError("; ".join(f"{f}: {r}" for f, r in problems), code="invalid_event")
        out.issues += [Issue(source, line, f, r) for f, r in problems]
        if not problems:
            good.append((line, rec))
    codes = sorted({rec.customer_code for _, rec in good if rec.customer_code})
    known_codes = set(ledger.customer_ids(ctx, codes))
    fresh: dict[str, EventRecord] = {}
    for line, rec in good:
        if rec.customer_code is not None and rec.customer_code not in known_codes:
            if strict:
                raise NotFound(f"no customer {rec.customer_code!r}", code="customer_not_found")
            out.issues.append(Issue(source, line, "customer_id", f"no customer {rec.customer_code!r}"))
            continue
        fp = fingerprint(rec)
        if fp in fresh:
            out.known.append(fp)
        else:
            fresh[fp] = rec
    stored = _in_chunks(ctx, MonitorEvent.fingerprint, list(fresh), select(MonitorEvent.fingerprint).where(
        MonitorEvent.company_id == ctx.company_id))
    out.known += [fp for fp in fresh if fp in stored]
    rows = [{"company_id": ctx.company_id, "kind": rec.type, "customer_code": rec.customer_code,
             "occurred_on": rec.occurred_on, "details": jsonable(dict(rec.details)), "source": origin,
             "external_id": rec.external_id, "fingerprint": fp, "actor": ctx.actor}
            for fp, rec in fresh.items() if fp not in stored]
    if rows:
        stmt = insert_ignoring_conflicts(ctx, MonitorEvent, ["company_id", "fingerprint"])
        ids = {fp: eid for eid, fp in ctx.session.execute(stmt.returning(MonitorEvent.id, MonitorEvent.fingerprint),
                                                          rows, execution_options=BULK)}
        out.new = [StoredEvent(ids[r["fingerprint"]], r["kind"], r["customer_code"], r["occurred_on"], r["details"],
                               r["source"], r["external_id"]) for r in rows if r["fingerprint"] in ids]
        out.new.sort(key=lambda e: e.id)
        out.known += [r["fingerprint"] for r in rows if r["fingerprint"] not in ids]  # stored meanwhile
        _audit(ctx, out.new, source)
    return out


def _audit(ctx: ServiceContext, new: list[StoredEvent], source: str) -> None:
    if len(new) == 1:
        e = new[0]
        ctx.audit("monitor.event", "customer", e.customer_code,
                  after={"event": e.id, "type": e.kind, "occurred_on": e.occurred_on.isoformat()})
    elif new:
        ctx.audit("monitor.event", "monitor_event", None, reason=f"{len(new)} events from {source}",
                  after={"events": [e.id for e in new], "types": dict(sorted(Counter(e.kind for e in new).items())),
                         "buyers": len({e.customer_code for e in new})})


def by_fingerprint(ctx: ServiceContext, fp: str) -> MonitorEvent:
    row = ctx.session.scalar(select(MonitorEvent).where(MonitorEvent.company_id == ctx.company_id,
                                                        MonitorEvent.fingerprint == fp))
    if row is None:
        raise NotFound("event not found", code="event_not_found")
    return row


def record_event(ctx: ServiceContext, rec: EventRecord, source: str = "api"
                 ) -> tuple[StoredEvent | MonitorEvent, bool]:
    """Store one event; the same event again (same external id or content) returns (stored row, False)."""
    done = record_events(ctx, [(None, rec)], source, source, strict=True)
    if done.new:
        return done.new[0], True
    return by_fingerprint(ctx, done.known[0]), False


def affected_buyers(ctx: ServiceContext, events: Sequence[StoredEvent | MonitorEvent]) -> list[str]:
    """Buyers to re-evaluate after these events: their own buyer, or every buyer of a country whose
    class a new country table changed."""
    codes = {e.customer_code for e in events if e.customer_code}
    tables = [e for e in events if e.kind == "country.classification"]
    if tables:
        ids = {e.id for e in tables}
        changed = {c.country for c in snapshots.country_changes(ctx, max(e.occurred_on for e in tables))
                   if c.event_id in ids}
        if changed:
            codes |= {c.code for c in ledger.customer_refs(ctx) if c.country in changed}
    return sorted(codes)


def list_events(ctx: ServiceContext, customer_code: str | None = None, kind: str | None = None,
                limit: int = 50, offset: int = 0) -> tuple[list[MonitorEvent], int]:
    q = select(MonitorEvent).where(MonitorEvent.company_id == ctx.company_id)
    if customer_code:
        q = q.where(MonitorEvent.customer_code == customer_code)
    if kind:
        q = q.where(MonitorEvent.kind == kind)
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = ctx.session.scalars(q.order_by(MonitorEvent.occurred_on.desc(), MonitorEvent.id.desc())
                               .limit(limit).offset(offset))
    return list(rows), total
