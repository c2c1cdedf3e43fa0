"""The demo generator is a functional core: no database, web, CLI, files or clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import arguard.demo

PURE = ("model", "geography", "names", "buyers", "history", "records")
SHELL = ("sqlalchemy", "fastapi", "typer", "rich", "arguard.db", "arguard.api", "arguard.cli", "arguard.web",
         "arguard.platform", "arguard.settings", "httpx", "os", "pathlib")


@pytest.mark.parametrize("name", PURE)
def test_generator_module_is_pure(name: str) -> None:
    source = (Path(arguard.demo.__file__).parent / f"{name}.py").read_text()
    tree = ast.parse(source)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    bad = sorted(m for m in imported if m.endswith(".service") or any(m == s or m.startswith(s + ".")
                                                                      for s in SHELL))
    assert not bad, f"demo/{name}.py imports {bad}"
    for clock in ("date.today(", "datetime.now(", "time.time(", "open("):
        assert clock not in source, f"demo/{name}.py uses {clock}"
