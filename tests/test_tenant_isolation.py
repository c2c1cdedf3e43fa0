"""Tenant isolation through the API, for every route of the OpenAPI document.

Company A gets one object of each kind through the services (SEEDERS, in tests/tenant_seed.py). For every
`/api/v1/...` route and method the test proves that
  (a) without a key (and with a wrong key) the route answers 401 — except OPEN_ROUTES;
  (b) a fresh company B's *admin* key, calling the route with A's identifiers in the path, query and body,
      never reaches A: reads of A's objects answer 403/404, lists and reports show none of A's marker
      strings, and afterwards every company-scoped row of A (its audit chain included) is unchanged;
  (c) every such call reaches the service: it answers 2xx on B's own data or a domain refusal (400/403/404/
      409/422 with the service's error code in the one error format) — never FastAPI's request validation
      (422 `invalid_request`), which would prove nothing about the service's company scoping — and, for
      the routes in ANSWERS, exactly what that route must answer (e.g. B's own setting stored in B).

How to keep it passing when you add routes (one entry each, nothing else to edit):
- a seeder in tests/tenant_seed.py SEEDERS that creates your objects for A through your service and
  records their identifiers with `seed.add(name, value)` / `seed.add_id(name, row_id)` (a string that
  only A's data contains becomes a marker);
- a filler in FILLERS for each new path parameter / query parameter / body field name whose value should
  be one of A's identifiers (the name of an identifier recorded by a seeder, or a function of the seed);
- a request in BODIES where a route needs more than a JSON body built from its schema (file uploads, or a
  body the schema or the service's first check would refuse: a policy file, a rule file, a ratio below 1);
- an entry in ANSWERS where a scoping bug would still answer with no marker and change none of A's rows
  (B's setting stored over A's, a conflict with A's rate): say what B's call must answer.
Every path parameter of every route must have a filler and a seeded value: a route that names its own
objects in the path is walked with A's, or the test fails. Routes of the ledger and the platform must be
fully covered (the test fails); another capability's route whose body the test cannot build, or that
answers 500, is reported as a warning naming what to add. Any route answered by request validation fails,
unless SCHEMA_VALIDATION_EXEMPT names it with the reason it cannot reach the service by design.
"""

from __future__ import annotations

import io
import json
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select

from arguard.db import session as db_session
from arguard.platform.context import ServiceContext
from tests.conftest import auth, new_company
from tests.tenant_seed import AS_OF, DUNNING_POLICY, INSURANCE_POLICY, SEEDERS, Seed

OPEN_ROUTES = {("GET", "/api/v1/health")}
STRICT_MODULES = ("arguard.ledger.", "arguard.platform.", "arguard.api.")
"""Routes defined in these modules must be fully covered; others only warn when they cannot be filled."""


class IsolationGap(UserWarning):
    """A route the isolation test cannot exercise yet (add a filler, a seeder or a body)."""


# ---------------------------------------------------------------- fillers: parameter / field name → A's value

def _ids(name: str) -> Callable[[Seed, str | None], Any]:
    return lambda seed, schema_type: seed.value(name, schema_type)


def _const(value: Any) -> Callable[[Seed, str | None], Any]:
    return lambda seed, schema_type: value


