"""Monitoring: events, rules, alerts, deliveries, the daily run."""

from arguard.platform.registry import Capability, Subscription

CAPABILITY = Capability(
    name="monitor",
    api=("arguard.monitor.api:router",),
    web=("arguard.monitor.web:router",),
    cli="arguard.monitor.cli:register",
    tables="arguard.monitor.tables",
    migrations="monitor",
    subscriptions=(Subscription("*", "arguard.monitor.service:on_facts"),),
)
