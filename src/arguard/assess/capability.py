"""Needs assessment: from the ledger and the loss distribution, which receivables protection fits."""

from arguard.platform.registry import Capability

CAPABILITY = Capability(
    name="assess",
    cli="arguard.assess.cli:register",
)
