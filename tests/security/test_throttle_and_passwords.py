"""Rows 7 and 13 of issue 11: failed sign-ins and API keys are throttled (429 in the API's error format),
unknown users cost a password hash like known ones, and weak passwords are refused."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from arguard.cli.main import app as cli
from arguard.core.errors import TooManyRequests, Unauthorized, ValidationError
from arguard.db.session import session_scope
from arguard.platform import service
from arguard.platform.service import check_password_policy
from arguard.platform.throttle import FailureThrottle
from tests.conftest import auth
from tests.security.helpers import PASSWORD, make_user, sign_in


def test_throttle_window_rule():
    now = [1000.0]
    t = FailureThrottle(limit=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        t.check("u")
        t.fail("u")
    with pytest.raises(TooManyRequests) as caught:
        t.check("u")
    assert caught.value.http_status == 429 and caught.value.retry_after_s <= 61
    t.check("other")  # keys are apart
    now[0] += 61
    t.check("u")  # the window moved on


def test_forty_wrong_passwords_then_the_right_one_is_refused(api, company, use_database):
    client, _ = api
    make_user(use_database, company[0], "wanda")
    codes = [sign_in(client, company[1], "wanda", f"wrong-{i}").status_code for i in range(40)]
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}
    assert sign_in(client, company[1], "wanda").status_code == 429


def test_wrong_api_keys_are_throttled_per_address_in_the_error_format(api):
    client, key_for = api
    good, unseen = key_for("viewer"), key_for("viewer")
    assert client.get("/api/v1/me", headers=auth(good)).status_code == 200
    codes = [client.get("/api/v1/me", headers=auth(f"ag_wrong{i}")).status_code for i in range(35)]
    assert codes[:30] == [401] * 30 and set(codes[30:]) == {429}
    r = client.post("/api/v1/events", headers=auth("ag_wrong-again"), json={})
    assert r.status_code == 429 and set(r.json()) >= {"error", "message"} and "retry-after" in r.headers
    assert client.get("/api/v1/me", headers=auth(unseen)).status_code == 429  # a right guess learns nothing
    assert client.get("/api/v1/me", headers=auth(good)).status_code == 200  # a key in use keeps working


def test_unknown_user_costs_a_password_hash(engine, company, monkeypatch):
    calls = []
    real = service.check_password
    monkeypatch.setattr(service, "check_password", lambda p, h: calls.append(h) or real(p, h))
    with session_scope(engine) as s:
        with pytest.raises(Unauthorized):
            service.authenticate_user(s, company[1], "nobody-here", "whatever-123")
        with pytest.raises(Unauthorized):
            service.authenticate_user(s, "NO-SUCH-COMPANY", "nobody", "whatever-123")
    assert len(calls) == 2  # the same scrypt work as for a known user


@pytest.mark.parametrize("password", ["a", "short12", "password123", "Password123", "12345678", "aaaaaaaaaaaa"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError) as caught:
        check_password_policy(password, "bob")
    assert caught.value.code == "weak_password"


def test_user_create_with_password_a_is_refused_by_the_cli(engine, company, use_database):
    r = CliRunner().invoke(cli, ["user", "create", "amy", "--role", "viewer", "--password", "a",
                                 "--company", company[1]])
    assert r.exit_code == 2 and "weak_password" in r.output
    r = CliRunner().invoke(cli, ["user", "create", "amy", "--role", "viewer", "--password", PASSWORD,
                                 "--company", company[1]])
    assert r.exit_code == 0, r.output
    check_password_policy(PASSWORD, "amy")
