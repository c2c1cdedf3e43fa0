"""Trade credit insurance: policy, insured limits, obligations calendar, declarations, claims, recoveries."""

from arguard.platform.registry import Capability, CliCommand, DemoStepRef, Nav

CAPABILITY = Capability(
    name="insurance",
    api=("arguard.insurance.api:router",),
    web=("arguard.insurance.web:router",),
    cli="arguard.insurance.cli:register",
    cli_commands=(
        CliCommand('insurance', 'Trade credit insurance: policy, insured limits, deadlines, declarations, claims.'),
    ),
    tables="arguard.insurance.tables",
    migrations="insurance",
    nav=(Nav("/insurance", "nav.insurance", 65), Nav("/insurance/underwriting", "nav.underwriting", 66)),
    translations=("arguard.insurance.messages:MESSAGES",),
    demo=(DemoStepRef("insurance", "arguard.insurance.demo:insurance_demo", 70),),
)
