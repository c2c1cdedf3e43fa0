"""Reconciliation (电子化对账): bank statements in, every payment matched to its invoices."""
