"""Shared fixtures. Storage fixtures run every test on SQLite and, where it answers, on PostgreSQL.

- `engine`: a migrated database (one per backend per session); tests stay apart by using their own
  company (see `company`), which is also how tenants stay apart in production.
- `ctx_factory`: opens one unit of work for a company with a role (commits on exit).
- `api`: a FastAPI TestClient on the same database plus a helper to make API keys.

PostgreSQL: 127.0.0.1:5432, user postgres, database `test` (used only to create a scratch database).
Set ARGUARD_TEST_POSTGRES=required (CI does) to fail instead of skip when it does not answer.
"""

from __future__ import annotations

import ast
import functools
import gc
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine

from arguard.db import session as db_session
from arguard.platform.context import ServiceContext

# The browser fixtures (one Chromium per test process, a live server) serve every capability's page tests.
pytest_plugins = ["tests.web.fixtures"]

PG_ADMIN_URL = os.environ.get("ARGUARD_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# The in-process apps of the tests (TestClient, the browser tests' live server) only answer requests:
# no delivery worker or daily run writing in the background while a test compares rows. A test that
# wants them starts them itself (tests/monitor/test_delivery.py) or runs `arguard serve` with
# ARGUARD_BACKGROUND=true (tests/security/test_two_servers.py).
os.environ.setdefault("ARGUARD_BACKGROUND", "false")


def _parse_with_the_collector_paused() -> None:
    """CPython 3.11.0-3.11.7 and 3.12.0-3.12.1 (CI runs 3.11.7) count the AST constructor's recursion in one
    counter per interpreter (python/cpython gh-106905, fixed in 3.11.8 and 3.12.2). When the cyclic collector
    runs a finalizer while `ast.parse` builds its tree (an SQLAlchemy connection finalised and its rollback
    error logged: 3.11's traceback module parses each line for its ^^^ marks; or it lets another thread
    run that parses), the outer parse fails with "SystemError: AST constructor recursion depth mismatch".
    pytest parses at every module it rewrites (test modules and every module of a plugin's package, e.g.
    those schemathesis imports at session end) and at every failure it reports, so a run crashed now and
    then. With the collector paused the tree is built by C code alone: nothing else runs in between."""
    if not ((3, 11) <= sys.version_info[:3] < (3, 11, 8) or (3, 12) <= sys.version_info[:3] < (3, 12, 2)):
        return
    parse = ast.parse

    @functools.wraps(parse)
    def parse_paused(*args: Any, **kwargs: Any) -> Any:
        running = gc.isenabled()
        gc.disable()
        try:
            return parse(*args, **kwargs)
        finally:
            if running:
                gc.enable()

    ast.parse = parse_paused  # type: ignore[assignment]


_parse_with_the_collector_paused()


Bus = tuple[list[Any], set[str]]


def _bus_now() -> Bus:
    from arguard.platform import events, registry

    return list(events._SUBSCRIBERS), set(registry._WIRED)


def _set_bus(bus: Bus) -> None:
    from arguard.platform import events, registry

    events._SUBSCRIBERS[:] = bus[0]
    registry._WIRED.clear()
    registry._WIRED.update(bus[1])


_BUS_BEFORE_COLLECTION = _bus_now()
"""The event bus before any test module is imported: collecting a module may already build an app and so
wire every subscription (tests/test_tenant_isolation.py lists the routes of create_app())."""


@contextmanager
def _event_bus(start_from: Bus | None = None) -> Iterator[None]:
    """Put the event bus's subscribers back as they were: wiring is process-wide (the API app and the
    CLI wire every declared subscription at start-up), and must not leak into a later test that records
    facts through the services alone (e.g. automatic re-grading on a new fact)."""
    saved = _bus_now()
    if start_from is not None:
        _set_bus(start_from)
    try:
        yield
    finally:
        _set_bus(saved)


@pytest.fixture(autouse=True, scope="module")
def _module_event_bus() -> Iterator[None]:
    """Each module starts from the bus as it was before collection; what a module-scoped fixture wired
    (an app built once for the module) ends with the module."""
    with _event_bus(start_from=_BUS_BEFORE_COLLECTION):
        yield


@pytest.fixture(autouse=True)
def _test_event_bus() -> Iterator[None]:
    """What a test wired (create_app(), a CLI command, registry.wire_subscriptions()) ends with the test."""
    with _event_bus():
        yield


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    """Failed sign-ins and API keys are counted per process (platform/throttle.py): each test starts clean."""
    from arguard.platform import throttle

    throttle.reset_all()
    yield


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("+psycopg", ""), connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - whatever stops a connection (no driver, refused, auth) means "not here"
        return False


BACKENDS = ["sqlite"]
if _pg_available():
    BACKENDS.append("postgresql")
elif os.environ.get("ARGUARD_TEST_POSTGRES") == "required":
    raise RuntimeError("ARGUARD_TEST_POSTGRES=required but PostgreSQL does not answer at " + PG_ADMIN_URL)


def _create_pg_database() -> tuple[str, Callable[[], None]]:
    import psycopg

    name = f"arguard_test_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        db_session._engine.cache_clear()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, drop


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'arguard.db'}"
        return
    url, drop = _create_pg_database()
    yield url
    for engine_url in [url]:
        db_session.get_engine(engine_url).dispose()
    drop()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Engine:
    eng = db_session.get_engine(database_url)
    db_session.migrate(eng)
    return eng


@pytest.fixture
def backend(engine: Engine) -> str:
    return engine.dialect.name


@pytest.fixture
def use_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Point the settings (and so the API, CLI and dashboard) at the test database."""
    from arguard.settings import get_settings

    monkeypatch.setenv("ARGUARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()


def new_company(engine: Engine, base_currency: str = "EUR") -> tuple[int, str]:
    from arguard.platform.service import create_company

    code = "T" + uuid.uuid4().hex[:8].upper()
    with db_session.session_scope(engine) as s:
        return create_company(s, code, f"Test company {code}", base_currency).id, code


@pytest.fixture
def company(engine: Engine) -> tuple[int, str]:
    """A fresh company (id, code) in the test database."""
    return new_company(engine)


@pytest.fixture
def ctx_factory(engine: Engine, company: tuple[int, str]) -> Callable[..., object]:
    @contextmanager
    def make(role: str = "admin", actor: str = "test", company_id: int | None = None) -> Iterator[ServiceContext]:
        with db_session.session_scope(engine) as s:
            ctx = ServiceContext(s, company_id or company[0], actor, role)
            yield ctx
        ctx.run_after_commit()

    return make


@pytest.fixture
def api(use_database: Engine, company: tuple[int, str]):  # type: ignore[no-untyped-def]
    """(client, key_for) — key_for(role, company_id=None) returns an API key for that role."""
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app
    from arguard.platform.service import create_api_key

    def key_for(role: str = "admin", company_id: int | None = None) -> str:
        with db_session.session_scope(use_database) as s:
            return create_api_key(ServiceContext(s, company_id or company[0], "test", "admin"), role)

    with TestClient(create_app()) as client:
        yield client, key_for


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
