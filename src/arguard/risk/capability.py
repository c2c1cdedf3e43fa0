"""Buyer risk grading: PD and grade 1–10 with reasons; re-graded on every new fact."""

from arguard.platform.registry import Capability, Subscription

_REGRADE_ON = ("ledger.invoice", "ledger.payment", "ledger.allocation", "ledger.writeoff", "ledger.dispute",
               "risk.statement")

CAPABILITY = Capability(
    name="risk",
    api=("arguard.risk.api:router",),
    web=("arguard.risk.web:router",),
    cli="arguard.risk.cli:register",
    tables="arguard.risk.tables",
    migrations="risk",
    subscriptions=tuple(Subscription(kind, "arguard.risk.service:regrade_on_facts") for kind in _REGRADE_ON),
)
