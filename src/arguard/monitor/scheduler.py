"""The daily run while the service runs: every company's rules as of today, then the digests.

`arguard serve` starts it (with the delivery worker) through `background(app)`, the FastAPI lifespan.
It runs at `ARGUARD_MONITOR_RUN_AT` (HH:MM, UTC, default 06:00) and catches up after a restart when
the day's scheduled run is missing (after a short grace, so a short-lived process does no work).
Set `ARGUARD_MONITOR_SCHEDULER=off` to run it elsewhere (cron: `arguard monitor run --as-of today`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from arguard.db.session import get_engine, session_scope
from arguard.monitor import delivery, service
from arguard.monitor.tables import MonitorRun
from arguard.platform.context import ServiceContext
from arguard.platform.interface import company_ids

log = logging.getLogger(__name__)
CATCH_UP_GRACE_S = float(os.environ.get("ARGUARD_MONITOR_CATCH_UP_S", "60"))


def run_all(engine: Engine, as_of: date, trigger: str = "scheduler") -> dict[str, int]:
    """Run every company once for the date (skipping those the scheduler already ran) and queue digests."""
    from arguard.platform import registry

    registry.wire_subscriptions()  # whichever process runs it, facts reach the declared subscribers
    raised: dict[str, int] = {}
    with session_scope(engine) as s:
        companies = company_ids(s)
    for company_id, code in companies:
        with session_scope(engine) as s:
            ctx = ServiceContext(s, company_id, f"system:{trigger}", "admin")
            lock_daily_run(s, company_id)  # several servers on one database: one runs it, the others see it
            done = s.scalar(select(MonitorRun.id).where(MonitorRun.company_id == company_id,
                                                        MonitorRun.as_of == as_of, MonitorRun.trigger == trigger))
            if done is None:
                raised[code] = service.run(ctx, as_of, trigger).raised
            delivery.queue_digests(ctx, as_of)
        ctx.run_after_commit()
    return raised


RUN_LOCK_NAMESPACE = 0x4D4F4E  # 'MON': advisory-lock namespace of the daily run


def lock_daily_run(session: Session, company_id: int) -> None:
    """Serialise the company's daily run across processes until commit: a PostgreSQL transaction-scoped
    advisory lock (a second server waits, then finds the run recorded and skips it); on SQLite the
    database write lock (a no-op write). The lock lives in the database, so it holds across machines."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :company)"),
                     {"ns": RUN_LOCK_NAMESPACE, "company": company_id})
    else:
        conn.execute(text("UPDATE companies SET name = name WHERE id = :company"), {"company": company_id})


def next_run(now: datetime, run_at: time, done_today: bool) -> datetime:
    """When the next daily run is due (pure: `now` is passed in)."""
    today_at = datetime.combine(now.date(), run_at)
    if now < today_at:
        return today_at
    if not done_today:
        return now + timedelta(seconds=CATCH_UP_GRACE_S)
    return today_at + timedelta(days=1)


class DailyScheduler:
    def __init__(self, engine: Engine | None = None, run_at: time = time(6, 0),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC).replace(tzinfo=None)) -> None:
        self.engine, self.run_at, self.clock = engine, run_at, clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _done_today(self, engine: Engine, today: date) -> bool:
        with session_scope(engine) as s:
            return s.scalar(select(MonitorRun.id).where(MonitorRun.as_of == today,
                                                        MonitorRun.trigger == "scheduler").limit(1)) is not None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                engine = self.engine or get_engine()
                now = self.clock()
                due = next_run(now, self.run_at, self._done_today(engine, now.date()))
                if self._stop.wait(max((due - now).total_seconds(), 0)):
                    return
                run_all(engine, self.clock().date())
            except Exception:
                log.exception("daily monitor run failed")
                self._stop.wait(300)

    def start(self) -> DailyScheduler:
        self._thread = threading.Thread(target=self._loop, name="arguard-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)


def _run_at() -> time:
    hh, _, mm = os.environ.get("ARGUARD_MONITOR_RUN_AT", "06:00").partition(":")
    return time(int(hh), int(mm or 0))


@asynccontextmanager
async def background(_app: Any) -> AsyncIterator[None]:
    """FastAPI lifespan: the delivery worker and the daily scheduler live as long as the server."""
    worker = delivery.DeliveryWorker().start()
    scheduler = None
    if os.environ.get("ARGUARD_MONITOR_SCHEDULER", "on").lower() not in ("off", "0", "false"):
        scheduler = DailyScheduler(run_at=_run_at()).start()
    try:
        yield
    finally:
        if scheduler:
            scheduler.stop()
        worker.stop()
