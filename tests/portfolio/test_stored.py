"""The portfolio page's answer is stored per exact inputs (README rule 13): a reload reads it back without
simulating; other cover terms or a changed book are simulated afresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.assess.test_assess import AS_OF, _ledger

pytestmark = pytest.mark.storage


def _fail(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the stored answer should have been read")


def test_the_page_answer_is_read_back_and_other_terms_are_simulated(ctx_factory: Callable[..., Any],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from arguard.portfolio import service

    monkeypatch.setattr(service, "PAGE_SETTINGS", service.SimulationSettings(min_scenarios=4_096, chunk=2_048))
    monkeypatch.setattr(service, "insurance_value", lambda book, corr, cover, settings: {"indemnity": cover.indemnity})
    with ctx_factory() as ctx:
        _ledger(ctx)
    with ctx_factory(role="viewer") as ctx:
        first = service.page_answer(ctx, service.stored_book(ctx, AS_OF), AS_OF)
    assert first["answer"]["buyers"] == 5 and first["insurance"] == {"indemnity": 0.9}
    monkeypatch.setattr(service, "simulate", _fail)
    with ctx_factory(role="viewer") as ctx:
        assert service.page_answer(ctx, service.stored_book(ctx, AS_OF), AS_OF) == first
    with ctx_factory(role="viewer") as ctx, pytest.raises(AssertionError):
        service.page_answer(ctx, service.stored_book(ctx, AS_OF), AS_OF, indemnity=80.0)
