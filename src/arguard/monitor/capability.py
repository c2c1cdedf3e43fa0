"""Monitoring: events, rules, alerts, deliveries, the daily run."""

from arguard.platform.registry import Capability, CliCommand, DemoStepRef, Nav, Panel, Subscription

CAPABILITY = Capability(
    name="monitor",
    api=("arguard.monitor.api:router",),
    web=("arguard.monitor.web:router",),
    cli="arguard.monitor.cli:register",
    cli_commands=(
        CliCommand('monitor', 'Monitoring: daily run, rules, webhooks, subscriptions, digests.'),
        CliCommand('events', 'Events about buyers (insolvency, insurer decisions, promises …).'),
        CliCommand('alerts', 'Alerts: list, show, acknowledge, resolve, snooze.'),
    ),
    tables="arguard.monitor.tables",
    migrations="monitor",
    subscriptions=(Subscription("*", "arguard.monitor.service:on_facts"),),
    nav=(Nav("/alerts", "monitor.nav", 60),),
    panels=(Panel("monitor/customer_panel.html", "arguard.monitor.web:customer_panel", 70),),
    translations=("arguard.monitor.messages:MESSAGES",),
    demo=(DemoStepRef("monitor", "arguard.monitor.demo:monitor_demo", 80),),
    background=("arguard.monitor.scheduler:background",),
)
