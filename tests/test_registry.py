"""One declaration is enough: a capability defined here, in the test, brings an API route, a CLI
command, a navigation entry, a customer-page panel, translations and an event subscription, and the app
and the CLI built after `registry.register` have them all — nothing else is edited or imported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import typer
from fastapi import APIRouter
from typer.testing import CliRunner

from arguard.platform import events, registry
from arguard.platform.registry import Capability, Nav, Panel, Subscription

ME = __name__  # the declaration names this module's objects by "module:attribute", like any capability

router = APIRouter(prefix="/tiny", tags=["tiny"])


@router.get("/ping")
def ping() -> dict[str, str]:
    return {"tiny": "pong"}


def register_cli(app: typer.Typer) -> None:
    tiny = typer.Typer(name="tiny", help="A capability that lives in a test.")

    @tiny.command("hello")
    def hello(name: str = "world") -> None:
        typer.echo(f"tiny says hello to {name}")

    app.add_typer(tiny)


SEEN: list[events.Fact] = []


def on_tiny(facts: list[events.Fact]) -> None:
    SEEN.extend(facts)


def panel(_ctx: Any, code: str, _as_of: date) -> dict[str, str]:
    return {"code": code}


MESSAGES = {"tiny.nav": ("Tiny", "小")}

TINY = Capability(
    name="tiny",
    api=(f"{ME}:router",),
    cli=f"{ME}:register_cli",
    subscriptions=(Subscription("tiny.*", f"{ME}:on_tiny"),),
    nav=(Nav("/tiny", "tiny.nav", 99),),
    panels=(Panel("tiny/panel.html", f"{ME}:panel", 99),),
    translations=(f"{ME}:MESSAGES",),
)


@pytest.fixture
def tiny() -> Iterator[Capability]:
    registry.register(TINY)
    SEEN.clear()
    try:
        yield TINY
    finally:
        registry.unregister("tiny")


def test_one_declaration_brings_route_cli_nav_panel_translations_and_subscription(tiny: Capability) -> None:
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app
    from arguard.web.common import CUSTOMER_PANELS, NAV
    from arguard.web.i18n import translate

    app = create_app()
    assert "/api/v1/tiny/ping" in app.openapi()["paths"]
    assert TestClient(app).get("/api/v1/tiny/ping").json() == {"tiny": "pong"}
    assert ("/tiny", "tiny.nav") in {(n.path, n.label_key) for n in NAV}
    assert "tiny/panel.html" in {p.template for p in CUSTOMER_PANELS}
    assert translate("zh-CN", "tiny.nav") == "小"

    cli = typer.Typer()
    registry.register_cli(cli)
    result = CliRunner().invoke(cli, ["tiny", "hello", "--name", "auditor"])
    assert result.exit_code == 0 and "tiny says hello to auditor" in result.output

    registry.wire_subscriptions()  # what the API app, the CLI and the worker do at start-up
    events.dispatch([events.Fact("tiny.created", 1, "test", "ACME"), events.Fact("ledger.invoice", 1, "t", "X")])
    assert [f.kind for f in SEEN] == ["tiny.created"]


def test_unregistering_takes_everything_away(tiny: Capability) -> None:
    from arguard.api.app import create_app
    from arguard.web.common import NAV

    create_app()
    registry.wire_subscriptions()
    registry.unregister("tiny")
    assert "/tiny" not in {n.path for n in NAV}
    events.dispatch([events.Fact("tiny.created", 1, "test", "ACME")])
    assert SEEN == [] and "tiny" not in {c.name for c in registry.capabilities()}
    assert "/api/v1/tiny/ping" not in create_app().openapi()["paths"]
    registry.register(TINY)  # the fixture takes it away again


def test_every_declared_reference_resolves() -> None:
    """Each shipped capability's "module:attribute" strings name something that exists."""
    for cap in registry.capabilities():
        refs = [*cap.api, *cap.web, *cap.translations, *cap.background,
                *(s.handler for s in cap.subscriptions), *(p.context for p in cap.panels),
                *(d.run for d in cap.demo), *(p.ref for p in cap.provides)]
        if cap.cli:
            refs.append(cap.cli)
        for ref in refs:
            assert registry.resolve(ref) is not None, (cap.name, ref)


