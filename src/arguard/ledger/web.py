"""Ledger dashboard pages (the ledger/dashboard helper completes these)."""

from fastapi import APIRouter

router = APIRouter()
