"""Sealing: pending audit entries (`ServiceContext.audit_later`) join the company's hash chain.

`seal_audit(session, company_id)` moves a company's pending entries into `audit_log` in the order they
were written, under the same per-company append lock as `ServiceContext.audit`, in the caller's unit of
work. `AuditSealer` does it in a thread of the server (woken after each commit that left entries, and
every second in any case), so the many decisions of a busy moment join the chain in a few statements.
Without a sealer in the process, `request_seal` seals at once in a unit of work of its own.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from arguard.platform.audit import pending_intact
from arguard.platform.context import append_entries, lock_chain
from arguard.platform.keys import audit_key
from arguard.platform.tables import AuditPending

BATCH = 2_000
log = logging.getLogger(__name__)


def seal_audit(session: Session, company_id: int) -> int:
    """Move the company's pending entries into the chain (all of them); returns how many."""
    total = 0
    while True:
        done = _seal_batch(session, company_id)
        total += done
        if done < BATCH:
            return total


def _seal_batch(session: Session, company_id: int) -> int:
    conn = session.connection()
    pending = conn.execute(select(AuditPending.id).where(AuditPending.company_id == company_id,
                                                         AuditPending.mac.is_not(None)).limit(1)).first()
    if pending is None:
        return 0
    lock_chain(conn, company_id)
    t = AuditPending.__table__
    key = audit_key()
    rows = conn.execute(select(t).where(t.c.company_id == company_id, t.c.mac.is_not(None))
                        .order_by(t.c.id).limit(BATCH)).all()
    altered = [p for p in rows if not pending_intact(key, p)]
    if altered:  # edited while waiting: left pending, where verify_audit reports it; never chained
        log.error("audit: %d pending entries of company %d do not match their MAC", len(altered), company_id)
        rows = [p for p in rows if p not in altered]
    if not rows:
        return 0  # another sealer took them while this one waited for the lock
    append_entries(conn, company_id, [{"at": p.at, "actor": p.actor, "action": p.action, "entity": p.entity,
                                       "entity_id": p.entity_id, "reason": p.reason, "before": p.before,
                                       "after": p.after} for p in rows])
    conn.execute(delete(AuditPending).where(AuditPending.id.in_([p.id for p in rows])))
    return len(rows)


def pending_companies(session: Session) -> list[int]:
    return list(session.scalars(select(AuditPending.company_id).distinct()))


class AuditSealer:
    """A thread that seals pending entries of every company on one database: woken by `request_seal`
    (then it waits `gather` seconds, so that a busy moment's entries are sealed in one round), and every
    `interval` seconds regardless (entries of a process that stopped before sealing)."""

    def __init__(self, engine: Engine, interval: float = 1.0, gather: float = 0.25) -> None:
        self.engine, self.interval, self.gather = engine, interval, gather
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="audit-sealer")

    def start(self) -> AuditSealer:
        _SEALERS[_engine_key(self.engine)] = self
        self._thread.start()
        return self

    def stop(self) -> None:
        _SEALERS.pop(_engine_key(self.engine), None)
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)
        self.seal_all()  # what the last moments left

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._wake.wait(self.interval):
                # gather what the next moments commit too: one round seals them all in a few statements
                self._stop.wait(self.gather)
            self._wake.clear()
            if not self._stop.is_set():
                self.seal_all()

    def seal_all(self) -> None:
        from arguard.db.session import session_scope

        try:
            with session_scope(self.engine) as session:
                companies = pending_companies(session)
            for company_id in companies:
                with session_scope(self.engine) as session:
                    seal_audit(session, company_id)
        except Exception:  # entries stay pending; the next round tries again
            log.exception("audit entries not sealed this round")


_SEALERS: dict[Any, AuditSealer] = {}


def _engine_key(engine: Engine) -> Any:
    return (id(engine), str(engine.url))


def request_seal(engine: Engine, company_id: int) -> None:
    """After a commit that left pending entries: wake this process's sealer, or seal now."""
    sealer = _SEALERS.get(_engine_key(engine))
    if sealer is not None:
        sealer.wake()
        return
    from arguard.db.session import session_scope

    with session_scope(engine) as session:
        seal_audit(session, company_id)
