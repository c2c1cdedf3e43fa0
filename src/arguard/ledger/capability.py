"""Ledger: customers, invoices, credit notes, payments, aging, DSO, statements of account."""

from arguard.platform.registry import Capability

CAPABILITY = Capability(
    name="ledger",
    api=("arguard.ledger.api:router",),
    web=("arguard.ledger.web:router",),
    cli="arguard.ledger.cli:register",
    tables="arguard.ledger.tables",
)
