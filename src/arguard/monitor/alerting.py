"""Raising and merging alerts in bulk (service layer).

A batch of drafts — one event's, a file's or a whole daily run's — costs a handful of statements
whatever its size: the known dedupe keys are read in chunks, merges are one executemany UPDATE,
new alerts one INSERT … ON CONFLICT DO NOTHING RETURNING (a key raised meanwhile by a concurrent unit
of work is simply not raised twice), then the reactions and the messages of the new alerts, each in
bulk, and one audit entry for the batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from arguard.monitor import delivery
from arguard.monitor.bulk import BULK, insert_ignoring_conflicts, jsonable
from arguard.monitor.model import AlertDraft, AlertView, severity_rank
from arguard.monitor.reactions import react
from arguard.monitor.tables import Alert
from arguard.platform.context import ServiceContext

_CHUNK = 500


@dataclass
class Applied:
    """What a batch of drafts did: the alerts newly raised (in draft order) and how many merged."""

    raised: list[AlertView]
    merged: int
    reactions: int = 0
    messages: int = 0


def _known(ctx: ServiceContext, keys: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    cols = (Alert.id, Alert.dedupe_key, Alert.status, Alert.severity, Alert.last_as_of, Alert.occurrences, Alert.title)
    for i in range(0, len(keys), _CHUNK):
        for row in ctx.session.execute(select(*cols).where(Alert.company_id == ctx.company_id,
                                                           Alert.dedupe_key.in_(keys[i:i + _CHUNK]))):
            out[row.dedupe_key] = row
    return out


def _merge(ctx: ServiceContext, known: dict[str, Any], drafts: Iterable[AlertDraft]) -> int:
    """Known keys: the date moved on → one more occurrence, title and evidence refreshed and severity
    raised unless resolved (a resolved alert stays resolved). Same date → nothing written, unless the
    figures changed (then title and evidence follow the facts, README rule 12)."""
    changes: dict[int, dict[str, Any]] = {}
    merged = 0
    for d in drafts:
        row = known.get(d.dedupe_key)
        if row is None:
            continue
        merged += 1
        change = changes.get(row.id)
        last = change["last_as_of"] if change else row.last_as_of
        title = d.title[:255]
        if d.as_of < last or (d.as_of == last and (row.status == "resolved" or title == row.title)):
            continue
        change = changes.setdefault(row.id, {"id": row.id, "occurrences": row.occurrences})
        if d.as_of > last:
            change["last_as_of"], change["occurrences"] = d.as_of, change["occurrences"] + 1
        if row.status != "resolved":
            severity = change.get("severity", row.severity)
            change["evidence"], change["title"] = jsonable(dict(d.evidence)), title
            change["severity"] = d.severity if severity_rank(d.severity) > severity_rank(severity) else severity
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes.values():
        groups.setdefault(tuple(sorted(change)), []).append(change)
    for rows in groups.values():
        ctx.session.execute(update(Alert), rows)
    if changes:  # rows of these alerts already in the session show the new values too
        for obj in list(ctx.session.identity_map.values()):
            if isinstance(obj, Alert) and obj.id in changes:
                for key, value in changes[obj.id].items():
                    set_committed_value(obj, key, value)
    return merged


def _insert(ctx: ServiceContext, drafts: Sequence[AlertDraft], at: datetime) -> list[tuple[AlertView, AlertDraft]]:
    if not drafts:
        return []
    rows = [{"company_id": ctx.company_id, "dedupe_key": d.dedupe_key, "rule_id": d.rule_id, "kind": d.kind,
             "customer_code": d.customer_code, "severity": d.severity, "title": d.title[:255],
             "evidence": jsonable(dict(d.evidence)), "status": "open", "first_as_of": d.as_of,
             "last_as_of": d.as_of, "occurrences": 1, "event_id": d.event_id, "raised_at": at} for d in drafts]
    stmt = insert_ignoring_conflicts(ctx, Alert, ["company_id", "dedupe_key"])
    ids = {key: aid for aid, key in ctx.session.execute(
        stmt.returning(Alert.id, Alert.dedupe_key), rows, execution_options=BULK)}
    out = []
    for d, r in zip(drafts, rows, strict=True):
        if d.dedupe_key in ids:
            out.append((view(ids[d.dedupe_key], r), d))
    return out


def view(alert_id: int, r: dict[str, Any]) -> AlertView:
    return AlertView(alert_id, r["dedupe_key"], r["rule_id"], r["kind"], r["customer_code"], r["severity"],
                     r["title"], r["evidence"], r["first_as_of"], r["last_as_of"], r["status"])


def apply_drafts(ctx: ServiceContext, drafts: Sequence[AlertDraft], trigger: str, *, audit_raised: bool,
                 at: datetime) -> Applied:
    """New dedupe key → a new alert (reactions run, messages queued); a known key → merged into the
    existing alert. `audit_raised`: one audit entry naming the new alerts (a daily run names them in
    its own entry instead)."""
    unique: dict[str, AlertDraft] = {}
    for d in drafts:
        kept = unique.get(d.dedupe_key)
        if kept is None or severity_rank(d.severity) > severity_rank(kept.severity):
            unique[d.dedupe_key] = d
    known = _known(ctx, list(unique))
    merged = _merge(ctx, known, drafts)
    raised = _insert(ctx, [d for k, d in unique.items() if k not in known], at)
    if not raised:
        return Applied([], merged)
    if audit_raised:
        entries = [{"id": a.id, "key": a.dedupe_key, "severity": a.severity, "customer": a.customer_code}
                   for a, _ in raised]
        first = raised[0][0]
        if len(raised) == 1:
            ctx.audit("alert.raise", "alert", first.id, reason=f"{trigger}: rule {first.rule_id}",
                      after={k: v for k, v in entries[0].items() if k != "id"})
        else:
            ctx.audit("alert.raise", "alert", None, reason=f"{trigger}: {len(raised)} alerts",
                      after={"alerts": entries})
    reactions = react(ctx, [(a, d.reactions) for a, d in raised])
    messages = delivery.notify_many(ctx, [a for a, _ in raised], "alert.raised")
    return Applied([a for a, _ in raised], merged, reactions, messages)


def alerts_by_id(ctx: ServiceContext, ids: Sequence[int]) -> list[Alert]:
    """The stored alerts, in the order of `ids`."""
    found: dict[int, Alert] = {}
    for i in range(0, len(ids), _CHUNK):
        for a in ctx.session.scalars(select(Alert).where(Alert.company_id == ctx.company_id,
                                                         Alert.id.in_(ids[i:i + _CHUNK]))):
            found[a.id] = a
    return [found[i] for i in ids if i in found]


STATE_KINDS = ("limit_utilisation", "overdue_days", "overdue_amount", "missing_rate")
"""Rule kinds that describe a state of the buyer's facts (not an event): their alert lasts only while a
fresh evaluation still finds the same cause."""


def resolve_gone(ctx: ServiceContext, codes: Sequence[str] | None, drafts: Sequence[AlertDraft], as_of: date,
                 at: datetime, trigger: str) -> list[int]:
    """Alerts of state rules for these buyers (all buyers when `codes` is None) that an evaluation as of
    `as_of` no longer drafts: their cause is gone (paid, written off, limit raised, rate added), so they
    resolve themselves with a note saying so (README rule 12). Alerts last seen after `as_of` are left
    alone. Returns the ids resolved; one audit entry for the batch."""
    kept = {d.dedupe_key for d in drafts}
    q = select(Alert.id, Alert.dedupe_key, Alert.customer_code, Alert.title, Alert.status).where(
        Alert.company_id == ctx.company_id, Alert.status.in_(("open", "acknowledged")),
        Alert.kind.in_(STATE_KINDS), Alert.last_as_of <= as_of, Alert.customer_code.is_not(None))
    found = []
    wanted = sorted(set(codes)) if codes is not None else None
    parts = ([q] if wanted is None else
             [q.where(Alert.customer_code.in_(wanted[i:i + _CHUNK])) for i in range(0, len(wanted), _CHUNK)])
    for part in parts:
        found += [r for r in ctx.session.execute(part) if r.dedupe_key not in kept]
    if not found:
        return []
    rows = [{"id": r.id, "status": "resolved", "resolved_by": "system:monitor", "resolved_at": at,
             "resolution_note": f"cause gone: evaluated again as of {as_of.isoformat()} ({trigger}), "
                                f"the facts no longer raise it — was: {r.title}"[:2000]} for r in found]
    ctx.session.execute(update(Alert), rows)
    for obj in list(ctx.session.identity_map.values()):
        if isinstance(obj, Alert) and obj.id in {r["id"] for r in rows}:
            for key, value in next(r for r in rows if r["id"] == obj.id).items():
                set_committed_value(obj, key, value)
    ctx.audit("alert.auto_resolve", "alert", None, reason=f"{trigger}: cause gone as of {as_of.isoformat()}",
              after={"alerts": [{"id": r.id, "key": r.dedupe_key, "customer": r.customer_code} for r in found]})
    return [r.id for r in found]
