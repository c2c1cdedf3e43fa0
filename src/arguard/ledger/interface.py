"""The ledger's front door: what other capabilities may ask of it and tell it.

Other capabilities import `arguard.ledger.interface` and `arguard.ledger.model` only — never
`ledger.tables` or its service internals (tests/test_architecture.py). Functions take the
`ServiceContext` first and return the ledger's frozen records (ledger/model.py) or `Money`.
"""

from arguard.ledger.materiality import Leftover, Materiality, MaterialOverdue, Thresholds, is_material
from arguard.ledger.service import customer_record, open_items
from arguard.ledger.service_materiality import (
    get_materiality,
    leftovers,
    material_clause,
    material_overdue,
    materiality_thresholds,
)
from arguard.ledger.service_receipts import post_receipts
from arguard.ledger.service_settlement import (
    InvoiceColumns,
    InvoiceHistory,
    InvoicePositions,
    invoice_columns,
    invoice_history,
    invoice_positions,
)
from arguard.ledger.service_views import (
    aging_report,
    base_currency,
    convert,
    customer_detail,
    fx_table,
    payment_history,
    statement_of_account,
)

__all__ = [
    "InvoiceColumns",
    "InvoiceHistory",
    "InvoicePositions",
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
    "invoice_positions",
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
from arguard.ledger.service import add_alias
from arguard.ledger.service_views import add_fx_rate

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

# Commands and look-ups that answer with a row of the ledger give others a frozen record of it (model.py),
# never the ORM row (issue 10; tests/test_architecture.py checks every interface's return types).
from datetime import date as _date

from arguard.core.money import Money as _Money
from arguard.ledger import service as _service
from arguard.ledger import service_views as _views
from arguard.ledger.model import PaymentRecord as _PaymentRecord
from arguard.ledger.model import StoredAdjustment, StoredAllocation, StoredDocument, StoredPayment
from arguard.ledger.tables import Allocation as _Allocation
from arguard.ledger.tables import Invoice as _Invoice
from arguard.ledger.tables import Payment as _Payment
from arguard.platform.context import ServiceContext as _Ctx


def _document(row: _Invoice) -> StoredDocument:
    return StoredDocument(row.id, row.customer_id, row.number, row.document_type, row.issue_date, row.due_date,
                          row.currency, int(row.amount_minor), int(row.open_minor), bool(row.disputed))


def _payment(row: _Payment) -> StoredPayment:
    return StoredPayment(row.id, row.external_id, row.customer_id, row.received_on, row.currency,
                         int(row.amount_minor), int(row.unapplied_minor), row.reference)


def _allocation(row: _Allocation) -> StoredAllocation:
    return StoredAllocation(row.id, row.payment_id, row.invoice_id, int(row.amount_minor), row.currency,
                            row.allocated_on, row.reverses_id)


def find_invoice(ctx: _Ctx, number: str, document_type: str = "invoice") -> StoredDocument | None:
    """The invoice (or credit note) with this number as it stands now; None if there is none."""
    row = _service.find_invoice(ctx, number, document_type)
    return None if row is None else _document(row)


def set_dispute(ctx: _Ctx, number: str, disputed: bool, reason: str) -> StoredDocument:
    """Mark an invoice disputed by the buyer, or the dispute resolved (audited with the reason)."""
    return _document(_views.set_dispute(ctx, number, disputed, reason))


def get_payment(ctx: _Ctx, external_id: str) -> StoredPayment:
    """The payment with this external id (NotFound if there is none)."""
    return _payment(_views.get_payment(ctx, external_id))


def add_payment(ctx: _Ctx, rec: _PaymentRecord, *, source: str = "manual",
                batch_id: int | None = None) -> StoredPayment | None:
    """Record a payment once (by external id), then apply it to the invoices it names, oldest first;
    None when a payment with that external id was already recorded."""
    row = _service.add_payment(ctx, rec, source=source, batch_id=batch_id)
    return None if row is None else _payment(row)


def allocate(ctx: _Ctx, payment_id: int, invoice_id: int, amount: _Money, on: _date, *,
             source: str = "manual", reason: str | None = None) -> StoredAllocation:
    """Apply part of a payment to an invoice, never beyond what is unapplied or open."""
    return _allocation(_service.allocate(ctx, payment_id, invoice_id, amount, on, source=source, reason=reason))


def reverse_allocation(ctx: _Ctx, allocation_id: int, reason: str, on: _date | None = None) -> StoredAllocation:
    """Undo an allocation by a reversing fact (negative amount); the original stays."""
    return _allocation(_service.reverse_allocation(ctx, allocation_id, reason, on))


def write_off(ctx: _Ctx, number: str, amount: _Money, on: _date, reason: str) -> StoredAdjustment:
    """Write off part or all of an invoice's open amount (a credit manager's decision)."""
    row = _service.write_off(ctx, number, amount, on, reason)
    return StoredAdjustment(row.id, row.invoice_id, row.kind, int(row.amount_minor), row.currency,
                            row.effective_on, row.reason)


def list_customers(ctx: _Ctx, *, search: str | None = None, country: str | None = None,
                   sector: str | None = None, currency: str | None = None,
                   limit: int = 50, offset: int = 0) -> tuple[list[CustomerRef], int]:
    """A page of customers (search in code and name, filters) and how many match in all."""
    rows, total = _service.list_customers(ctx, search=search, country=country, sector=sector, currency=currency,
                                          limit=limit, offset=offset)
    return [CustomerRef(c.id, c.code, c.name, c.country, c.sector, c.currency, c.terms_days, c.parent_code)
            for c in rows], total


__all__ += ["StoredAdjustment", "StoredAllocation", "StoredDocument", "StoredPayment"]
