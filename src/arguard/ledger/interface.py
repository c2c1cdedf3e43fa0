"""The ledger's front door: what other capabilities may ask of it and tell it.

Other capabilities import `arguard.ledger.interface` and `arguard.ledger.model` only — never
`ledger.tables` or its service internals (tests/test_architecture.py). Functions take the
`ServiceContext` first and return the ledger's frozen records (ledger/model.py) or `Money`.
"""

from arguard.ledger.materiality import Leftover, Materiality, MaterialOverdue, Thresholds, is_material
from arguard.ledger.service import (
    add_payment,
    allocate,
    customer_record,
    list_customers,
    open_items,
    write_off,
)
from arguard.ledger.service_materiality import (
    get_materiality,
    leftovers,
    material_clause,
    material_overdue,
    materiality_thresholds,
)
from arguard.ledger.service_receipts import post_receipts
from arguard.ledger.service_settlement import InvoiceColumns, InvoiceHistory, invoice_columns, invoice_history
from arguard.ledger.service_views import (
    aging_report,
    base_currency,
    convert,
    customer_detail,
    fx_table,
    payment_history,
    set_dispute,
    statement_of_account,
)

__all__ = [
    "InvoiceColumns",
    "InvoiceHistory",
    "Leftover",
    "MaterialOverdue",
    "Materiality",
    "Thresholds",
    "add_payment",
    "aging_report",
    "allocate",
    "base_currency",
    "convert",
    "customer_detail",
    "customer_record",
    "fx_table",
    "get_materiality",
    "invoice_columns",
    "invoice_history",
    "is_material",
    "leftovers",
    "list_customers",
    "material_clause",
    "material_overdue",
    "materiality_thresholds",
    "open_items",
    "payment_history",
    "post_receipts",
    "set_dispute",
    "statement_of_account",
    "write_off",
]

# Collections (issue 13): the ledger as it stood on a date with each open item's dated history, unapplied
# cash, customers by code, and rendered statements of account.
from arguard.ledger.history import ItemHistory
from arguard.ledger.service_history import (
    customers_by_code,
    document_customer,
    items_with_history,
    render_statements,
    unapplied_cash,
)
from arguard.ledger.service_views import dso_report

__all__ += ["ItemHistory", "customers_by_code", "document_customer", "dso_report", "items_with_history", "render_statements", "unapplied_cash"]

# Credit insurance (issue 14): every open invoice of the book in one statement.
from arguard.ledger.service_open_bulk import OpenInvoiceRow, open_invoices_bulk, sales_by_buyer

__all__ += ["OpenInvoiceRow", "open_invoices_bulk", "sales_by_buyer"]

# Customers and open amounts as other capabilities read them (issue 10: no one else reads ledger tables).
from arguard.ledger.reads import (
    CustomerRef,
    customer_codes,
    customer_id_select,
    customer_ids,
    customer_ids_select,
    customer_ref,
    customer_refs,
    find_customer,
    invoiced_against_order,
    newest_rate_select,
    open_by_country_sector,
    open_by_customer,
    open_summary_select,
)

__all__ += ["CustomerRef", "customer_codes", "customer_id_select", "customer_ids", "customer_ids_select",
            "customer_ref", "customer_refs", "find_customer", "invoiced_against_order", "newest_rate_select",
            "open_by_country_sector",
            "open_by_customer", "open_summary_select"]

# The ledger as it stood on a date, in bulk (issue 10: monitoring's snapshots no longer read ledger tables).
from arguard.ledger.reads_asof import (
    OpenItemAsOf,
    allocations_between,
    open_items_as_of,
    payments_between,
)

__all__ += ["OpenItemAsOf", "allocations_between", "open_items_as_of", "payments_between"]

# Commands other capabilities give the ledger (issue 10: the demo and reconciliation call them here).
from arguard.ledger.bulk import import_bytes, import_records
from arguard.ledger.reads import PayableInvoice, add_customer_account, payable_invoices, payers
from arguard.ledger.service import add_alias, find_invoice, reverse_allocation
from arguard.ledger.service_views import add_fx_rate, get_payment

__all__ += [
    "PayableInvoice",
    "add_alias",
    "add_customer_account",
    "add_fx_rate",
    "find_invoice",
    "get_payment",
    "import_bytes",
    "import_records",
    "payable_invoices",
    "payers",
    "reverse_allocation",
]

# Payment figures per customer (issue 10: risk's payment behaviour no longer reads ledger tables).
from arguard.ledger.reads_behaviour import credit_notes_issued, payment_figures

__all__ += ["credit_notes_issued", "payment_figures"]

# Credit notes a bank payment is net of (issue 12 item 8: reconciliation offers them to its matcher and
# applies them to the invoice before allocating the cash; rejecting the match reverses the application).
from arguard.ledger.reads import open_credit_notes
from arguard.ledger.service_credits import apply_credit_note, reverse_credit_application

__all__ += ["apply_credit_note", "open_credit_notes", "reverse_credit_application"]
