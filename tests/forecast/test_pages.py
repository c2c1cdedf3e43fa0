"""Stored page results (README rule 9): the forecast page shows the stored answer without recomputing,
says when the book has changed since, and only a credit manager recomputes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from arguard.core.errors import Forbidden
from arguard.forecast import pages
from tests.forecast.test_provisions import AS_OF, LEDGER
from tests.ledger.ledgerbook import book

pytestmark = pytest.mark.storage


@pytest.fixture(autouse=True)
def _ungraded(monkeypatch: pytest.MonkeyPatch) -> None:
    from arguard.risk import interface

    monkeypatch.setattr(interface, "newest_grades", lambda ctx: {})


def _answer(ctx: Any, as_of: date) -> dict[str, Any]:
    return {"forecast": None, "actual": None, "provision": {"currency": "EUR", "as_of": as_of.isoformat()},
            "error": "stand-in"}


def _fail(ctx: Any, as_of: date) -> dict[str, Any]:
    raise AssertionError("the stored answer should have been shown")


def test_the_stored_answer_is_shown_without_recomputing(ctx_factory: Callable,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    monkeypatch.setattr(pages, "compute_page", _answer)
    with ctx_factory() as ctx:
        first = pages.recompute_page(ctx, AS_OF)
    assert first.payload["provision"]["as_of"] == AS_OF.isoformat() and not first.stale
    monkeypatch.setattr(pages, "compute_page", _fail)
    with ctx_factory(role="viewer") as ctx:
        shown = pages.page_result(ctx, AS_OF)
    assert shown.payload == first.payload and not shown.stale and shown.computed_at is not None


def test_a_date_without_a_stored_answer_is_computed_once_and_stored(ctx_factory: Callable,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    monkeypatch.setattr(pages, "compute_page", _answer)
    with ctx_factory(role="viewer") as ctx:
        pages.page_result(ctx, AS_OF)
    monkeypatch.setattr(pages, "compute_page", _fail)
    with ctx_factory(role="viewer") as ctx:
        assert pages.page_result(ctx, AS_OF).payload["error"] == "stand-in"


def test_a_new_grade_makes_the_stored_answer_stale_until_recomputed(ctx_factory: Callable,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from arguard.risk import interface

    with ctx_factory() as ctx:
        book(ctx, LEDGER)
    monkeypatch.setattr(pages, "compute_page", _answer)
    with ctx_factory() as ctx:
        pages.recompute_page(ctx, AS_OF)
    monkeypatch.setattr(interface, "newest_grades", lambda ctx: {"EAST": (7, 0.05)})
    with ctx_factory(role="viewer") as ctx:
        assert pages.page_result(ctx, AS_OF).stale
    with ctx_factory() as ctx:
        pages.recompute_page(ctx, AS_OF)
    with ctx_factory(role="viewer") as ctx:
        assert not pages.page_result(ctx, AS_OF).stale


def test_a_viewer_or_analyst_cannot_recompute(ctx_factory: Callable) -> None:
    for role in ("viewer", "analyst"):
        with ctx_factory(role=role) as ctx, pytest.raises(Forbidden):
            pages.recompute_page(ctx, AS_OF)
