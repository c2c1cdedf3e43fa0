"""FastAPI application: API under /api/v1, dashboard under /, one error handler for ArguardError."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from arguard import __version__
from arguard.core.errors import ArguardError


def create_app() -> FastAPI:
    from arguard.api.routers import ROUTERS
    from arguard.web.app import mount_dashboard

    app = FastAPI(title="arguard", version=__version__,
                  description="Accounts-receivable protection (应收账款保护): ledger, risk, limits, "
                              "monitoring, reconciliation. Authenticate with `Authorization: Bearer <key>`.")

    @app.exception_handler(ArguardError)
    async def arguard_error(_request: Request, exc: ArguardError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.http_status)

    @app.get("/api/v1/health", tags=["platform"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    from arguard.monitor.scheduler import background  # daily monitor run + webhook/e-mail worker
    app.router.lifespan_context = background
    for router in ROUTERS:
        app.include_router(router, prefix="/api/v1")
    mount_dashboard(app)
    return app
