"""The capability steps registry, and `arguard demo` as a user runs it."""

from __future__ import annotations

import re
from random import Random

import pytest
from typer.testing import CliRunner

from arguard.demo import service as demo_service
from arguard.demo import steps as demo_steps
from arguard.demo.model import SIZES, DemoSize


def test_steps_register_by_name_and_run_in_order():
    demo_steps.discover_steps()  # the capabilities' modules register once, on import
    saved = list(demo_steps.DEMO_STEPS)
    try:
        def b(ctx, world, rng):  # type: ignore[no-untyped-def]
            return None

        demo_steps.register_step("zz_b", b, order=90)
        demo_steps.register_step("zz_a", b, order=90)
        demo_steps.register_step("zz_b", b, order=10)  # same name again: replaced, not duplicated
        found = [s for s in demo_steps.discover_steps() if s.name.startswith("zz_")]
        assert [(s.name, s.order) for s in found] == [("zz_b", 10), ("zz_a", 90)]
    finally:
        demo_steps.DEMO_STEPS[:] = saved


def test_steps_are_the_registrys_declared_demo_steps():
    from arguard.platform import registry

    declared = {ref.name for _, ref in registry.each("demo")}
    assert {"risk", "limits", "monitor", "recon"} <= declared
    assert declared <= {s.name for s in demo_steps.discover_steps()}


def test_each_step_has_its_own_reproducible_stream():
    assert demo_steps.step_rng(42, "risk").random() == demo_steps.step_rng(42, "risk").random()
    assert demo_steps.step_rng(42, "risk").random() != demo_steps.step_rng(42, "limits").random()
    assert isinstance(demo_steps.step_rng(1, "x"), Random)


@pytest.fixture
def tiny_cli(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(SIZES, "small", DemoSize("small", buyers=60, invoices=400))
    monkeypatch.setattr(demo_service, "discover_steps", list)
    monkeypatch.setenv("COLUMNS", "200")
    return f"sqlite:///{tmp_path / 'var' / 'arguard.db'}"


def test_arguard_demo_prints_how_to_sign_in_and_is_idempotent(tiny_cli):
    from arguard.cli.main import app

    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--database-url", tiny_cli, "--as-of", "2026-03-31", "--seed", "9"])
    print(first.output)
    assert first.exit_code == 0, first.output
    out = first.output
    assert "http://127.0.0.1:8000" in out and "company DEMO" in out and "seed 9" in out
    key = re.search(r"(ag_[A-Za-z0-9_-]{20,})", out)
    assert key and f"Authorization: Bearer {key.group(1)}" in out and "curl" in out
    for user in ("admin", "analyst", "manager", "viewer"):
        assert re.search(rf"^\s+{user}\s+\S{{8,}}$", out, re.MULTILINE), user
    again = runner.invoke(app, ["demo", "--database-url", tiny_cli])
    assert again.exit_code == 0 and "already exists" in again.output and "--reset" in again.output
    assert "ag_" not in again.output
    bad = runner.invoke(app, ["demo", "--database-url", tiny_cli, "--size", "huge"])
    assert bad.exit_code != 0


def test_a_declared_demo_step_that_cannot_be_imported_becomes_a_failing_step():
    from arguard.platform import registry
    from arguard.platform.registry import Capability, DemoStepRef

    registry.register(Capability(name="zz_broken", demo=(DemoStepRef("zz_broken", "arguard.zz_missing.demo:run", 5),)))
    try:
        broken = [s for s in demo_steps.discover_steps() if s.name == "zz_broken"]
        assert len(broken) == 1 and broken[0].order == 1000
        with pytest.raises(RuntimeError, match="cannot be imported"):
            broken[0].run(None, None, Random(1))  # type: ignore[arg-type]
    finally:
        registry.unregister("zz_broken")
