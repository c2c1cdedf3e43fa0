"""Shared pieces of the security tests: a signed-in dashboard client and the user behind it."""

from __future__ import annotations

from sqlalchemy import Engine

from arguard.db.session import session_scope
from arguard.platform.context import ServiceContext
from arguard.platform.service import create_user

PASSWORD = "violet-harbour-42"


def make_user(engine: Engine, company_id: int, username: str, role: str = "analyst") -> None:
    with session_scope(engine) as s:
        create_user(ServiceContext(s, company_id, "test", "admin"), username, role, PASSWORD)


def sign_in(client, company_code: str, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"company": company_code, "username": username, "password": password},
                       follow_redirects=False)