FILLERS: dict[str, Callable[[Seed, str | None], Any]] = {
    # customers
    "code": _ids("customer_code"), "customer_code": _ids("customer_code"), "customer": _ids("customer_code"),
    "customer_id": _ids("customer_code"),
    # documents
    "number": _ids("invoice_number"), "invoice_number": _ids("invoice_number"),
    "invoice": _ids("invoice_number"), "invoice_id": _ids("invoice_number"),
    "invoice_numbers": lambda seed, _t: [seed.ids["invoice_number"]],
    "credit_note_number": _ids("credit_note_number"),
    # payments and allocations
    "payment_id": _ids("payment_external_id"), "external_id": _ids("payment_external_id"),
    "payment": _ids("payment_external_id"), "allocation_id": _ids("allocation_id"),
    # plain values that are nobody's identifiers
    "kind": _const("invoices"), "format": _const("json"), "currency": _const("EUR"),
    "as_of": _const(AS_OF.isoformat()), "amount": _const("1.00"), "reason": _const("isolation test"),
    "search": _ids("customer_code"), "open_amount": _const("1.00"), "rate": _const("1.10"),
    "country": _const("DE"), "default_buyer": _ids("customer_code"),
    # limits and monitoring
    "order_id": _ids("order_id"), "webhook_id": _ids("webhook_id"), "alert_id": _ids("alert_id"),
    "username": _ids("username"),
    # reconciliation
    "statement_id": _ids("statement_id"), "proposal_id": _ids("proposal_id"), "mapping_name": _ids("mapping_name"),
    "residual_id": _ids("residual_id"),
    # collections (a body's `request_id` of a limit decision gets the write-off request's id too: any id of A's)
    "action_id": _ids("action_id"), "task_id": _ids("task_id"), "case_id": _ids("case_id"),
    "dispute_id": _ids("dispute_id"), "request_id": _ids("writeoff_request_id"),
    # credit insurance
    "policy_number": _ids("policy_number"), "declaration_id": _ids("declaration_id"), "claim_id": _ids("claim_id"),
    "action": _const("pay"),
}
"""Values for names that appear as path parameters, query parameters or JSON body fields."""

