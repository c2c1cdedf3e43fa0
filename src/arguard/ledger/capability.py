"""Ledger: customers, invoices, credit notes, payments, aging, DSO, statements of account."""

from arguard.platform.registry import Capability, CliCommand, Nav

CAPABILITY = Capability(
    name="ledger",
    api=("arguard.ledger.api:router", "arguard.ledger.api_materiality:router"),
    web=("arguard.ledger.web:router",),
    cli="arguard.ledger.cli:register",
    cli_commands=(
        CliCommand('statement', "Statement of account of one customer as of a date, in the customer's language (zh-CN or en)."),
        CliCommand('import', 'Import customers, invoices or payments from CSV/XLSX.'),
        CliCommand('report', 'Receivables reports: aging, DSO.'),
        CliCommand('fx', 'Dated exchange rates.'),
        CliCommand('ledger', 'Ledger views: customers, open items, projections check.'),
    ),
    tables="arguard.ledger.tables",
    nav=(Nav("/", "nav.overview", 10), Nav("/customers", "nav.customers", 20)),
    translations=("arguard.ledger.messages:MESSAGES",),
)
