"""`arguard backup` / `arguard restore` (issue 11): an online copy, restored, has an intact audit chain
and projections that agree with the facts; what was written after the backup is gone after restore.
Each backend gets a database of its own (a restore replaces the whole database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from arguard.cli.main import app as cli
from arguard.db import session as db_session
from arguard.ledger.service_views import verify_projections
from arguard.ledger.tables import Invoice
from arguard.platform.context import ServiceContext
from arguard.platform.service import create_company, verify_audit
from tests.conftest import BACKENDS, _create_pg_database
from tests.ledger.ledgerbook import book

BEFORE = """
customer ACME DE EUR
customer BETA CN USD zh-CN
invoice INV-1 ACME 2026-01-05 due 2026-02-04 1200.00 EUR
invoice INV-2 BETA 2026-02-01 due 2026-04-01 5000.00 USD
payment PAY-1 ACME 2026-02-10 700.00 EUR -> INV-1
"""
AFTER = "invoice INV-3 ACME 2026-03-01 due 2026-03-31 999.00 EUR"


@pytest.fixture(params=BACKENDS)
def own_database(request, tmp_path, monkeypatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from arguard.settings import get_settings

    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'live.db'}", (lambda: None)
    else:
        url, drop = _create_pg_database()
    monkeypatch.setenv("ARGUARD_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    db_session.get_engine(url).dispose()
    get_settings.cache_clear()
    drop()


def _invoices(engine, company_id: int) -> int:  # type: ignore[no-untyped-def]
    with db_session.session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Invoice).where(Invoice.company_id == company_id)))


def test_backup_then_restore_keeps_chain_and_projections(own_database, tmp_path):
    engine = db_session.get_engine(own_database)
    db_session.migrate(engine)
    with db_session.session_scope(engine) as s:
        company = create_company(s, "BAK", "Backup GmbH")
        book(ServiceContext(s, company.id, "test", "admin"), BEFORE)
    out = tmp_path / "arguard.backup"
    r = CliRunner().invoke(cli, ["backup", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.exists() and out.stat().st_size > 0
    with db_session.session_scope(engine) as s:
        book(ServiceContext(s, company.id, "test", "admin"), AFTER)
    assert _invoices(engine, company.id) == 3

    r = CliRunner().invoke(cli, ["restore", str(out), "--yes"])
    assert r.exit_code == 0, r.output
    assert "BAK: audit log intact" in r.output
    assert _invoices(engine, company.id) == 2  # the state at the backup
    with db_session.session_scope(engine) as s:
        ctx = ServiceContext(s, company.id, "test", "admin")
        assert verify_audit(ctx) == []
        assert verify_projections(ctx) == []
        book(ctx, AFTER)  # the restored database takes new facts
        assert verify_audit(ctx) == []


def test_restore_refuses_a_file_that_is_not_a_backup(own_database, tmp_path):
    db_session.migrate(db_session.get_engine(own_database))
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    r = CliRunner().invoke(cli, ["restore", str(junk), "--yes"])
    assert r.exit_code != 0
