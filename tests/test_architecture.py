"""The functional core must not import the shell: pure rule modules stay free of the database, web,
CLI, network and the clock. A capability's pure modules are the files with these names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "arguard"
PURE_NAMES = {"model", "metrics", "statement", "rules", "engine", "matching", "references", "ratios",
              "masterscale", "combine", "recommend", "check", "terms", "exposure", "money", "errors", "audit"}
FORBIDDEN = ("sqlalchemy", "fastapi", "starlette", "typer", "uvicorn", "httpx", "requests", "smtplib",
             "arguard.db", "arguard.api", "arguard.cli", "arguard.web")
CLOCK_CALLS = ("date.today", "datetime.now", "datetime.utcnow", "time.time")


def pure_modules() -> list[Path]:
    found = [p for p in SRC.rglob("*.py") if p.stem in PURE_NAMES]
    found += list((SRC / "core").glob("*.py"))
    return sorted(set(found))


def _imports(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_pure_module_imports_no_shell(path: Path) -> None:
    tree = ast.parse(path.read_text())
    bad = [n for n in _imports(tree)
           if n.startswith(FORBIDDEN) or n.endswith((".service", ".tables")) or n in {"service", "tables"}]
    assert not bad, f"{path.relative_to(SRC)} is a pure module but imports {bad}"
    text = path.read_text()
    clock = [c for c in CLOCK_CALLS if c + "(" in text]
    assert not clock, f"{path.relative_to(SRC)} reads the clock ({clock}); take an explicit as_of"


def test_there_are_pure_modules() -> None:
    assert len(pure_modules()) >= 3
