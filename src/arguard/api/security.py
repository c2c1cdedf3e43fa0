"""What every request passes before any route sees it, and the one error format of the API.

`RequestGuard` (ASGI middleware, outermost):
- API requests that carry a body are refused (401) unless their API key is valid, before a byte of the
  body is read; failures per address are throttled (429);
- bodies are limited per route before parsing: `max_upload_bytes` for routes that take a file,
  `max_body_bytes` for every other; the declared Content-Length is checked first and the bytes that
  actually arrive are counted (413);
- dashboard forms (state-changing methods outside /api/) must come from this site: an `Origin` (or,
  without one, `Referer`) naming another host or port is refused (403) — cross-site request forgery;
- every answer carries the security headers (CSP, X-Frame-Options, nosniff, Referrer-Policy).

`install_error_handlers` makes pydantic's `{"detail": [...]}`, Starlette's HTTP errors and database
refusals of out-of-range values answer `{"error": code, "message": text, ...}` like every ArguardError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from arguard.core.errors import ArguardError, PayloadTooLarge, TooManyRequests, Unauthorized
from arguard.settings import get_settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
UNAUTHENTICATED_API = ("/api/v1/health",)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The API's one error format."""
    return {"error": code, "message": message, **extra}


def error_response(exc: ArguardError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, TooManyRequests) else None
    return JSONResponse(error_body(exc.code, exc.message), status_code=exc.http_status, headers=headers)


class RequestGuard:
    def __init__(self, app: ASGIApp, upload_paths: Callable[[], list[re.Pattern[str]]]) -> None:
        self.app = app
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send)
        path: str = scope["path"]
        method: str = scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            if method not in SAFE_METHODS:
                if path.startswith("/api/"):
                    if path not in UNAUTHENTICATED_API:
                        await _check_key_early(headers, _address(scope))
                else:
                    _check_same_origin(headers, scope)
            limit = self._limit(path)
            declared = headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                raise PayloadTooLarge(f"the request body is larger than {limit} bytes")
        except ArguardError as exc:
            await _answer(scope, receive, send, exc)
            return
        started, received, exceeded = False, 0, False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise PayloadTooLarge(f"the request body is larger than {limit} bytes")
            return message

        async def tracking_send(message: Message) -> None:
            # The route's body parser turns the refusal into its own 400; the answer is 413 all the same.
            nonlocal started
            if exceeded:
                if not started:
                    started = True
                    await _answer(scope, receive, send, PayloadTooLarge(
                        f"the request body is larger than {limit} bytes"))
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except PayloadTooLarge as exc:
            if started:
                raise
            await _answer(scope, receive, send, exc)

    def _limit(self, path: str) -> int:
        settings = get_settings()
        if any(p.match(path) for p in self.upload_paths()):
            return settings.max_upload_bytes
        return settings.max_body_bytes


def _address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _check_key_early(headers: dict[str, str], address: str) -> None:
    from arguard.api.deps import check_key

    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing 'Authorization: Bearer <API key>' header", code="missing_api_key")
    await check_key(token.strip(), address)


def _check_same_origin(headers: dict[str, str], scope: Scope) -> None:
    """A state-changing dashboard request must name this site as its origin (browsers send `Origin` with
    every POST; `Referer` is the fall-back). Requests naming neither come from no browser page."""
    source = headers.get("origin") or headers.get("referer")
    if not source:
        return
    # Behind a reverse proxy the Host may be the proxy's upstream: the forwarded host counts too (a
    # browser never lets a page set that header), and so do the origins the operator names.
    hosts = {headers.get("host", "").lower(), headers.get("x-forwarded-host", "").split(",")[0].strip().lower()}
    hosts |= {urlsplit(o.strip()).netloc.lower() for o in get_settings().trusted_origins.split(",") if o.strip()}
    origin = urlsplit(source)
    if source == "null" or origin.netloc.lower() not in hosts - {""}:
        from arguard.core.errors import Forbidden

        raise Forbidden("this form was sent from another site; open the page again and resend it",
                        code="cross_site_request")


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {k.lower() for k, _ in message.get("headers", [])}
            message["headers"] = list(message.get("headers", [])) + [
                (k, v) for k, v in SECURITY_HEADERS if k not in present]
        await send(message)

    return wrapped


async def _answer(scope: Scope, receive: Receive, send: Send, exc: ArguardError) -> None:
    if scope["path"].startswith("/api/"):
        response: Response = error_response(exc)
    else:
        response = Response(exc.message, status_code=exc.http_status, media_type="text/plain; charset=utf-8")
    await response(scope, receive, send)


def upload_patterns(app: FastAPI) -> Callable[[], list[re.Pattern[str]]]:
    """Paths of the routes that take a file (their body may be `max_upload_bytes`), found once."""
    found: list[re.Pattern[str]] = []
    done = False

    def patterns() -> list[re.Pattern[str]]:
        nonlocal done
        if not done:
            found.extend(_file_routes(app.routes, ""))
            done = True
        return found

    return patterns


def _file_routes(routes: list[Any], prefix: str) -> list[re.Pattern[str]]:
    """Walk the routes (included routers too: FastAPI keeps them as `_IncludedRouter`)."""
    from fastapi.routing import APIRoute
    from starlette.routing import compile_path

    out: list[re.Pattern[str]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            if _takes_file(route):
                out.append(compile_path(prefix + route.path)[0])
        elif hasattr(route, "original_router"):
            context = getattr(route, "include_context", None)
            out += _file_routes(route.original_router.routes, prefix + (getattr(context, "prefix", "") or ""))
    return out


def _takes_file(route: Any) -> bool:
    from fastapi import UploadFile

    for param in route.dependant.body_params:
        annotation = getattr(param.field_info, "annotation", None) or getattr(param, "type_", None)
        if annotation is UploadFile or "UploadFile" in repr(annotation):
            return True
    return False


# ---------------------------------------------------------------- error format

def _validation_message(errors: list[Any]) -> str:
    parts = []
    for err in errors[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        issues = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or None,
                   "reason": str(e.get("msg", "invalid"))} for e in exc.errors()[:50]]
        return JSONResponse(json.loads(json.dumps(error_body("invalid_request", _validation_message(
            list(exc.errors())), issues=issues), default=str)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}
        code = codes.get(exc.status_code, f"http_{exc.status_code}")
        if request.url.path.startswith("/api/") or exc.status_code != 404:
            return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return Response("not found", status_code=404, media_type="text/plain; charset=utf-8")

    from sqlalchemy.exc import DataError, StatementError

    @app.exception_handler(DataError)
    async def out_of_range(_request: Request, _exc: Exception) -> JSONResponse:
        # The database refused a value (too large a number, NUL in text): bad input, not a fault.
        return JSONResponse(error_body("invalid_value", "a value is out of range or contains characters "
                                       "that cannot be stored (e.g. NUL)"), status_code=422)

    @app.exception_handler(StatementError)
    async def statement_error(request: Request, exc: StatementError) -> JSONResponse:
        if isinstance(exc.orig, OverflowError | ValueError):
            return await out_of_range(request, exc)
        raise exc

    @app.exception_handler(OverflowError)
    async def overflow(request: Request, exc: OverflowError) -> JSONResponse:
        return await out_of_range(request, exc)

    from decimal import InvalidOperation

    @app.exception_handler(InvalidOperation)
    async def not_a_number(request: Request, exc: InvalidOperation) -> JSONResponse:
        # An amount too large for its currency's minor units, or not a finite number.
        return JSONResponse(error_body("invalid_amount", "an amount is not a finite number or too large"),
                            status_code=422)
