"""FastAPI application: API under /api/v1, dashboard under /, one error handler for ArguardError."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from arguard import __version__
from arguard.core.errors import ArguardError


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """What lives as long as the server: the audit sealer, and every capability's declared background
    work (registry `background=`: monitoring's daily run and delivery worker, …) unless the settings say
    `background = false` (ARGUARD_BACKGROUND=false: a process that only answers requests)."""
    from arguard.db.session import get_engine
    from arguard.platform import registry
    from arguard.platform.sealing import AuditSealer
    from arguard.settings import get_settings

    # Everything loaded so far (every capability's modules and models) lives as long as the server:
    # keep it out of the garbage collector's full passes, which otherwise walk it every few seconds
    # under load and stall every request of the process for a moment.
    gc.collect()
    gc.freeze()
    sealer = AuditSealer(get_engine()).start()
    try:
        async with AsyncExitStack() as stack:
            for background in registry.background_tasks() if get_settings().background else ():
                await stack.enter_async_context(background(app))
            yield
    finally:
        sealer.stop()


def create_app() -> FastAPI:
    from arguard.api.routers import routers
    from arguard.platform import registry
    from arguard.web.app import mount_dashboard

    app = FastAPI(title="arguard", version=__version__, docs_url=None, redoc_url=None,
                  description="Accounts-receivable protection (应收账款保护): ledger, risk, limits, "
                              "monitoring, reconciliation. Authenticate with `Authorization: Bearer <key>`.")

    from arguard.api.docs import mount_docs
    from arguard.api.security import RequestGuard, error_response, install_error_handlers, upload_patterns

    @app.exception_handler(ArguardError)
    async def arguard_error(_request: Request, exc: ArguardError) -> JSONResponse:
        return error_response(exc)

    install_error_handlers(app)
    app.add_middleware(RequestGuard, upload_paths=upload_patterns(app))
    mount_docs(app)

    @app.get("/api/v1/health", tags=["platform"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.router.lifespan_context = _lifespan
    registry.wire_subscriptions()
    for router in routers():
        app.include_router(router, prefix="/api/v1")
    mount_dashboard(app)
    return app
