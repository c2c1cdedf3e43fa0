"""Needs assessment: from the ledger and the loss distribution, which receivables protection fits."""

from arguard.platform.registry import Capability, Nav

CAPABILITY = Capability(
    name="assess",
    api=("arguard.assess.api:router",),
    web=("arguard.assess.web:router",),
    cli="arguard.assess.cli:register",
    nav=(Nav("/assess", "assess.nav", 92),),
    translations=("arguard.assess.messages:MESSAGES",),
)
