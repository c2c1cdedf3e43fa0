"""Every capability's demo step runs on a small demo company without failing (SQLite)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from arguard.demo.model import DemoSize
from arguard.demo.service import build_demo
from arguard.demo.steps import discover_steps


@pytest.mark.slow
def test_every_registered_step_succeeds(engine, backend):
    if backend != "sqlite":
        pytest.skip("once is enough: the steps' own tests cover both databases")
    steps = discover_steps()
    code = "S" + uuid.uuid4().hex[:7].upper()
    print(f"seed=3 company={code} steps={[s.name for s in steps]}")
    result = build_demo(engine, size=DemoSize("steps", buyers=120, invoices=2_000), seed=3,
                        as_of=date(2026, 3, 31), company_code=code)
    print(result.steps)
    failed = [(name, message) for name, ok, message in result.steps if not ok]
    assert failed == []
    assert [name for name, _, _ in result.steps] == [s.name for s in steps]