BODIES: dict[tuple[str, str], Callable[[Seed], dict[str, Any]]] = {
    # valid bodies about A's buyer where the generic one is refused before the service looks anything up
    ("POST", "/api/v1/customers"): lambda seed: {"json": {  # B's buyer with A's code, under A's buyer as parent
        "customer_id": seed.ids["customer_code"], "name": "B's buyer", "country": "DE", "currency": "EUR",
        "parent_id": seed.ids["customer_code"]}},
    ("POST", "/api/v1/webhooks"): lambda seed: {"json": {
        "url": "https://hooks.isolation.example/b", "secret": "isolation-secret-of-b", "event_types": ["alert.raised"]}},
    ("POST", "/api/v1/collections/cases"): lambda seed: {"json": {
        "customer_id": seed.ids["customer_code"], "kind": "agency", "on": AS_OF.isoformat()}},
    ("PUT", "/api/v1/insurance/buyers/{customer}/tags"): lambda seed: {"json": {"tag": "affiliate", "on": True}},
    ("POST", "/api/v1/limits/requests"): lambda seed: {"json": {
        "customer": seed.ids["customer_code"], "kind": "insured", "amount": "100.00", "on": AS_OF.isoformat()}},
    ("POST", "/api/v1/limits/decisions"): lambda seed: {"json": {  # answering A's insured-limit request
        "customer": seed.ids["customer_code"], "kind": "insured", "status": "approved", "amount": "100.00",
        "reason": "isolation", "on": AS_OF.isoformat(), "request_id": seed.ids["insured_request_id:int"]}},
    ("POST", "/api/v1/fx-rates"): lambda seed: {"json": {  # A has EUR/USD 1.2345 that day: B gets its own
        "base": "EUR", "quote": "USD", "rate": "1.10", "valid_on": AS_OF.isoformat()}},
    ("PUT", "/api/v1/ledger/materiality"): lambda seed: {"json": {  # A's tolerance is EUR 20 / 2 %
        "amount": "10.00", "share": "0.01", "reason": "isolation"}},
    ("POST", "/api/v1/ledger/leftovers/write-off"): lambda seed: {"json": {  # A's immaterial leftover
        "reason": "isolation", "as_of": AS_OF.isoformat(), "customer": seed.ids["customer_code"],
        "numbers": [seed.ids["leftover_number"]]}},
    ("PUT", "/api/v1/limits/appetite"): lambda seed: {"json": {  # A caps its buyer at 7777.00
        "scope": "buyer", "key": seed.ids["customer_code"], "amount": "1000.00", "reason": "isolation"}},
    ("PUT", "/api/v1/monitor/rules"): lambda seed: {"json": {"text": _monitor_rules("B's rules")}},
    ("PUT", "/api/v1/collections/policy"): lambda seed: {"json": {  # A's policy's name, another threshold
        "yaml": DUNNING_POLICY.format(tag=seed.tag).replace('"50.00"', '"60.00"')}},
    ("POST", "/api/v1/insurance/policies"): lambda seed: {"json": {  # A's policy number, another insurer
        "text": INSURANCE_POLICY.format(tag=seed.tag).replace("Alpha Insurer", "Beta Insurer")}},
    ("POST", "/api/v1/portfolio/simulate"): lambda seed: {"json": {  # a posted book naming A's buyer
        "buyers": [{"id": seed.ids["customer_code"], "pd": 0.02, "ead": 1000.0, "lgd": 0.45, "country": "DE",
                    "sector": "isolation"}], "method": "vasicek", "correlation": {"rho": 0.1}}},
    ("POST", "/api/v1/risk/statements/import"): lambda seed: {"files": {"file": ("statements.csv", (
        "customer_code,fiscal_year,fiscal_year_end,currency,total_assets,sales\n"
        f"{seed.ids['customer_code']},2024,2024-12-31,EUR,1000000,2500000\n").encode(), "text/csv")}},
    ("POST", "/api/v1/orders"): lambda seed: {"json": {  # A's order id for A's buyer, shipped
        "orders": [{"order_id": seed.ids["order_id"], "customer": seed.ids["customer_code"], "amount": "100.00",
                    "currency": "EUR", "ship_date": AS_OF.isoformat(), "status": "shipped"}],
        "as_of": AS_OF.isoformat()}},
    ("POST", "/api/v1/imports/{kind}"): lambda seed: {"files": {"file": ("invoices.csv", (
        "invoice_number,customer_id,issue_date,due_date,currency,amount\n"
        f"{seed.ids['invoice_number']},{seed.ids['customer_code']},2025-05-01,2025-05-31,EUR,5.00\n"
    ).encode(), "text/csv")}},
    ("POST", "/api/v1/bank-statements"): lambda seed: {"files": {"file": ("b.sta", (
        ":20:B\r\n:25:NL34RABO0142623393 EUR\r\n:28C:1/1\r\n:60F:C250620EUR0,00\r\n"
        ":61:2506200620C600,00NTRFNONREF//B1\r\n"
        f":86:/NAME/A PAYER/REMI/{seed.ids['invoice_number']}\r\n:62F:C250620EUR600,00\r\n-\r\n").encode(),
        "text/plain")}},
    ("POST", "/api/v1/events"): lambda seed: {"json": {  # a valid event about A's buyer (else only 422s)
        "type": "insolvency.filing", "customer_id": seed.ids["customer_code"], "occurred_on": AS_OF.isoformat(),
        "details": {"court": "isolation"}, "external_id": f"A-EV-{seed.tag}"}},
    ("POST", "/api/v1/events/import"): lambda seed: {"files": {"file": ("events.csv", (
        "type,customer_id,occurred_on,external_id,headline\n"
        f"news.negative,{seed.ids['customer_code']},{AS_OF.isoformat()},A-EV-{seed.tag},isolation\n").encode(),
        "text/csv")}},
}
"""Whole request arguments (`json=`, `files=`, `data=`) for routes whose body is not plain JSON, or whose
body built from the schema would be refused (by the schema or by the service's first check) before the
service looks for anything of A's."""


def _monitor_rules(note: str) -> str:
    from arguard.monitor.service import DEFAULT_RULES

    return DEFAULT_RULES + f"\n# {note}\n"


@dataclass(frozen=True)
class Answer:
    """What another company's call must answer: `statuses` such as "200" or "422 empty_ledger" (status and
    error code), and `check`, a condition on the JSON answer that a company-scoping bug would break."""

    statuses: tuple[str, ...]
    check: Callable[[Any], bool] | None = None


