"""What every statement reader returns, and the Protocol a reader plugs in through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from arguard.core.errors import Issue
from arguard.recon.model import Statement


@dataclass(frozen=True, slots=True)
class ReadResult:
    """Statements read from one file, and the problems met that did not stop the reading."""

    statements: tuple[Statement, ...]
    issues: tuple[Issue, ...] = ()


class StatementReader(Protocol):
    """A statement format. `sniff` looks at the first bytes; `read` raises `ImportRejected` when the
    file cannot be read at all and returns `Issue`s for what it could read around."""

    name: str

    def sniff(self, head: bytes) -> bool: ...

    def read(self, data: bytes, source: str) -> ReadResult: ...
