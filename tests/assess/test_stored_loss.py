"""The loss figures the assessment reads are stored per exact inputs (portfolio README rule 8): a second
assessment of the same book reads them back without simulating; a changed book is simulated afresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.assess.test_assess import AS_OF, _ledger

pytestmark = pytest.mark.storage


def test_the_second_assessment_reads_the_stored_loss_figures(ctx_factory: Callable[..., Any],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from arguard.assess.service import assess
    from arguard.portfolio import service

    with ctx_factory() as ctx:
        _ledger(ctx)
    with ctx_factory(role="viewer") as ctx:
        first = assess(ctx, AS_OF, home="DE", seed=3)

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the stored loss figures should have been read")

    monkeypatch.setattr(service, "simulate", fail)
    with ctx_factory(role="viewer") as ctx:
        again = assess(ctx, AS_OF, home="DE", seed=3)
    assert again == first
    with ctx_factory(role="viewer") as ctx, pytest.raises(AssertionError):
        assess(ctx, AS_OF, home="DE", seed=4)           # other inputs: computed, not read back
