"""Collections API under /api/v1/collections."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/collections", tags=["collections"])
