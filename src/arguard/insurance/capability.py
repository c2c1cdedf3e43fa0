"""Trade credit insurance: policy, insured limits, obligations calendar, declarations, claims, recoveries."""

from arguard.platform.registry import Capability

CAPABILITY = Capability(
    name="insurance",
    api=("arguard.insurance.api:router",),
    cli="arguard.insurance.cli:register",
    tables="arguard.insurance.tables",
    migrations="insurance",
)
