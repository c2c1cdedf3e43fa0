"""Platform routes: who am I, audit verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from arguard.api.deps import Admin, Viewer
from arguard.platform import service

router = APIRouter(tags=["platform"])


@router.get("/me")
def me(ctx: Viewer) -> dict[str, str | int]:
    return {"company_id": ctx.company_id, "actor": ctx.actor, "role": ctx.role}


@router.get("/audit/verify")
def audit_verify(ctx: Admin, head_seq: Annotated[int | None, Query(ge=0, le=2**62)] = None,
                 head_hash: Annotated[str | None, Query(pattern="^[0-9a-f]{64}$")] = None) -> dict[str, object]:
    """Recompute the chain; with `head_seq` and `head_hash` (from `/audit/head`, kept elsewhere) also
    check that no entry up to that head was deleted or changed."""
    head = {"seq": head_seq, "entry_hash": head_hash} if head_seq is not None and head_hash else None
    breaks = service.verify_audit(ctx, head)
    return {"intact": not breaks, "breaks": [{"seq": b.seq, "reason": b.reason} for b in breaks]}


@router.get("/audit/head")
def audit_head(ctx: Admin) -> dict[str, object]:
    """The chain's newest entry (seq, entry_hash): keep it outside this server to anchor the chain."""
    return service.audit_head(ctx)