ANSWERS: dict[tuple[str, str], Answer] = {
    # B's own settings, stored in B: a rate, tolerance, cap, rule file or policy looked up without the
    # company would find A's (a conflict, A's cap or rule version in the answer, `created` false).
    ("POST", "/api/v1/fx-rates"): Answer(("200",)),
    ("PUT", "/api/v1/ledger/materiality"): Answer(("200",), lambda j: j["amount"] == "10.00"),
    ("PUT", "/api/v1/limits/appetite"): Answer(("200",), lambda j: [c["amount"] for c in j["caps"]] == ["1000.00"]),
    ("PUT", "/api/v1/monitor/rules"): Answer(("200",), lambda j: j["version"] == 1),
    ("PUT", "/api/v1/collections/policy"): Answer(("200",)),
    ("POST", "/api/v1/insurance/policies"): Answer(("200",), lambda j: j["created"] is True),
    # nothing of B's to act on: A's leftover is not B's, A's buyer not B's, B's ledger is empty
    ("POST", "/api/v1/ledger/leftovers/write-off"): Answer(("422 not_a_leftover",)),
    ("POST", "/api/v1/risk/statements/import"): Answer(("200",), lambda j: j["stored"] == 0 and len(j["issues"]) == 1),
    ("POST", "/api/v1/orders"): Answer(("200",), lambda j: j["results"] == [] and len(j["issues"]) == 1),
    ("POST", "/api/v1/portfolio/simulate"): Answer(("200",)),  # stores nothing: the posted book only
    ("GET", "/api/v1/forecast/cash-in"): Answer(("422 empty_ledger",)),  # docs/api.md, issue 15
    ("GET", "/api/v1/portfolio/insurance-value"): Answer(("422 empty_book",)),  # docs/api.md, portfolio
}
"""Routes where the mere absence of a leak is not enough: what another company's call must answer."""

DOMAIN_REFUSALS = {400, 403, 404, 409, 422}
"""Statuses of a refusal by the service (with its domain error code in the one error format)."""

SCHEMA_VALIDATION_EXEMPT: dict[tuple[str, str], str] = {
    # (method, path): why the route cannot reach the service by design. Empty: every route's walk gets
    # past FastAPI's request validation (a body in BODIES or fillers that fit the schema).
}
"""Routes allowed to be answered by request-schema validation (422 `invalid_request`) in the walk."""


# ---------------------------------------------------------------- the world: A seeded, an app on the test database

@dataclass
class World:
    engine: Engine
    client: Any
    openapi: dict[str, Any]
    modules: dict[tuple[str, str], str]
    company_a: int
    seed: Seed
    snapshot: dict[str, list[tuple[Any, ...]]]
    gaps: list[str] = field(default_factory=list)

    reader_key: str | None = None

    def key_of_new_company(self) -> str:
        from arguard.platform.service import create_api_key

        company_b, _ = new_company(self.engine)
        with db_session.session_scope(self.engine) as s:
            return create_api_key(ServiceContext(s, company_b, "test", "admin"), "admin")

    def key_for(self, method: str) -> str:
        """Reads share one other company; each write gets a fresh one, so that what an earlier write
        created in B (e.g. a customer with A's code) cannot be mistaken for A's object."""
        if method != "GET":
            return self.key_of_new_company()
        if self.reader_key is None:
            self.reader_key = self.key_of_new_company()
        return self.reader_key


