"""The demo company builder."""

from arguard.platform.registry import Capability

CAPABILITY = Capability(
    name="demo",
    cli="arguard.demo.cli:register",
    tables="arguard.demo.tables",
    migrations="demo",
)
