"""Ledger: customers, invoices, credit notes, payments, aging, DSO, statements of account."""

from arguard.platform.registry import Capability, Nav

CAPABILITY = Capability(
    name="ledger",
    api=("arguard.ledger.api:router", "arguard.ledger.api_materiality:router"),
    web=("arguard.ledger.web:router",),
    cli="arguard.ledger.cli:register",
    tables="arguard.ledger.tables",
    nav=(Nav("/", "nav.overview", 10), Nav("/customers", "nav.customers", 20)),
    translations=("arguard.ledger.messages:MESSAGES",),
)
