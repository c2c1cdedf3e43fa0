"""Authentication and the per-request ServiceContext.

Every route but /api/v1/health depends on `require(role)`: the Bearer API key names the company and the
role; the request runs as one unit of work committed after the route returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from arguard.core.errors import Unauthorized
from arguard.db.session import get_engine, session_scope
from arguard.platform import caches
from arguard.platform.context import ServiceContext
from arguard.platform.interface import Principal, authenticate_key
from arguard.platform.throttle import API_KEYS


async def bearer_token(request: Request) -> str:
    """The API key of the request's `Authorization: Bearer` header (async: no thread needed)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("missing 'Authorization: Bearer <API key>' header", code="missing_api_key")
    return token.strip()


async def check_key(token: str, address: str) -> Principal:
    """A key this process has seen valid, else checked now (also by `api.security.RequestGuard`, before
    a request's body is read). Wrong keys are throttled per address (429). The request's unit of work
    checks the key again (`authenticated`), so a revoked key stops at once; this only spares a
    transaction (and a thread) per request for keys already known (`caches.API_KEYS`)."""
    principal: Principal | None = caches.API_KEYS.get(token)
    if principal is None:
        API_KEYS.check(address)
        try:
            principal = await anyio.to_thread.run_sync(_principal_of, token)
        except Unauthorized:
            API_KEYS.fail(address)
            raise
        caches.API_KEYS.put(token, principal)
    return principal


async def known_key(request: Request, token: Annotated[str, Depends(bearer_token)]) -> str:
    await check_key(token, request.client.host if request.client else "unknown")
    return token


def _principal_of(token: str) -> Principal:
    with session_scope(get_engine()) as session:
        return authenticate_key(session, token)


def context_for(principal: Principal) -> Iterator[ServiceContext]:
    with session_scope(get_engine()) as session:
        ctx = ServiceContext(session, principal.company_id, principal.actor, principal.role)
        yield ctx
    ctx.run_after_commit()


def authenticated(session: Session, token: str, role: str) -> ServiceContext:
    """The context of an API key inside the request's own unit of work (no transaction of its own)."""
    try:
        principal = authenticate_key(session, token)
    except Unauthorized:
        caches.API_KEYS.pop(token)  # revoked since this process last saw it
        raise
    ctx = ServiceContext(session, principal.company_id, principal.actor, principal.role)
    ctx.require(role)
    return ctx


def require(role: str = "viewer") -> Callable[..., Iterator[ServiceContext]]:
    """Dependency: authenticated context whose role is at least `role`; the key is checked in the same
    unit of work as the request."""

    def dependency(token: Annotated[str, Depends(known_key)]) -> Iterator[ServiceContext]:
        with session_scope(get_engine()) as session:
            ctx = authenticated(session, token, role)
            yield ctx
        ctx.run_after_commit()

    return dependency


Viewer = Annotated[ServiceContext, Depends(require("viewer"))]
Analyst = Annotated[ServiceContext, Depends(require("analyst"))]
CreditManager = Annotated[ServiceContext, Depends(require("credit_manager"))]
Admin = Annotated[ServiceContext, Depends(require("admin"))]
