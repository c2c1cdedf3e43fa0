"""Ledger routes (the ledger helper completes these)."""

from fastapi import APIRouter

router = APIRouter(tags=["ledger"])
