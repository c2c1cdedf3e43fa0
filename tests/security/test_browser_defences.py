"""Rows 9 and 14 of issue 11: cross-site forms are refused; every answer carries the security headers;
/docs uses the vendored Swagger UI and nothing from another site."""

from __future__ import annotations

import re

from arguard.platform.service import Principal
from arguard.web.common import COOKIE, make_session_cookie
from tests.security.helpers import make_user, sign_in


def test_form_posted_from_another_port_is_refused(api, company, use_database):
    client, _ = api
    make_user(use_database, company[0], "carla", role="admin")
    client.cookies.set(COOKIE, make_session_cookie(Principal(company[0], "user:carla", "admin")))
    evil = {"origin": "http://testserver:9999"}
    r = client.post("/alerts/1/acknowledge", data={"note": "x"}, headers=evil, follow_redirects=False)
    assert r.status_code == 403 and "another site" in r.text
    r = client.post("/alerts/1/acknowledge", data={"note": "x"},
                    headers={"referer": "http://evil.example/page"}, follow_redirects=False)
    assert r.status_code == 403
    # the same origin is let through (to the route, which answers for itself)
    r = client.post("/alerts/999999/acknowledge", data={"note": "x"},
                    headers={"origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code != 403


def test_sign_in_form_from_another_site_is_refused(api, company, use_database):
    client, _ = api
    make_user(use_database, company[0], "lena")
    r = client.post("/login", data={"company": company[1], "username": "lena", "password": "x" * 10},
                    headers={"origin": "null"})
    assert r.status_code == 403
    assert sign_in(client, company[1], "lena").status_code == 303


def test_security_headers_on_pages_api_and_errors(api):
    client, _ = api
    for path in ("/login", "/api/v1/health", "/api/v1/me", "/docs"):
        r = client.get(path)
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"


def test_api_docs_load_nothing_from_another_site(api):
    client, _ = api
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls and all(u.startswith("/static/") for u in urls), urls
    for u in urls:
        assert client.get(u).status_code == 200, u
    assert "<script>" not in page.text  # no inline script: the CSP forbids it
    assert client.get("/redoc").status_code == 404


def test_behind_a_proxy_the_forwarded_host_or_a_trusted_origin_is_this_site(api, company, use_database,
                                                                             monkeypatch):
    from arguard.settings import get_settings

    client, _ = api
    make_user(use_database, company[0], "pia", role="admin")
    client.cookies.set(COOKIE, make_session_cookie(Principal(company[0], "user:pia", "admin")))
    url = "/alerts/999999/acknowledge"
    public = {"origin": "https://ar.example.com"}
    assert client.post(url, data={}, headers=public, follow_redirects=False).status_code == 403
    r = client.post(url, data={}, headers={**public, "x-forwarded-host": "ar.example.com"}, follow_redirects=False)
    assert r.status_code != 403
    monkeypatch.setattr(get_settings(), "trusted_origins", "https://ar.example.com")
    assert client.post(url, data={}, headers=public, follow_redirects=False).status_code != 403
    assert client.post(url, data={}, headers={"origin": "https://evil.example"},
                       follow_redirects=False).status_code == 403
