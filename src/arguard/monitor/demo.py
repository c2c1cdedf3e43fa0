"""Demo step: a few external events about the riskiest demo buyers (an insolvency filing for one that
defaulted, an insurer cutting cover, negative news, a broken promise, an overdue-notification deadline),
then the daily monitor run (the first one: the whole book, in bulk) so the inbox has alerts."""

from __future__ import annotations

from datetime import timedelta
from random import Random

from arguard.demo.model import DemoWorld
from arguard.monitor import service
from arguard.monitor.model import EventRecord
from arguard.platform.context import ServiceContext


def monitor_demo(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    on = world.as_of
    risky = sorted(world.buyers, key=lambda b: -b.pd_12m)[:8]
    defaulted = [b for b in world.buyers if b.defaulted_on is not None and b.default_kind == "insolvency"]
    events: list[EventRecord] = []
    if defaulted:
        b = defaulted[-1]
        events.append(EventRecord("insolvency.filing", b.code, on - timedelta(days=3),
                                  {"court": "District court", "case_number": f"IN-{rng.randint(100, 999)}/26",
                                   "source": "insolvency register"}, f"demo-ins-{b.code}"))
    for i, b in enumerate(risky):
        day = on - timedelta(days=rng.randint(1, 20))
        kind = i % 4
        if kind == 0:
            events.append(EventRecord("insurer.decision", b.code, day, {
                "decision": "reduced", "amount": "20000", "currency": world.base_currency,
                "previous_amount": "50000", "effective_on": (day + timedelta(days=30)).isoformat(),
                "reference": f"CL-{b.code}"}, f"demo-cover-{b.code}"))
        elif kind == 1:
            events.append(EventRecord("news.negative", b.code, day, {
                "headline": f"{b.name}: lenders renegotiate credit lines", "source": "press"}, f"demo-news-{b.code}"))
        elif kind == 2:
            events.append(EventRecord("promise.broken", b.code, day, {
                "promise_id": f"PTP-{b.code}", "amount": "5000", "currency": world.base_currency,
                "due_on": day.isoformat()}, f"demo-ptp-{b.code}"))
        else:
            events.append(EventRecord("insurance.deadline", b.code, day, {
                "reference": f"ON-{b.code}", "kind": "overdue_notification",
                "deadline_on": (on + timedelta(days=rng.randint(2, 12))).isoformat()}, f"demo-dl-{b.code}"))
    # Recorded as any file of events is: an insolvency filing puts the default on record (grade 10) and
    # its buyers are evaluated at once; then the first daily run: the whole book, in bulk.
    service.import_events(ctx, [(None, rec) for rec in events], on, "demo", origin="demo")
    service.run(ctx, on, trigger="demo")
