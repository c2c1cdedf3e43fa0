"""Shared dashboard pieces: signed session cookie, the page context, templates, the nav registry, the
customer-page panel registry, the `as_of` query parameter and the template filters.

Capabilities build their pages with these only (see web/README.md); keep the names stable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from arguard.core.errors import ArguardError, ValidationError
from arguard.platform.context import ServiceContext
from arguard.platform.interface import Principal
from arguard.platform.roles import role_allows
from arguard.web.formatting import FILTERS
from arguard.web.i18n import LANGUAGES, translate

COOKIE = "arguard_session"
LANG_COOKIE = "arguard_lang"
SESSION_SECONDS = 12 * 3600
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters.update(FILTERS)


@dataclass(frozen=True)
class NavItem:
    path: str
    label_key: str
    order: int


NAV: list[NavItem] = []


def add_nav(path: str, label_key: str, order: int = 50) -> None:
    """A capability adds its page to the top navigation (once; a second call for the path is ignored)."""
    if any(n.path == path for n in NAV):
        return
    NAV.append(NavItem(path, label_key, order))
    NAV.sort(key=lambda n: n.order)


PanelContext = Callable[[ServiceContext, str, date], Mapping[str, Any] | None]


@dataclass(frozen=True)
class CustomerPanel:
    """A section of the customer page contributed by a capability.

    template: path under web/templates (e.g. "limits/customer_panel.html"); it sees `panel` (what
    `context` returned) plus everything a page sees (`t`, `lang`, `as_of`, `customer`, filters).
    context: (ctx, customer_code, as_of) -> dict for the template, or None to hide the panel.
    order: position on the page; the ledger's own sections use 10–40, so 50+ comes after them.
    """

    template: str
    context: PanelContext
    order: int = 50


CUSTOMER_PANELS: list[CustomerPanel] = []


def add_customer_panel(template: str, context: PanelContext, order: int = 50) -> None:
    """Add a panel to every customer page (idempotent per template)."""
    if any(p.template == template for p in CUSTOMER_PANELS):
        return
    CUSTOMER_PANELS.append(CustomerPanel(template, context, order))
    CUSTOMER_PANELS.sort(key=lambda p: p.order)


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    data: Mapping[str, Any] | None
    error: str | None = None


def customer_panels(ctx: ServiceContext, code: str, as_of: date) -> list[RenderedPanel]:
    """Each registered panel's data for one customer. A panel whose service refuses (an ArguardError,
    e.g. not enough role) shows that message instead of breaking the whole page."""
    out: list[RenderedPanel] = []
    for panel in CUSTOMER_PANELS:
        try:
            data = panel.context(ctx, code, as_of)
        except ArguardError as exc:
            out.append(RenderedPanel(panel.template, None, exc.message))
            continue
        if data is not None:
            out.append(RenderedPanel(panel.template, data))
    return out


def _sign(payload: bytes) -> str:
    from arguard.platform.keys import session_key

    return hmac.new(session_key(), payload, hashlib.sha256).hexdigest()


def make_session_cookie(p: Principal, session_version: int = 0) -> str:
    """A signed cookie naming the user, the session version it is valid for, and when it expires. The
    role is not trusted from it: each request reads the user's role and state (`web_principal`)."""
    body = base64.urlsafe_b64encode(json.dumps(
        {"c": p.company_id, "a": p.actor, "r": p.role, "v": session_version,
         "e": int(time.time()) + SESSION_SECONDS}).encode())
    return body.decode() + "." + _sign(body)


def _cookie_data(value: str | None) -> dict[str, Any] | None:
    if not value or "." not in value:
        return None
    body, sig = value.rsplit(".", 1)
    if not hmac.compare_digest(sig, _sign(body.encode())):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body))
        if not isinstance(data, dict) or int(data["e"]) < time.time():
            return None
        int(data["c"]), int(data.get("v", 0)), str(data["a"])
    except (ValueError, KeyError, TypeError):
        return None
    return data


def read_session_cookie(value: str | None) -> Principal | None:
    """The principal a validly signed, unexpired cookie names (for display; not a check of the user)."""
    data = _cookie_data(value)
    return None if data is None else Principal(int(data["c"]), str(data["a"]), str(data["r"]))


class LoginRequired(ArguardError):
    http_status = 401
    code = "login_required"


def session_principal(value: str | None) -> Principal | None:
    """The principal of a session cookie if the user still exists, is active and has not signed out
    since (session version); with the user's current role."""
    from arguard.db.session import get_engine, session_scope
    from arguard.platform.interface import session_user

    data = _cookie_data(value)
    if data is None or not str(data["a"]).startswith("user:"):
        return None
    with session_scope(get_engine()) as session:
        found = session_user(session, int(data["c"]), str(data["a"])[5:])
    if found is None or found.session_version != int(data.get("v", 0)):
        return None
    return found.principal


def web_principal(request: Request) -> Principal:
    p = session_principal(request.cookies.get(COOKIE))
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


def as_of_param(request: Request) -> date:
    """`?as_of=YYYY-MM-DD`, today when absent. Only the shell reads the clock."""
    raw = (request.query_params.get("as_of") or "").strip()
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"as_of must be a date written YYYY-MM-DD, not {raw!r}",
                              code="invalid_as_of") from None


AsOf = Annotated[date, Depends(as_of_param)]


def url_with(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one): pagination, filters."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return request.url.path + ("?" + query if query else "")


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the nav, the language, `t(key)` and `url_with(...)` available to the template."""
    lang = language(request)
    principal = read_session_cookie(request.cookies.get(COOKIE))
    return templates.TemplateResponse(request, template, {
        "lang": lang, "t": lambda key, /, **kw: translate(lang, key, **kw), "nav": NAV,
        "principal": principal, "path": request.url.path, "active_nav": active_nav(request.url.path),
        "can": lambda needed: principal is not None and role_allows(principal.role, needed),
        "url_with": lambda **kw: url_with(request, **kw), **context}, status_code=status_code)


def active_nav(path: str) -> str | None:
    """The one top-bar entry a page belongs to: the longest nav path that the page's path starts with
    ('/limits/holds' is the hold queue, not also 'Limits'); '/' only for the overview itself."""
    found = [n.path for n in NAV if (n.path == "/" and path == "/")
             or (n.path != "/" and (path == n.path or path.startswith(n.path.rstrip("/") + "/")))]
    return max(found, key=len, default=None)
