"""Needs assessment: from the ledger and the loss distribution, which receivables protection fits."""

from arguard.platform.registry import Capability, CliCommand, Nav

CAPABILITY = Capability(
    name="assess",
    api=("arguard.assess.api:router",),
    web=("arguard.assess.web:router",),
    cli="arguard.assess.cli:register",
    cli_commands=(
        CliCommand('assess', 'Needs assessment: terms, concentration, sectors, export and country risk, the loss distribution → stronger checks, prepayment/guarantees, insurance or factoring, with reasons.'),
    ),
    nav=(Nav("/assess", "assess.nav", 92),),
    translations=("arguard.assess.messages:MESSAGES",),
)