def company_rows(engine: Engine, company_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every company-scoped row of one company, table by table, in primary-key order (pending audit
    entries sealed first: the server's sealer may move them into the chain at any moment)."""
    import arguard.db.models  # noqa: F401  (every capability's tables)
    from arguard.db.base import Base
    from arguard.platform.sealing import seal_audit

    with db_session.session_scope(engine) as s:
        seal_audit(s, company_id)
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if "company_id" not in table.c:
                continue
            q = select(table).where(table.c.company_id == company_id).order_by(*table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(q)]
    return out


def _route_modules(app: Any) -> dict[tuple[str, str], str]:
    """(method, full path) → module of the endpoint, through included routers at any depth (FastAPI
    may keep an included router as one entry holding the original router and its prefix)."""
    found: dict[tuple[str, str], str] = {}

    def walk(routes: Any, prefix: str) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes, prefix + getattr(route.include_context, "prefix", ""))
            elif getattr(route, "endpoint", None) is not None:
                for method in getattr(route, "methods", None) or ():
                    found[(method, prefix + route.path)] = route.endpoint.__module__

    walk(app.routes, "")
    return found


def api_operations() -> list[tuple[str, str]]:
    from arguard.api.app import create_app

    paths = create_app().openapi()["paths"]
    return sorted((method.upper(), path) for path, ops in paths.items() if path.startswith("/api/v1/")
                  for method in ops if method in {"get", "post", "put", "patch", "delete"})


@pytest.fixture(scope="module")
def world(engine: Engine) -> Iterator[World]:
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app
    from arguard.settings import get_settings

    company_a, _ = new_company(engine)
    seed = Seed(tag=uuid.uuid4().hex[:8])
    for capability, seeder in SEEDERS.items():
        try:
            with db_session.session_scope(engine) as s:
                seeder(ServiceContext(s, company_a, "seed", "admin"), seed)
        except Exception as exc:  # another capability's seeder broken mid-work must not hide the others
            if capability.split()[0] in {"ledger", "platform"}:
                raise
            warnings.warn(f"seeder {capability!r} failed: {exc!r}", IsolationGap, stacklevel=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARGUARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        mp.setenv("ARGUARD_MONITOR_SCHEDULER", "off")
        # The server's delivery worker would try A's queued webhook and e-mail in the background and so
        # change A's rows while the walk compares them with the snapshot (a race, not a crossing).
        from arguard.monitor.delivery import DeliveryWorker

        mp.setattr(DeliveryWorker, "start", lambda self: self)
        get_settings.cache_clear()
        app = create_app()
        with TestClient(app, raise_server_exceptions=False) as client:  # a crash is a 500 to report
            yield World(engine, client, app.openapi(), _route_modules(app), company_a, seed,
                        company_rows(engine, company_a))
    get_settings.cache_clear()


# ---------------------------------------------------------------- building a request from the OpenAPI document

class CannotFill(Exception):
    pass


class UnfilledPathParameter(CannotFill):
    """A path parameter with no filler, or with no value of A's: the route would not be walked (a failure)."""


def unfilled_path_parameters(doc: dict[str, Any]) -> list[str]:
    """`METHOD path: {name}` for every path parameter of an /api/v1 operation that FILLERS does not name."""
    return sorted(f"{method.upper()} {path}: {{{param['name']}}}"
                  for path, ops in doc["paths"].items() if path.startswith("/api/v1/")
                  for method, op in ops.items() if method in {"get", "post", "put", "patch", "delete"}
                  for param in op.get("parameters", [])
                  if param["in"] == "path" and param["name"] not in FILLERS)


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [_resolve(doc, s) for s in schema[key] if s.get("type") != "null"]
            return options[0] if options else {"type": "null"}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(doc, schema["allOf"][0])
    return schema


def _example(doc: dict[str, Any], schema: dict[str, Any], name: str, seed: Seed) -> Any:
    """A value for a field: A's identifier when the name has a filler, else a plain valid value."""
    schema = _resolve(doc, schema)
    kind = schema.get("type")
    if name in FILLERS:
        value = FILLERS[name](seed, kind)
        if "enum" not in schema or value in schema["enum"]:  # a filler's plain value may not fit (`kind`)
            return [value] if kind == "array" and not isinstance(value, list) else value
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: _example(doc, v, k, seed) for k, v in props.items()}
    if kind == "array":
        return [_example(doc, schema.get("items", {}), name.rstrip("s"), seed)]
    if kind == "integer":
        return 1
    if kind == "number":
        return "1.00"
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date":
        return AS_OF.isoformat()
    if fmt == "date-time":
        return f"{AS_OF.isoformat()}T12:00:00Z"
    if kind == "string" or kind is None:
        return "isolation"
    raise CannotFill(f"field {name!r} of type {kind!r}")


def _multipart(doc: dict[str, Any], schema: dict[str, Any], seed: Seed) -> dict[str, Any]:
    """A form whose file fields carry a small CSV naming A's objects (an upload that tries to reach them)."""
    schema = _resolve(doc, schema)
    files, data = {}, {}
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(doc, prop)
        if prop.get("format") == "binary" or "contentMediaType" in prop:
            text = ("customer_id,invoice_number,payment_id,date,amount,currency\n"
                    f"{seed.ids['customer_code']},{seed.ids['invoice_number']},{seed.ids['payment_external_id']},"
                    f"{AS_OF.isoformat()},1.00,EUR\n")
            files[name] = (f"{name}.csv", text.encode(), "text/csv")
        else:
            data[name] = str(_example(doc, prop, name, seed))
    return {"files": files, "data": data} if data else {"files": files}


@dataclass
class Call:
    method: str
    url: str
    kwargs: dict[str, Any]
    uses_a_ids: bool
    sent: str


def build_call(world: World, method: str, path: str) -> Call:
    doc, seed = world.openapi, world.seed
    op = doc["paths"][path][method.lower()]
    url, query, a_ids = path, {}, False
    for param in op.get("parameters", []):
        name, where = param["name"], param["in"]
        schema = _resolve(doc, param.get("schema", {}))
        if where == "path":
            if name not in FILLERS:
                raise UnfilledPathParameter(f"path parameter {{{name}}}: add a filler for {name!r} in FILLERS "
                                            "and a seeder of A's object in tests/tenant_seed.py")
            try:
                value = _example(doc, schema, name, seed)
            except KeyError as exc:
                raise UnfilledPathParameter(f"path parameter {{{name}}}: A has no {exc.args[0]!r} (its seeder in "
                                            "tests/tenant_seed.py failed or records none)") from None
            a_ids |= value in seed.ids.values()
            url = url.replace("{" + name + "}", str(value))
        elif where == "query" and (name in FILLERS or param.get("required")):
            value = _example(doc, schema, name, seed)
            query[name] = value
    kwargs: dict[str, Any] = {"params": query}
    if (method, path) in BODIES:
        kwargs.update(BODIES[(method, path)](seed))
    elif "requestBody" in op:
        content = op["requestBody"].get("content", {})
        if "application/json" in content:
            kwargs["json"] = _example(doc, content["application/json"].get("schema", {}), "", seed)
        elif "multipart/form-data" in content:
            kwargs.update(_multipart(doc, content["multipart/form-data"].get("schema", {}), seed))
        elif op["requestBody"].get("required"):
            raise CannotFill(f"request body {sorted(content)}: add a request in BODIES")
    sent = url + json.dumps(query, default=str) + json.dumps(kwargs.get("json"), default=str) + repr(
        kwargs.get("files", "")) + repr(kwargs.get("data", ""))
    return Call(method, url, kwargs, a_ids, sent)


def visible_text(response: Any) -> str:
    """The response as text; an XLSX (zip) is opened so that its cells count too."""
    body = response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return body.decode("utf-8", "replace")


def _strict(world: World, method: str, path: str) -> bool:
    return world.modules.get((method, path), "").startswith(STRICT_MODULES)


def _gap(world: World, method: str, path: str, message: str) -> None:
    text = f"{method} {path}: {message}"
    if _strict(world, method, path):
        pytest.fail(text)
    warnings.warn(text, IsolationGap, stacklevel=2)


# ---------------------------------------------------------------- the tests

OPERATIONS = api_operations()


def test_the_walk_sees_the_ledger_and_platform_routes() -> None:
    from arguard.api.app import create_app

    paths = {p for _, p in OPERATIONS}
    assert "/api/v1/me" in paths and "/api/v1/health" in paths
    modules = _route_modules(create_app())
    unknown = [op for op in OPERATIONS if op not in modules]
    assert not unknown, f"cannot tell which module defines {unknown}: strictness would be lost"
    strict = [op for op in OPERATIONS if modules[op].startswith(STRICT_MODULES)]
    assert ("GET", "/api/v1/me") in strict
    print(f"tenant isolation walks {len(OPERATIONS)} operations, {len(strict)} of the ledger and platform")


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_route_needs_a_key(world: World, method: str, path: str) -> None:
    if (method, path) in OPEN_ROUTES:
        assert world.client.request(method, path).status_code == 200
        return
    url = path
    for name in [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]:
        url = url.replace("{" + name + "}", "x")
    for headers in ({}, auth("ag_not-a-real-key")):
        r = world.client.request(method, url, headers=headers)
        assert r.status_code == 401, f"{method} {path} without a valid key answered {r.status_code}: {r.text[:200]}"


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_another_company_never_reaches_a(world: World, method: str, path: str) -> None:
    if (method, path) in OPEN_ROUTES:
        return
    walk(world, method, path)


def walk(world: World, method: str, path: str) -> None:
    """Call one route as another company's admin with A's identifiers; fail if it reaches A."""
    try:
        call = build_call(world, method, path)
    except UnfilledPathParameter as exc:
        pytest.fail(f"{method} {path} is not walked: {exc}")
    except (CannotFill, KeyError) as exc:
        _gap(world, method, path, f"cannot build the request: {exc}")
        return
    key_b = world.key_for(method)
    r = world.client.request(call.method, call.url, headers=auth(key_b), **call.kwargs)
    where = f"{method} {call.url} as another company's admin"
    if r.status_code >= 500:
        _gap(world, method, path, f"answered {r.status_code}: {r.text[:300]}")
        return
    check_answer(method, path, where, r)
    if call.uses_a_ids and method == "GET":
        assert r.status_code in (403, 404), f"{where} read A's object: {r.status_code} {r.text[:300]}"
    leaked = {m for m in world.seed.markers if m not in call.sent and m in visible_text(r)}
    assert not leaked, f"{where} saw A's data {sorted(leaked)}: {r.text[:300]}"
    after = company_rows(world.engine, world.company_a)
    changed = [t for t in after if after[t] != world.snapshot.get(t, [])]
    assert not changed, f"{where} changed A's rows in {changed} (answered {r.status_code})"


def _error_code(response: Any) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def check_answer(method: str, path: str, where: str, r: Any) -> None:
    """The call reached the service: not refused by request validation (the walk would prove nothing
    about the company's scoping), a 2xx or a domain refusal in the one error format, and what ANSWERS
    expects of the route."""
    code = _error_code(r)
    if r.status_code == 422 and code == "invalid_request" and (method, path) not in SCHEMA_VALIDATION_EXEMPT:
        pytest.fail(f"{where} was refused by request validation before the service ran, so the walk proves "
                    f"nothing about its company scoping: add a valid body in BODIES (or fillers that fit): "
                    f"{r.text[:300]}")
    if r.status_code >= 300:
        assert r.status_code in DOMAIN_REFUSALS and code, (
            f"{where} answered {r.status_code} outside the one error format or a domain refusal: {r.text[:300]}")
    expected = ANSWERS.get((method, path))
    if expected is None:
        return
    got = f"{r.status_code} {code}" if r.status_code >= 300 else str(r.status_code)
    assert got in expected.statuses, f"{where} answered {got}, expected {expected.statuses}: {r.text[:300]}"
    assert expected.check is None or expected.check(r.json()), f"{where} answered {r.text[:300]}"


def test_every_path_parameter_has_a_filler() -> None:
    """A route whose path names an object is walked with A's object of that kind: no filler, no route."""
    from arguard.api.app import create_app

    missing = unfilled_path_parameters(create_app().openapi())
    assert not missing, ("add a filler in FILLERS (and a seeder of A's object in tests/tenant_seed.py) for "
                         + "; ".join(missing))


def test_a_planted_route_without_a_filler_fails_the_walk(world: World) -> None:
    """A new route of any capability with a path parameter nobody fills fails both checks, and so does a
    filled one whose seeder records nothing for A."""
    from dataclasses import replace

    from fastapi import APIRouter

    from arguard.api.app import create_app

    planted = APIRouter()

    @planted.get("/api/v1/planted/{gizmo_id}")
    def gizmo(gizmo_id: int) -> dict[str, int]:
        return {"id": gizmo_id}

    @planted.get("/api/v1/planted/cases/{case_id}")
    def case(case_id: int) -> dict[str, int]:
        return {"id": case_id}

    app = create_app()
    app.include_router(planted)
    doc = app.openapi()
    assert unfilled_path_parameters(doc) == ["GET /api/v1/planted/{gizmo_id}: {gizmo_id}"]
    modules = {**world.modules, ("GET", "/api/v1/planted/{gizmo_id}"): "arguard.planted.api",
               ("GET", "/api/v1/planted/cases/{case_id}"): "arguard.planted.api"}  # not a strict module
    with_plant = replace(world, openapi=doc, modules=modules)
    with pytest.raises(pytest.fail.Exception, match=r"add a filler for 'gizmo_id'"):
        walk(with_plant, "GET", "/api/v1/planted/{gizmo_id}")
    no_cases = Seed(world.seed.tag, {k: v for k, v in world.seed.ids.items() if not k.startswith("case_id")},
                    set(world.seed.markers))
    with pytest.raises(pytest.fail.Exception, match=r"A has no 'case_id'"):
        walk(replace(with_plant, seed=no_cases), "GET", "/api/v1/planted/cases/{case_id}")


class PlantedRatio(BaseModel):
    """The body of a planted route that the generic builder cannot fill validly ("1.00", "isolation")."""

    ratio: float = Field(lt=1)
    code: str = Field(pattern=r"^[A-Z]{3}$")


def test_a_route_refused_by_request_validation_fails_the_walk(world: World) -> None:
    """A planted route whose body the generic builder fills with values its schema refuses (a ratio below
    1, a name pattern) fails the walk, whatever its module: it never reached the service."""
    from dataclasses import replace

    from fastapi import APIRouter
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app

    planted = APIRouter()

    @planted.post("/api/v1/planted/ratio")
    def ratio(body: PlantedRatio) -> dict[str, float]:
        return {"ratio": body.ratio}

    app = create_app()
    app.include_router(planted)

    route = ("POST", "/api/v1/planted/ratio")
    with TestClient(app, raise_server_exceptions=False) as client:
        with_plant = replace(world, client=client, openapi=app.openapi(),
                             modules={**world.modules, route: "arguard.planted.api"})  # not a strict module
        with pytest.raises(pytest.fail.Exception, match=r"refused by request validation .* add a valid body"):
            walk(with_plant, *route)
        SCHEMA_VALIDATION_EXEMPT[route] = "planted: the exemption list lets a route through"
        try:
            walk(with_plant, *route)
        finally:
            del SCHEMA_VALIDATION_EXEMPT[route]


def test_a_still_sees_its_own_data(world: World) -> None:
    """The seed is visible to A itself, so the checks above are not vacuous."""
    from arguard.platform.service import create_api_key

    with db_session.session_scope(world.engine) as s:
        key_a = create_api_key(ServiceContext(s, world.company_a, "test", "admin"), "viewer")
        admin_a = create_api_key(ServiceContext(s, world.company_a, "test", "admin"), "admin")
    me = world.client.get("/api/v1/me", headers=auth(key_a)).json()
    assert me["company_id"] == world.company_a
    code = world.seed.ids["customer_code"]
    if ("GET", "/api/v1/customers/{code}") in {(m, p) for m, p in OPERATIONS}:
        r = world.client.get(f"/api/v1/customers/{code}", headers=auth(key_a))
        assert r.status_code == 200 and world.seed.ids["customer_name"] in r.text
    # Every read of one of A's objects that another company was refused answers A itself.
    refused_to_a = []
    for method, path in OPERATIONS:
        if method == "GET" and "{" in path:
            call = build_call(world, method, path)
            r = world.client.request(method, call.url, headers=auth(admin_a), **call.kwargs)
            if r.status_code != 200:
                refused_to_a.append(f"{call.url} {r.status_code} {r.text[:120]}")
    assert not refused_to_a, f"A cannot read its own objects: {refused_to_a}"
    # Creating A's key above added rows to A (api key, audit entry): refresh the snapshot for later tests.
    world.snapshot = company_rows(world.engine, world.company_a)
