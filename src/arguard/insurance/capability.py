"""Trade credit insurance: policy, insured limits, obligations calendar, declarations, claims, recoveries."""

from arguard.platform.registry import Capability

CAPABILITY = Capability(
    name="insurance",
    cli="arguard.insurance.cli:register",
    tables="arguard.insurance.tables",
    migrations="insurance",
)
