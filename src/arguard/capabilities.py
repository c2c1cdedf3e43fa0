"""The capabilities of this installation, in order: one line each (see arguard.platform.registry).

Adding a capability is one folder `arguard/<name>/` with a `capability.py` declaring `CAPABILITY`,
plus one line here. The order is the order of routers, CLI groups, navigation ties and migrations.
"""

MODULES: tuple[str, ...] = (
    "arguard.platform.capability",
    "arguard.ledger.capability",
    "arguard.risk.capability",
    "arguard.limits.capability",
    "arguard.monitor.capability",
    "arguard.recon.capability",
    "arguard.collections.capability",
    "arguard.insurance.capability",
    "arguard.forecast.capability",
    "arguard.portfolio.capability",
    "arguard.assess.capability",
    "arguard.demo.capability",
)
