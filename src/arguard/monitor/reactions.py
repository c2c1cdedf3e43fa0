"""Reactions an alert sets in motion: a limit review, a hold on new orders, a collections task.

Each reaction kind is a `Reactor` (a plug-in point) that handles a batch of newly raised alerts. The
default reactors hand the work to the capability that owns it through its interface (limits:
`request_review`, `set_order_block`); collections tasks are recorded as monitor tasks until a
collections capability takes them over. Every reaction is stored with its
cause (rule, alert id, title) and audited: one audit entry per batch, naming every reaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import insert, select

from arguard.core.errors import ArguardError
from arguard.limits import interface as limits
from arguard.monitor.bulk import BULK
from arguard.monitor.model import REACTIONS, AlertView
from arguard.monitor.tables import Reaction, Task
from arguard.platform.context import ServiceContext

Outcome = tuple[str, str, str | None]
"""(handler, status, reference) of one reaction."""
_CHUNK = 500


class Reactor(Protocol):
    def __call__(self, ctx: ServiceContext, alerts: Sequence[AlertView]) -> list[Outcome]:
        """Do the reaction for each alert (all have a customer); one outcome per alert, in order."""
        ...


def cause_of(alert: AlertView) -> str:
    return f"alert {alert.id} ({alert.rule_id}, {alert.severity}): {alert.title}"


def open_tasks(ctx: ServiceContext, kind: str, alerts: Sequence[AlertView]) -> list[Outcome]:
    """One open task of this kind per buyer: an alert for a buyer that has one merges into it."""
    codes = sorted({a.customer_code for a in alerts if a.customer_code})
    task_of: dict[str, int] = {}
    for i in range(0, len(codes), _CHUNK):
        for code, tid in ctx.session.execute(select(Task.customer_code, Task.id).where(
                Task.company_id == ctx.company_id, Task.kind == kind, Task.status == "open",
                Task.customer_code.in_(codes[i:i + _CHUNK]))):
            task_of[code or ""] = tid
    opened: dict[str, AlertView] = {}
    for a in alerts:
        if a.customer_code and a.customer_code not in task_of and a.customer_code not in opened:
            opened[a.customer_code] = a
    if opened:
        rows = [{"company_id": ctx.company_id, "kind": kind, "customer_code": code, "alert_id": a.id,
                 "status": "open", "note": cause_of(a)} for code, a in opened.items()]
        for tid, code in ctx.session.execute(insert(Task).returning(Task.id, Task.customer_code), rows,
                                             execution_options=BULK):
            task_of[code or ""] = tid
    return [("monitor", "opened" if opened.get(a.customer_code or "") is a else "merged",
             f"task:{task_of[a.customer_code or '']}") for a in alerts]


def _by_buyer(alerts: Sequence[AlertView]) -> dict[str, list[int]]:
    """Buyer code → positions of its alerts in the batch (first raised first)."""
    out: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(alerts):
        out[a.customer_code or ""].append(i)
    return out


def _reason(alerts: Sequence[AlertView], positions: list[int]) -> str:
    first = cause_of(alerts[positions[0]])
    return first if len(positions) == 1 else f"{first} (+{len(positions) - 1} more alert(s))"


def limit_review(ctx: ServiceContext, alerts: Sequence[AlertView]) -> list[Outcome]:
    """One limit review per buyer: a buyer whose review from monitoring is still undecided gets no
    second one (the alert is recorded as merged into it); several alerts of one batch share one."""
    groups = _by_buyer(alerts)
    pending = limits.open_reviews_by_buyer(ctx, "alert:")
    out: list[Outcome | None] = [None] * len(alerts)
    for code, positions in groups.items():
        first = alerts[positions[0]]
        if code in pending:
            outcome: Outcome = ("limits", "merged", str(pending[code]))
        else:
            try:
                review = limits.request_review(ctx, code, _reason(alerts, positions), cause=f"alert:{first.id}",
                                               on=first.last_as_of)
                outcome = ("limits", "requested", str(review.id))
            except ArguardError as exc:
                outcome = ("limits", "refused", exc.message[:120])
        for n, i in enumerate(positions):
            out[i] = outcome if n == 0 or outcome[1] == "refused" else ("limits", "merged", outcome[2])
    return [o for o in out if o is not None]


def order_hold(ctx: ServiceContext, alerts: Sequence[AlertView]) -> list[Outcome]:
    """Hold the buyer's new orders: one call per buyer and batch."""
    out: list[Outcome | None] = [None] * len(alerts)
    for code, positions in _by_buyer(alerts).items():
        first = alerts[positions[0]]
        try:
            limits.set_order_block(ctx, code, True, _reason(alerts, positions), cause=f"alert:{first.id}")
            outcome: Outcome = ("limits", "held", None)
        except ArguardError as exc:
            outcome = ("limits", "refused", exc.message[:120])
        for i in positions:
            out[i] = outcome
    return [o for o in out if o is not None]


def collections_task(ctx: ServiceContext, alerts: Sequence[AlertView]) -> list[Outcome]:
    return open_tasks(ctx, "collections", alerts)


REACTORS: dict[str, Reactor] = {
    "limit_review": limit_review,
    "order_hold": order_hold,
    "collections_task": collections_task,
}


def react(ctx: ServiceContext, raised: Sequence[tuple[AlertView, tuple[str, ...]]]) -> int:
    """Run the reactions of newly raised alerts (once, when first raised), store each with its cause
    and audit them in one entry. Returns the number of reactions."""
    batches: dict[str, list[AlertView]] = defaultdict(list)
    for alert, kinds in raised:
        if alert.customer_code is not None:
            for kind in kinds:
                batches[kind].append(alert)
    rows: list[dict[str, Any]] = []
    for kind in REACTIONS:
        alerts = batches.get(kind)
        if not alerts:
            continue
        for alert, (handler, status, reference) in zip(alerts, REACTORS[kind](ctx, alerts), strict=True):
            rows.append({"company_id": ctx.company_id, "alert_id": alert.id, "kind": kind,
                         "customer_code": alert.customer_code, "handler": handler, "status": status,
                         "reference": reference, "cause": cause_of(alert)})
    if not rows:
        return 0
    rows.sort(key=lambda r: (r["alert_id"], REACTIONS.index(r["kind"])))
    ctx.session.execute(insert(Reaction), rows, execution_options=BULK)
    alert_ids = sorted({r["alert_id"] for r in rows})
    single = alert_ids[0] if len(alert_ids) == 1 else None
    first = next(a for a, _ in raised if a.id == alert_ids[0])
    ctx.audit("monitor.reaction", "alert", single,
              reason=f"raised by rule {first.rule_id}" if single else f"{len(rows)} reactions to {len(alert_ids)} alerts",
              after={"reactions": [{"alert": r["alert_id"], "kind": r["kind"], "handler": r["handler"],
                                    "status": r["status"], "reference": r["reference"]} for r in rows]})
    return len(rows)
