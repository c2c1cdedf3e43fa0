"""Shared dashboard pieces: signed session cookie, the page context, templates and the nav registry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from arguard.core.errors import ArguardError
from arguard.platform.context import ServiceContext
from arguard.platform.service import Principal
from arguard.settings import get_settings
from arguard.web.i18n import LANGUAGES, translate

COOKIE = "arguard_session"
LANG_COOKIE = "arguard_lang"
SESSION_SECONDS = 12 * 3600
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@dataclass(frozen=True)
class NavItem:
    path: str
    label_key: str
    order: int


NAV: list[NavItem] = []


def add_nav(path: str, label_key: str, order: int = 50) -> None:
    """A capability adds its page to the top navigation."""
    NAV.append(NavItem(path, label_key, order))
    NAV.sort(key=lambda n: n.order)


def _sign(payload: bytes) -> str:
    return hmac.new(get_settings().session_secret.encode(), payload, hashlib.sha256).hexdigest()


def make_session_cookie(p: Principal) -> str:
    body = base64.urlsafe_b64encode(json.dumps(
        {"c": p.company_id, "a": p.actor, "r": p.role, "e": int(time.time()) + SESSION_SECONDS}).encode())
    return body.decode() + "." + _sign(body)


def read_session_cookie(value: str | None) -> Principal | None:
    if not value or "." not in value:
        return None
    body, sig = value.rsplit(".", 1)
    if not hmac.compare_digest(sig, _sign(body.encode())):
        return None
    data = json.loads(base64.urlsafe_b64decode(body))
    if data["e"] < time.time():
        return None
    return Principal(data["c"], data["a"], data["r"])


class LoginRequired(ArguardError):
    http_status = 401
    code = "login_required"


def web_principal(request: Request) -> Principal:
    p = read_session_cookie(request.cookies.get(COOKIE))
    if p is None:
        raise LoginRequired("please sign in")
    return p


def web_context(principal: Annotated[Principal, Depends(web_principal)]) -> Iterator[ServiceContext]:
    from arguard.api.deps import context_for

    yield from context_for(principal)


WebCtx = Annotated[ServiceContext, Depends(web_context)]


def language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE) or request.query_params.get("lang") or ""
    if lang in LANGUAGES:
        return lang
    accept = request.headers.get("accept-language", "")
    return "zh-CN" if accept.lower().startswith("zh") else "en"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the nav, the language and `t(key)` available to the template."""
    lang = language(request)
    principal = read_session_cookie(request.cookies.get(COOKIE))
    return templates.TemplateResponse(request, template, {
        "lang": lang, "t": lambda key, **kw: translate(lang, key, **kw), "nav": NAV,
        "principal": principal, **context}, status_code=status_code)
