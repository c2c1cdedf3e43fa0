"""Rows 1 and 8 of issue 11: no known session secret; cookies name a real, active user; sign-out,
disabling, role changes and API key revocation take effect at once; the cookie can be marked Secure."""

from __future__ import annotations

import os
import stat

import pytest
from typer.testing import CliRunner

from arguard.cli.main import app as cli
from arguard.platform import keys
from arguard.platform.service import Principal
from arguard.settings import get_settings
from arguard.web.common import COOKIE, make_session_cookie
from tests.conftest import auth
from tests.security.helpers import make_user, sign_in


def _forged(company_id: int, secret: bytes) -> str:
    import base64
    import hashlib
    import hmac
    import json
    import time

    body = base64.urlsafe_b64encode(json.dumps({"c": company_id, "a": "user:ghost", "r": "admin", "v": 0,
                                                "e": int(time.time()) + 3600}).encode())
    return body.decode() + "." + hmac.new(secret, body, hashlib.sha256).hexdigest()


def test_the_documented_default_secret_signs_nothing(api, company):
    client, _ = api
    assert get_settings().session_secret is None
    assert keys.session_key() != b"change-me-in-production"
    client.cookies.set(COOKIE, _forged(company[0], b"change-me-in-production"))
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_validly_signed_cookie_of_a_made_up_user_is_refused(api, company):
    client, _ = api
    client.cookies.set(COOKIE, _forged(company[0], keys.session_key()))
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_installation_key_is_random_kept_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGUARD_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        first = keys.session_key()
        path = keys.key_path()
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        keys._installation_key.cache_clear()
        keys._derived.cache_clear()
        assert keys.session_key() == first  # a restart keeps the sessions valid
        monkeypatch.setenv("ARGUARD_DATA_DIR", str(tmp_path / "other"))
        get_settings.cache_clear()
        assert keys.session_key() != first  # another installation, another key
    finally:
        get_settings.cache_clear()


def test_sign_out_revokes_the_cookie_on_the_server(api, company, use_database):
    client, _ = api
    make_user(use_database, company[0], "olga")
    assert sign_in(client, company[1], "olga").status_code == 303
    stolen = client.cookies.get(COOKIE)
    assert client.get("/", follow_redirects=False).status_code == 200
    signed_out = client.post("/logout", headers={"origin": "http://testserver"}, follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/login"
    client.cookies.set(COOKIE, stolen)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_link_or_another_site_cannot_sign_the_user_out(api, company, use_database):
    """Signing out is a form (POST, same origin): opening /logout only shows that form, and a form
    posted from another site is refused; the session goes on in both cases."""
    client, _ = api
    make_user(use_database, company[0], "ines")
    sign_in(client, company[1], "ines")
    page = client.get("/logout", follow_redirects=False)
    assert page.status_code == 200 and 'action="/logout"' in page.text and 'method="post"' in page.text
    assert client.get("/", follow_redirects=False).status_code == 200
    forged = client.post("/logout", headers={"origin": "http://evil.example"}, follow_redirects=False)
    assert forged.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200
    home = client.get("/")
    assert '<form method="post" action="/logout"' in home.text  # the nav's sign-out is a form
    client.post("/logout", headers={"origin": "http://testserver"}, follow_redirects=False)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_disabled_user_loses_its_session_and_cannot_sign_in(api, company, use_database):
    client, _ = api
    make_user(use_database, company[0], "dmitri")
    sign_in(client, company[1], "dmitri")
    assert client.get("/", follow_redirects=False).status_code == 200
    r = CliRunner().invoke(cli, ["user", "disable", "dmitri", "--company", company[1]])
    assert r.exit_code == 0, r.output
    assert client.get("/", follow_redirects=False).status_code == 303
    assert sign_in(client, company[1], "dmitri").status_code == 401
    assert CliRunner().invoke(cli, ["user", "enable", "dmitri", "--company", company[1]]).exit_code == 0
    assert sign_in(client, company[1], "dmitri").status_code == 303


def test_role_change_applies_to_open_sessions(api, company, use_database):
    client, _ = api
    make_user(use_database, company[0], "rita", role="admin")
    client.cookies.set(COOKIE, make_session_cookie(Principal(company[0], "user:rita", "admin")))
    r = CliRunner().invoke(cli, ["user", "role", "rita", "viewer", "--company", company[1]])
    assert r.exit_code == 0, r.output
    from arguard.web.common import session_principal

    assert session_principal(client.cookies.get(COOKIE)).role == "viewer"  # not the cookie's "admin"


def test_api_key_revoked_from_the_cli_stops_at_once(api, company):
    client, key_for = api
    key = key_for("analyst")
    assert client.get("/api/v1/me", headers=auth(key)).status_code == 200
    r = CliRunner().invoke(cli, ["apikey", "revoke", key[:11], "--company", company[1]])
    assert r.exit_code == 0, r.output
    r = client.get("/api/v1/me", headers=auth(key))
    assert r.status_code == 401 and r.json()["error"] == "invalid_api_key"
    listed = CliRunner().invoke(cli, ["apikey", "list", "--format", "json", "--company", company[1]])
    assert key[:11] in listed.output and "revoked_at" in listed.output


@pytest.mark.parametrize("secure", [True, False])
def test_session_cookie_secure_option(api, company, use_database, monkeypatch, secure):
    client, _ = api
    monkeypatch.setenv("ARGUARD_COOKIE_SECURE", "true" if secure else "false")
    get_settings.cache_clear()
    make_user(use_database, company[0], "sam")
    r = sign_in(client, company[1], "sam")
    cookie = r.headers["set-cookie"].lower()
    assert ("; secure" in cookie) is secure and "httponly" in cookie


def test_disabling_a_user_revokes_the_api_keys_it_owns(api, company, use_database):
    from sqlalchemy import select, update

    from arguard.db.session import session_scope
    from arguard.platform.tables import ApiKey, User

    client, key_for = api
    make_user(use_database, company[0], "kai")
    key = key_for("analyst")
    with session_scope(use_database) as s:
        user_id = s.scalar(select(User.id).where(User.company_id == company[0], User.username == "kai"))
        s.execute(update(ApiKey).where(ApiKey.prefix == key[:11]).values(user_id=user_id))
    assert client.get("/api/v1/me", headers=auth(key)).status_code == 200
    assert CliRunner().invoke(cli, ["user", "disable", "kai", "--company", company[1]]).exit_code == 0
    assert client.get("/api/v1/me", headers=auth(key)).status_code == 401
