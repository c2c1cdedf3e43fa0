"""arguard — accounts-receivable protection (应收账款保护).

Pipeline: ingest → ledger → risk → monitor → actions. See docs/architecture.md.
"""

__version__ = "0.1.0"
