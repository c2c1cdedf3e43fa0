"""Platform routes: who am I, audit verification."""

from __future__ import annotations

from fastapi import APIRouter

from arguard.api.deps import Admin, Viewer
from arguard.platform import service

router = APIRouter(tags=["platform"])


@router.get("/me")
def me(ctx: Viewer) -> dict[str, str | int]:
    return {"company_id": ctx.company_id, "actor": ctx.actor, "role": ctx.role}


@router.get("/audit/verify")
def audit_verify(ctx: Admin) -> dict[str, object]:
    breaks = service.verify_audit(ctx)
    return {"intact": not breaks, "breaks": [{"seq": b.seq, "reason": b.reason} for b in breaks]}
