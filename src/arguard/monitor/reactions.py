"""Reactions an alert sets in motion: a limit review, a hold on new orders, a collections task.

Each reaction is a `Reactor` (a plug-in point). The default reactors hand the work to the capability
that owns it when it offers the call (limits: `request_review`, `set_order_block`), and otherwise
record it as a monitor task so nothing is lost; the future collections capability takes over the
'collections' tasks. Every reaction is stored with its cause (rule, dedupe key, alert id) and audited.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import select

from arguard.core.errors import ArguardError
from arguard.monitor.tables import Alert, Reaction, Task
from arguard.platform.context import ServiceContext


class Reactor(Protocol):
    def __call__(self, ctx: ServiceContext, alert: Alert, cause: str) -> tuple[str, str, str | None]:
        """Do the reaction; return (handler, status, reference)."""
        ...


def _limits_call(name: str) -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("arguard.limits.service")
    except ImportError:
        return None
    fn = getattr(module, name, None)
    return fn if callable(fn) else None


def _call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Call `fn` with the keyword arguments it accepts (the owning capability's signature may grow)."""
    accepted = inspect.signature(fn).parameters
    return fn(**{k: v for k, v in kwargs.items() if k in accepted})


def open_task(ctx: ServiceContext, kind: str, alert: Alert, cause: str) -> tuple[str, str, str | None]:
    existing = ctx.session.scalar(select(Task).where(
        Task.company_id == ctx.company_id, Task.kind == kind, Task.customer_code == alert.customer_code,
        Task.status == "open"))
    if existing is not None:
        return "monitor", "merged", f"task:{existing.id}"
    task = Task(company_id=ctx.company_id, kind=kind, customer_code=alert.customer_code, alert_id=alert.id,
                status="open", note=cause)
    ctx.session.add(task)
    ctx.session.flush()
    return "monitor", "opened", f"task:{task.id}"


def limit_review(ctx: ServiceContext, alert: Alert, cause: str) -> tuple[str, str, str | None]:
    fn = _limits_call("request_review")
    if fn is not None and alert.customer_code:
        try:
            ref = _call(fn, ctx=ctx, customer_code=alert.customer_code, code=alert.customer_code,
                        reason=cause, cause=f"alert:{alert.id}", on=alert.last_as_of, as_of=alert.last_as_of)
            return "limits", "requested", None if ref is None else str(getattr(ref, "id", ref))
        except ArguardError as exc:
            return "limits", "refused", exc.message[:120]
    return open_task(ctx, "limit_review", alert, cause)


def order_hold(ctx: ServiceContext, alert: Alert, cause: str) -> tuple[str, str, str | None]:
    fn = _limits_call("set_order_block")
    if fn is not None and alert.customer_code:
        try:
            _call(fn, ctx=ctx, customer_code=alert.customer_code, code=alert.customer_code, blocked=True,
                  block=True, reason=cause, cause=f"alert:{alert.id}")
            return "limits", "held", None
        except ArguardError as exc:
            return "limits", "refused", exc.message[:120]
    return open_task(ctx, "order_hold", alert, cause)


def collections_task(ctx: ServiceContext, alert: Alert, cause: str) -> tuple[str, str, str | None]:
    return open_task(ctx, "collections", alert, cause)


REACTORS: dict[str, Reactor] = {
    "limit_review": limit_review,
    "order_hold": order_hold,
    "collections_task": collections_task,
}


def react(ctx: ServiceContext, alert: Alert, kinds: tuple[str, ...]) -> list[Reaction]:
    """Run the alert's reactions once (when it is first raised) and record each with its cause."""
    out = []
    for kind in kinds:
        if alert.customer_code is None:
            continue
        cause = f"alert {alert.id} ({alert.rule_id}, {alert.severity}): {alert.title}"
        handler, status, reference = REACTORS[kind](ctx, alert, cause)
        row = Reaction(company_id=ctx.company_id, alert_id=alert.id, kind=kind, customer_code=alert.customer_code,
                       handler=handler, status=status, reference=reference, cause=cause)
        ctx.session.add(row)
        out.append(row)
    if out:
        ctx.session.flush()
        ctx.audit("monitor.reaction", "alert", alert.id, reason=f"raised by rule {alert.rule_id}",
                  after={"reactions": [{"kind": r.kind, "handler": r.handler, "status": r.status,
                                        "reference": r.reference} for r in out]})
    return out
