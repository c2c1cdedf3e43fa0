"""Buyer risk grading: PD and grade 1–10 with reasons; re-graded on every new fact."""

from arguard.platform.registry import Capability, CliCommand, DemoStepRef, Nav, Panel, Subscription

REGRADE_ON = ("ledger.invoice", "ledger.payment", "ledger.allocation", "ledger.writeoff", "ledger.dispute",
              "risk.statement")
"""The facts after which the buyers they concern are graded again."""

CAPABILITY = Capability(
    name="risk",
    api=("arguard.risk.api:router", "arguard.risk.api_flags:router"),
    web=("arguard.risk.web:router",),
    cli="arguard.risk.cli:register",
    cli_commands=(
        CliCommand('risk', 'Buyer risk grading: PD and grade 1–10 with reasons.'),
    ),
    tables="arguard.risk.tables",
    migrations="risk",
    # Two patterns, not one per kind: the facts of one commit reach the handler as one batch (it keeps
    # the kinds of REGRADE_ON), so a buyer with a new invoice and a payment is graded once.
    subscriptions=(Subscription("ledger.*", "arguard.risk.service:regrade_on_facts"),
                   Subscription("risk.statement", "arguard.risk.service:regrade_on_facts")),
    nav=(Nav("/risk", "nav.risk", 30),),
    panels=(Panel("risk/customer_panel.html", "arguard.risk.web:risk_panel", 45),),
    translations=("arguard.risk.messages:MESSAGES",),
    demo=(DemoStepRef("risk", "arguard.risk.demo:risk_demo", 20),),
)
