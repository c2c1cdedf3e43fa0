"""Mounts the dashboard: static files, login/logout, language switch, and every capability's pages."""

from __future__ import annotations

import inspect
from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from arguard.core.errors import ArguardError
from arguard.db.session import get_engine, session_scope
from arguard.platform import throttle
from arguard.platform.context import ServiceContext
from arguard.platform.interface import authenticate_user, end_sessions, session_user, user_language
from arguard.settings import get_settings
from arguard.web.common import (
    COOKIE,
    LANG_COOKIE,
    SESSION_SECONDS,
    LoginRequired,
    make_session_cookie,
    render,
    session_principal,
)
from arguard.web.i18n import LANGUAGES


def mount_dashboard(app: FastAPI) -> None:
    from arguard.web.routers import web_routers

    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: ArguardError) -> Response:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    # Dashboard pages answer an ArguardError with a page in the user's language; the API keeps its
    # JSON handler (the one registered by api/app.py), which this one delegates to.
    api_handler = app.exception_handlers.get(ArguardError)

    @app.exception_handler(ArguardError)
    async def error_page(request: Request, exc: ArguardError) -> Response:
        if request.url.path.startswith("/api/") and api_handler is not None:
            answer = api_handler(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        return render(request, "error.html", status_code=exc.http_status, error=exc)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> HTMLResponse:
        return render(request, "login.html", next=next, failed=False)

    @app.post("/login", include_in_schema=False)
    def login(request: Request, company: str = Form(), username: str = Form(), password: str = Form(),
              next: str = Form("/")) -> Response:
        # Too many failures for this user or from this address: 429 whatever the password (throttle.py).
        user_key = throttle.user_key(company, username)
        address = request.client.host if request.client else "unknown"
        throttle.LOGIN_USERS.check(user_key)
        throttle.LOGIN_ADDRESSES.check(address)
        try:
            with session_scope(get_engine()) as session:
                principal = authenticate_user(session, company, username, password)
                found = session_user(session, principal.company_id, username)
                version = found.session_version if found else 0
                stored_language = user_language(session, principal.company_id, username)
        except ArguardError:
            throttle.LOGIN_USERS.fail(user_key)
            throttle.LOGIN_ADDRESSES.fail(address)
            return render(request, "login.html", status_code=401, next=next, failed=True)
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, make_session_cookie(principal, version), max_age=SESSION_SECONDS,
                            httponly=True, samesite="lax", secure=get_settings().cookie_secure)
        if stored_language in LANGUAGES:  # the user's own language from now on (the switch still works)
            response.set_cookie(LANG_COOKIE, stored_language, max_age=365 * 86400, samesite="lax")
        return response

    @app.get("/logout", response_class=HTMLResponse, include_in_schema=False)
    def logout_page(request: Request) -> HTMLResponse:
        # A GET changes nothing (a link or an <img> on another site cannot sign the user out): it shows
        # the sign-out form, which POSTs like every other state-changing form (same-origin check).
        return render(request, "logout.html")

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        # Signing out revokes the session on the server too (the user's session version moves on), so a
        # copied cookie stops working.
        principal = session_principal(request.cookies.get(COOKIE))
        if principal is not None:
            with session_scope(get_engine()) as session:
                ctx = ServiceContext(session, principal.company_id, principal.actor, principal.role)
                end_sessions(ctx, principal.actor.removeprefix("user:"))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/lang/{lang}", include_in_schema=False)
    def switch_language(lang: str, request: Request) -> Response:
        # Back to the page the switch was clicked on: only its path and query, never another site.
        ref = urlsplit(request.headers.get("referer") or "/")
        back = (ref.path or "/") + ("?" + ref.query if ref.query else "")
        if not back.startswith("/") or back.startswith("//"):
            back = "/"
        response = RedirectResponse(back, status_code=303)
        if lang in LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
        return response

    from arguard.platform import registry

    routers = web_routers()  # importing the pages first keeps their own nav order ties
    registry.install_dashboard()
    for router in routers:
        app.include_router(router, include_in_schema=False)
