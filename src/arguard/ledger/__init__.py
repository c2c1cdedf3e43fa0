"""Ledger: customers, invoices, credit notes, payments, allocations, adjustments; aging, DSO, CEI, statements."""
