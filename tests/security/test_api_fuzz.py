"""The API fuzzer (issue 11): every /api/v1 operation of the OpenAPI document, with inputs schemathesis
generates from it — valid ones (positive) and ones that break the schema (negative: wrong types, huge
numbers, missing fields, odd strings) — on SQLite and PostgreSQL, as an admin of a seeded company.

Checks: never an HTTP 500, and every error answered in the one documented format
(`{"error": code, "message": text, ...}`, never pydantic's `{"detail": [...]}`).

The operations are read from the document, so routes other capabilities add are fuzzed without a
change here. ARGUARD_FUZZ_EXAMPLES (default 4 per mode and operation) and ARGUARD_FUZZ_SEED (printed)
tune a run; `make test` runs the default, which takes a few minutes on two cores.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from sqlalchemy import Engine

from arguard.db import session as db_session
from arguard.platform.context import ServiceContext
from tests.conftest import new_company

EXAMPLES = int(os.environ.get("ARGUARD_FUZZ_EXAMPLES", "4"))
SEED = int(os.environ.get("ARGUARD_FUZZ_SEED", "20261204"))
SKIPPED: dict[tuple[str, str], str] = {}
"""(method, path) → why an operation is left out of the fuzzer (none today)."""


def api_operations() -> list[tuple[str, str]]:
    from arguard.api.app import create_app

    paths = create_app().openapi()["paths"]
    return sorted((method.upper(), path) for path, ops in paths.items() if path.startswith("/api/v1/")
                  for method in ops if method in {"get", "post", "put", "patch", "delete"}
                  and (method.upper(), path) not in SKIPPED)


@dataclass
class FuzzWorld:
    schema: Any
    headers: dict[str, str]


@pytest.fixture(scope="module")
def fuzz_world(engine: Engine) -> Iterator[FuzzWorld]:
    import schemathesis

    from arguard.api.app import create_app
    from arguard.platform.service import create_api_key
    from arguard.settings import get_settings
    from tests.ledger.ledgerbook import book

    company_id, _ = new_company(engine)
    with db_session.session_scope(engine) as s:
        ctx = ServiceContext(s, company_id, "fuzz", "admin")
        key = create_api_key(ctx, "admin", "fuzzer")
        book(ctx, LEDGER)
    print(f"fuzzer: seed {SEED}, {EXAMPLES} examples per mode and operation, company {company_id}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARGUARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        mp.setenv("ARGUARD_MONITOR_SCHEDULER", "off")
        get_settings.cache_clear()
        app = create_app()
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        try:
            yield FuzzWorld(schema, {"Authorization": f"Bearer {key}"})
        finally:
            # schemathesis starts the app's lifespan (its audit sealer thread) with the first call and keeps
            # it for the process; end it here, while the database is still there (its pytest plugin, which
            # did this after each test, is off: pyproject.toml)
            from schemathesis.python import asgi

            asgi.shutdown_lifespans()
    get_settings.cache_clear()


LEDGER = """
customer ACME DE EUR
customer BETA CN USD zh-CN
invoice INV-1 ACME 2026-01-05 due 2026-02-04 1200.00 EUR
invoice INV-2 BETA 2026-02-01 due 2026-04-01 5000.00 USD
payment PAY-1 ACME 2026-02-10 700.00 EUR -> INV-1
"""


def check_response(method: str, path: str, response: Any, case: Any) -> None:
    where = f"{method} {path} → {response.status_code}\n{case.as_curl_command()}"
    assert response.status_code < 500, f"server error: {where}\n{response.text[:500]}"
    if response.status_code >= 400:
        try:
            body = response.json()
        except ValueError:
            raise AssertionError(f"an error that is not JSON: {where}\n{response.text[:300]}") from None
        assert isinstance(body, dict) and {"error", "message"} <= set(body) and "detail" not in body, \
            f"an error outside the documented format: {where}\n{body}"


@pytest.mark.slow
@pytest.mark.parametrize("method,path", api_operations())
def test_operation_survives_the_fuzzer(fuzz_world: FuzzWorld, method: str, path: str) -> None:
    from schemathesis import GenerationMode

    operation = fuzz_world.schema[path][method]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategy = operation.as_strategy(generation_mode=mode)

        @seed(SEED)
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case: Any) -> None:
            response = case.call(headers=fuzz_world.headers)
            check_response(method, path, response, case)

        try:
            run()
        except Unsatisfiable:
            # No input of this mode exists (e.g. a negative case for a route whose only parameter is any
            # string): nothing to send.
            continue


def test_the_fuzzer_sees_every_capability_route() -> None:
    """A route added by any capability is in the document and so in the fuzzer (a guard on SKIPPED)."""
    ops = api_operations()
    assert len(ops) > 40 and not SKIPPED
    assert ("POST", "/api/v1/customers") in ops and ("POST", "/api/v1/webhooks") in ops
    assert uuid.UUID(int=SEED % 2**128)  # the seed is a plain integer, printed with the run


BROKEN_BODIES = [b'{"a":', b"\xff\xfe\x00", b"[" * 5000 + b"]" * 5000, b'{"x": 1e999999}', b"null", b'"\\u0000"']


def test_broken_json_bodies_to_every_operation_that_takes_json(api) -> None:  # type: ignore[no-untyped-def]
    """Bodies that are not JSON at all, or nested deeper than any parser should go: a 4xx in the format."""
    client, key_for = api
    headers = {"Authorization": f"Bearer {key_for('admin')}", "Content-Type": "application/json"}
    doc = client.app.openapi()
    for path, ops in doc["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, op in ops.items():
            if "application/json" not in op.get("requestBody", {}).get("content", {}):
                continue
            url = path.replace("{", "").replace("}", "")  # any path parameter: its own name as the value
            for body in BROKEN_BODIES:
                r = client.request(method.upper(), url, content=body, headers=headers)
                assert r.status_code < 500, (method, path, body[:20], r.text[:300])
                if r.status_code >= 400:
                    assert {"error", "message"} <= set(r.json()), (method, path, r.text[:300])
