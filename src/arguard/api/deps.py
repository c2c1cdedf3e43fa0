"""Authentication and the per-request ServiceContext.

Every route but /api/v1/health depends on `require(role)`: the Bearer API key names the company and the
role; the request runs as one unit of work committed after the route returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request

from arguard.core.errors import Unauthorized
from arguard.db.session import get_engine, session_scope
from arguard.platform.context import ServiceContext
from arguard.platform.service import Principal, authenticate_key


def bearer_principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("missing 'Authorization: Bearer <API key>' header", code="missing_api_key")
    with session_scope(get_engine()) as session:
        return authenticate_key(session, token.strip())


def context_for(principal: Principal) -> Iterator[ServiceContext]:
    with session_scope(get_engine()) as session:
        ctx = ServiceContext(session, principal.company_id, principal.actor, principal.role)
        yield ctx
    ctx.run_after_commit()


def require(role: str = "viewer") -> Callable[..., Iterator[ServiceContext]]:
    """Dependency: authenticated context whose role is at least `role`."""

    def dependency(principal: Annotated[Principal, Depends(bearer_principal)]) -> Iterator[ServiceContext]:
        for ctx in context_for(principal):
            ctx.require(role)
            yield ctx

    return dependency


Viewer = Annotated[ServiceContext, Depends(require("viewer"))]
Analyst = Annotated[ServiceContext, Depends(require("analyst"))]
CreditManager = Annotated[ServiceContext, Depends(require("credit_manager"))]
Admin = Annotated[ServiceContext, Depends(require("admin"))]
