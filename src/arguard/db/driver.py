"""Statements run straight on the DB-API cursor of a unit of work's connection, for a measured hot path.

A `DriverStatement` is a SQLAlchemy statement compiled once per dialect by SQLAlchemy's own compiler;
each run binds the parameters as that compilation lays them out and returns plain tuples. What it
spares: building a result object, reading the cursor's description (psycopg builds a Column object per
column per statement) and processing each value, which together cost more than the database's own work
for the few-row reads of the order check. What the caller gets is what the driver gives, made the same
on both databases for the column kinds named: `dates` (SQLite returns text) and `flags` (0/1).

Statements must not use expanding IN parameters (write the alternatives out). Events: the engine's
`before_cursor_execute` listeners are called as for any statement (logging, statement counts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection


class DriverStatement:
    """`build()` → a SQLAlchemy statement; `dates`/`flags`: positions of date and boolean columns."""

    def __init__(self, build: Callable[[], Any], *, dates: Sequence[int] = (), flags: Sequence[int] = ()) -> None:
        self._build, self.dates, self.flags = build, tuple(dates), tuple(flags)
        self._compiled: dict[str, Any] = {}

    def _compile(self, conn: Connection) -> Any:
        name = conn.dialect.name
        found = self._compiled.get(name)
        if found is None:
            found = self._compiled[name] = self._build().compile(dialect=conn.dialect)
        return found

    def rows(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        compiled = self._compile(conn)
        values = compiled.construct_params(params)  # the statement's own literals (e.g. `else 0`) included
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # SQLAlchemy stores dates on SQLite as ISO text
            values = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
        args: Any = [values[k] for k in compiled.positiontup] if compiled.positional else values
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            if conn._has_events or conn.engine._has_events:
                conn.dispatch.before_cursor_execute(conn, cursor, compiled.string, args, None, False)
            cursor.execute(compiled.string, args)
            found = cursor.fetchall()
        finally:
            cursor.close()
        if sqlite and (self.dates or self.flags):
            return [self._same(r) for r in found]
        return found

    def _same(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(row)
        for i in self.dates:
            if isinstance(out[i], str):
                out[i] = date.fromisoformat(out[i][:10])
        for i in self.flags:
            if out[i] is not None:
                out[i] = bool(out[i])
        return tuple(out)