def test_declared_cli_commands_are_the_ones_the_capability_adds() -> None:
    """`arguard --help` lists declared commands without importing them: the declaration must match what
    the capability's register function really adds (names and help)."""
    for cap in registry.capabilities():
        if not cap.cli_commands:
            continue
        scratch = typer.Typer()
        registry.resolve(cap.cli)(scratch)
        built = typer.main.get_command(scratch)
        commands = built.commands if hasattr(built, "commands") else {built.name: built}
        assert {c.name for c in cap.cli_commands} == set(commands), cap.name
        for c in cap.cli_commands:
            assert c.help == commands[c.name].get_short_help_str(300), (cap.name, c.name)


HEAVY = ("sqlalchemy", "pandas", "numpy", "lightgbm", "fastapi", "reportlab", "openpyxl", "scipy")

# Writes the help of the root and of every group and command below it, in one process, then prints the
# heavy libraries that got imported on the way.
_EVERY_HELP = """
import sys, typer
from typer.testing import CliRunner
from arguard.cli.main import app

root, runner, seen = typer.main.get_command(app), CliRunner(), []

def walk(path, command):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, (path, result.output, result.exception)
    seen.append(" ".join(path))
    if hasattr(command, "list_commands"):  # a group (typer carries its own click)
        ctx = command.context_class(command)
        for name in command.list_commands(ctx):
            walk([*path, name], command.get_command(ctx, name))

walk([], root)
print(len(seen), sorted(m for m in HEAVY if m in sys.modules))
"""


def _heavy_after_every_help(prelude: str = "", path: str = "") -> str:
    import os
    import subprocess
    import sys

    code = f"HEAVY = {HEAVY!r}\n{prelude}\n{_EVERY_HELP}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (path, os.environ.get("PYTHONPATH")) if p)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=env).stdout.strip()


def test_the_help_of_every_command_imports_no_heavy_library() -> None:
    """`arguard --help`, `arguard ledger --help`, `arguard insurance claim --help` … (every group and
    command, the capabilities' CLI modules loaded to write them) import no service: no SQLAlchemy, pandas,
    numpy, LightGBM, FastAPI, reportlab, openpyxl or SciPy — the libraries that made the CLI take seconds
    to start. A command imports what it needs when it runs."""
    count, _, heavy = _heavy_after_every_help().partition(" ")
    assert int(count) > 100  # the walk reached the whole tree
    assert heavy == "[]", heavy


def test_a_cli_module_that_imports_its_library_at_the_top_fails_the_help_check(tmp_path: Any) -> None:
    """The check above fails when one capability's CLI module imports SQLAlchemy at module level."""
    (tmp_path / "heavy_cli.py").write_text(
        "import typer\nimport sqlalchemy  # planted: a CLI module importing its database at the top\n\n"
        "def heavy() -> None:\n    \"\"\"Heavy.\"\"\"\n\n"
        "def register(app: typer.Typer) -> None:\n    app.command('heavy')(heavy)\n", encoding="utf-8")
    prelude = ("from arguard.platform import registry\n"
               "registry.register(registry.Capability(name='heavy', cli='heavy_cli:register', "
               "cli_commands=(registry.CliCommand('heavy', 'Heavy.'),)))")
    _, _, heavy = _heavy_after_every_help(prelude, str(tmp_path)).partition(" ")
    assert "sqlalchemy" in heavy


class _AllInCollections:
    def in_collections(self, ctx: Any, customer_code: str) -> bool:
        return True


IN_COLLECTIONS = _AllInCollections()


def test_a_plug_in_point_is_answered_by_a_declaration_not_a_global() -> None:
    from arguard.limits import sources
    from arguard.platform.registry import Provide

    before = sources.collections_source()
    registry.register(Capability(name="tiny_collections",
                                 provides=(Provide(sources.COLLECTIONS_POINT, f"{ME}:IN_COLLECTIONS"),)))
    try:
        assert sources.collections_source() is IN_COLLECTIONS
    finally:
        registry.unregister("tiny_collections")
    assert sources.collections_source() is before
