"""Collections commands for the daily work: worklist, contacts, promises, disputes, cases, write-offs,
statements, KPIs."""

from __future__ import annotations

from typing import Any

import typer


def add_commands(app: typer.Typer, emit: Any) -> None:
    return None
