"""Backups of the whole installation's database, taken while it runs, and their restore.

SQLite: SQLite's online backup API copies a consistent snapshot page by page while other connections
keep reading and writing (a copy of the file could catch a write half done, or miss the WAL).
PostgreSQL: its own tools, `pg_dump --format=custom` (a consistent snapshot in one transaction) and
`pg_restore --clean --if-exists`; they must be installed (same major version as the server or newer).

The audit chain's key is not in the database (`platform.keys`): keep `<data_dir>/installation.key`
(or the configured secrets) with the backups, or the restored chain cannot be verified.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from arguard.core.errors import ArguardError, NotFound, ValidationError

PG_TIMEOUT_S = 3600


class BackupFailed(ArguardError):
    http_status = 500
    exit_code = 7
    code = "backup_failed"


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise ValidationError("an in-memory database has nothing to back up", code="backup_unsupported")
    return Path(database)


def backup(engine: Engine, out: Path) -> Path:
    """Write a consistent copy of the database to `out` (SQLite file, or a pg_dump custom archive)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source = _sqlite_path(engine)
        if not source.exists():
            raise NotFound(f"no database at {source}", code="database_not_found")
        partial = out.with_name(out.name + ".partial")
        with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
            src.backup(dst)
        partial.replace(out)
        return out
    if engine.dialect.name == "postgresql":
        _run_pg(["pg_dump", "--format=custom", "--no-owner", f"--file={out}", _libpq_url(engine)])
        return out
    raise ValidationError(f"no backup for {engine.dialect.name}", code="backup_unsupported")


def restore(engine: Engine, backup_file: Path) -> None:
    """Replace the database's contents with a backup taken by `backup` (stop the servers first)."""
    backup_file = Path(backup_file)
    if not backup_file.exists():
        raise NotFound(f"no backup at {backup_file}", code="backup_not_found")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        try:
            with sqlite3.connect(backup_file) as probe:
                probe.execute("SELECT count(*) FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            raise ValidationError(f"{backup_file} is not an arguard SQLite backup", code="not_a_backup") from None
        target = _sqlite_path(engine)
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(backup_file) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    if engine.dialect.name == "postgresql":
        _run_pg(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 f"--dbname={_libpq_url(engine)}", str(backup_file)])
        return
    raise ValidationError(f"no restore for {engine.dialect.name}", code="backup_unsupported")


def _libpq_url(engine: Engine) -> str:
    url = make_url(engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _run_pg(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupFailed(f"{command[0]} is not installed; install the PostgreSQL client tools "
                           "(same major version as the server or newer)")
    done = subprocess.run(command, capture_output=True, text=True, timeout=PG_TIMEOUT_S, check=False)
    if done.returncode != 0:
        raise BackupFailed(f"{command[0]} failed: {done.stderr.strip()[-500:]}")
