"""In-process publish/subscribe of business facts, dispatched after the unit of work commits.

A service that records a fact calls `publish(ctx, kind, customer_code, payload)`; the facts of one
unit of work are collected on the context and handed to the subscribers once the shell has committed
(`ctx.after_commit`), so a listener never sees a fact that was rolled back, and a bulk import of many
invoices reaches each subscriber as one batch.

Kinds are dotted names: 'ledger.invoice', 'ledger.payment', 'ledger.allocation', 'ledger.writeoff',
'risk.grade_changed', 'risk.statement', 'limits.changed', … A subscriber names a kind exactly, a prefix
ending in '.*' ('ledger.*') or '*'.

Rules:
1. Dispatch happens after commit, in the thread that committed; the subscriber opens its own unit of
   work if it writes.
2. A failing subscriber is logged and never undoes or fails the publisher's (already committed) work.
3. Facts reach each subscriber in publication order, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI wires subscriptions at start-up: no SQLAlchemy for that
    from arguard.platform.context import ServiceContext

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Fact:
    """One published fact. company_id: the tenant; actor: who caused it; customer_code: the buyer it
    concerns (None for company-wide facts); payload: JSON-able details."""

    kind: str
    company_id: int
    actor: str
    customer_code: str | None
    payload: Mapping[str, Any] = field(default_factory=dict)
    engine: Any = field(default=None, compare=False, repr=False)
    """The database the fact was committed to (subscribers open their unit of work on it)."""


Handler = Callable[[list[Fact]], None]
_SUBSCRIBERS: list[tuple[str, Handler]] = []
_PENDING_ATTR = "_published_facts"


def subscribe(pattern: str, handler: Handler) -> None:
    """Call `handler(facts)` after each commit that published facts matching `pattern`."""
    if (pattern, handler) not in _SUBSCRIBERS:
        _SUBSCRIBERS.append((pattern, handler))


def unsubscribe(pattern: str, handler: Handler) -> None:
    if (pattern, handler) in _SUBSCRIBERS:
        _SUBSCRIBERS.remove((pattern, handler))


def matches(pattern: str, kind: str) -> bool:
    if pattern == "*" or pattern == kind:
        return True
    return pattern.endswith(".*") and kind.startswith(pattern[:-1])


def publish(ctx: ServiceContext, kind: str, customer_code: str | None,
            payload: Mapping[str, Any] | None = None) -> None:
    """Queue a fact of this unit of work; subscribers get it after the commit."""
    pending: list[Fact] | None = getattr(ctx, _PENDING_ATTR, None)
    if pending is None:
        pending = []
        setattr(ctx, _PENDING_ATTR, pending)
        ctx.after_commit(lambda: _flush(ctx))
    pending.append(Fact(kind, ctx.company_id, ctx.actor, customer_code, dict(payload or {}),
                        ctx.session.get_bind()))


def _flush(ctx: ServiceContext) -> None:
    facts: list[Fact] = getattr(ctx, _PENDING_ATTR, None) or []
    setattr(ctx, _PENDING_ATTR, None)
    dispatch(facts)


def dispatch(facts: list[Fact]) -> None:
    """Hand `facts` to every matching subscriber, one batch each; errors are logged, not raised."""
    if not facts:
        return
    for pattern, handler in _SUBSCRIBERS[:]:  # a handler may (un)subscribe
        batch = [f for f in facts if matches(pattern, f.kind)]
        if not batch:
            continue
        try:
            handler(batch)
        except Exception:  # a listener must never fail work that is already committed
            log.exception("subscriber %s failed on %d fact(s)", getattr(handler, "__name__", handler), len(batch))
