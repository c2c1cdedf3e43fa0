"""A killed import leaves nothing half-written; concurrent allocations never over-allocate (PostgreSQL)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from arguard.core.errors import Conflict
from arguard.core.money import Money
from arguard.db.session import session_scope
from arguard.ledger import service
from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord
from arguard.ledger.tables import Allocation, ImportBatch, Invoice
from arguard.platform.context import ServiceContext
from arguard.platform.service import verify_audit

ROOT = Path(__file__).resolve().parents[2]
N = 8_000


def _invoices_file(tmp_path: Path, n: int = N) -> Path:
    path = tmp_path / "invoices.csv"
    with path.open("w") as f:
        f.write("invoice_number,customer_id,issue_date,due_date,currency,amount\n")
        for i in range(n):
            f.write(f"K-{i:06d},K{i % 50},2026-01-{1 + i % 28:02d},2026-03-{1 + i % 28:02d},EUR,{100 + i}.50\n")
    return path


def _counts(engine, company_id: int) -> tuple[int, int]:
    with session_scope(engine) as s:
        inv = s.scalar(select(func.count()).select_from(Invoice).where(Invoice.company_id == company_id))
        batches = s.scalar(select(func.count()).select_from(ImportBatch).where(
            ImportBatch.company_id == company_id, ImportBatch.kind == "invoices"))
    return inv or 0, batches or 0


@pytest.fixture
def customers(ctx_factory):
    with ctx_factory() as ctx:
        service.import_records(ctx, "customers", [CustomerRecord(f"K{i}", f"Kunde {i}", "DE") for i in range(50)])


def test_import_killed_after_writing_leaves_nothing(engine, company, customers, tmp_path):
    """A real subprocess writes every row inside its transaction, then is SIGKILLed before the commit."""
    path = _invoices_file(tmp_path)
    script = textwrap.dedent(f"""
        import sys, time
        from arguard.db.session import get_engine, session_scope
        from arguard.ledger import service
        from arguard.platform.context import ServiceContext

        def progress(phase, done, total):
            if phase == "write" and done == total:
                print("WRITTEN", done, flush=True)
                time.sleep(120)

        with session_scope(get_engine({engine.url.render_as_string(hide_password=False)!r})) as s:
            service.import_file(ServiceContext(s, {company[0]}, "killed"), "invoices", {str(path)!r},
                                progress=progress)
        print("COMMITTED", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("WRITTEN"), (line, proc.stderr.read() if proc.poll() is not None else "")  # type: ignore[union-attr]
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.5)  # let PostgreSQL notice the dropped connection and roll back
    assert _counts(engine, company[0]) == (0, 0)
    with session_scope(engine) as s:
        ctx = ServiceContext(s, company[0], "test")
        assert verify_audit(ctx) == []
        again = service.import_file(ctx, "invoices", str(path))
    assert again.inserted == N and _counts(engine, company[0]) == (N, 1)


def test_cli_import_killed_at_a_random_moment_is_all_or_nothing(engine, company, customers, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough for the random-moment variant")
    seed = random.randrange(1 << 30)
    print(f"seed {seed}")
    delay = random.Random(seed).uniform(0.5, 4.0)
    path = _invoices_file(tmp_path)
    env = {**os.environ, "ARGUARD_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "arguard.cli.main", "import", "invoices", str(path),
                             "--company", company[1]], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _counts(engine, company[0]) in ((0, 0), (N, 1))


def test_concurrent_allocations_never_over_allocate(engine, ctx_factory, backend):
    """Twenty clerks apply 7.00 each to one invoice of 100.00 at the same moment: 14 succeed."""
    if backend != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers by design")
    with ctx_factory() as ctx:
        service.upsert_customer(ctx, CustomerRecord("R1", "Race Ltd", "GB"))
        service.add_invoice(ctx, InvoiceRecord("R-INV", "R1", date(2026, 1, 1), date(2026, 1, 31),
                                               Money.of("100.00", "EUR")))
        pays = [service.add_payment(ctx, PaymentRecord(f"R-P{i}", "R1", date(2026, 2, 1), Money.of("10.00", "EUR")))
                for i in range(20)]
        invoice_id = service.get_invoice(ctx, "R-INV").id
        payment_ids = [p.id for p in pays if p is not None]
        company_id = ctx.company_id
    barrier = threading.Barrier(len(payment_ids))
    outcomes: list[str] = []

    def clerk(payment_id: int) -> None:
        barrier.wait()
        try:
            with session_scope(engine) as s:
                service.allocate(ServiceContext(s, company_id, "clerk"), payment_id, invoice_id,
                                 Money.of("7.00", "EUR"), date(2026, 2, 2))
            outcomes.append("ok")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=clerk, args=(p,)) for p in payment_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["ok"] * 14 + ["refused"] * 6
    with ctx_factory() as ctx:
        assert service.get_invoice(ctx, "R-INV").open_minor == 200
        total = ctx.session.scalar(select(func.sum(Allocation.amount_minor)).where(
            Allocation.company_id == ctx.company_id))
        assert total == 9800 and service.verify_projections(ctx) == []
