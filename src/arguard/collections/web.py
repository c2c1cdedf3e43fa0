"""Collections dashboard pages."""

from fastapi import APIRouter

router = APIRouter()
