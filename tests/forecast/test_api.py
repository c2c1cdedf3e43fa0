"""Forecast and provision routes: authenticated, company-scoped, amounts as decimal strings, saving audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import auth
from tests.forecast.test_provisions import AS_OF, LEDGER
from tests.ledger.ledgerbook import book

pytestmark = pytest.mark.storage


@pytest.fixture(autouse=True)
def _ungraded(monkeypatch: pytest.MonkeyPatch) -> None:
    from arguard.risk import interface

    monkeypatch.setattr(interface, "newest_grades", lambda ctx: {})


def test_cash_in_and_provisions_over_the_api(api: Any, ctx_factory: Any) -> None:
    client, key_for = api
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    viewer = auth(key_for("viewer"))
    r = client.get("/api/v1/forecast/cash-in", params={"as_of": AS_OF.isoformat(), "scenarios": 50}, headers=viewer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["open_total"] == "1400.00" and len(body["weekly"]) == 13
    assert all(isinstance(w["expected"], str) for w in body["weekly"])
    r = client.get("/api/v1/provisions", params={"as_of": AS_OF.isoformat(), "months": 3}, headers=viewer)
    assert r.status_code == 200 and r.json()["total"]["expected_loss"] == "663.32"
    assert client.post("/api/v1/provisions", params={"as_of": AS_OF.isoformat()}, headers=viewer).status_code == 403
    manager = auth(key_for("credit_manager"))
    r = client.post("/api/v1/provisions", params={"as_of": AS_OF.isoformat(), "months": 3}, headers=manager)
    assert r.status_code == 201 and Decimal(r.json()["movement"]) == Decimal("663.32")


def test_bad_input_is_answered_not_crashed(api: Any) -> None:
    client, key_for = api
    headers = auth(key_for("viewer"))
    assert client.get("/api/v1/provisions", params={"as_of": "31.03.2026"}, headers=headers).status_code == 422
    r = client.get("/api/v1/forecast/cash-in", params={"as_of": "2026-03-31"}, headers=headers)
    assert r.status_code == 422 and r.json()["error"] == "empty_ledger"
    assert client.get("/api/v1/provisions", params={"as_of": "2026-03-31"}).status_code == 401
